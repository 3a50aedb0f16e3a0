import { test } from 'node:test';
import assert from 'node:assert/strict';

import { HIDDEN_NOOP, InputBuffer } from '../../../testbed/static/js/engine/inputs.js';
import { buildPacket, parsePacket } from '../../../testbed/static/js/engine/protocol.js';
import { GAME_STATE_COLUMNS, ROW_COLUMNS } from '../../../testbed/static/js/engine/recorder.js';
import { Session } from '../../../testbed/static/js/engine/session.js';
import { diffExports, manualPair, replayProblems } from './sim.mjs';

test('input buffer: out-of-order and duplicate inputs, contiguous confirmation, prediction', () => {
  const buf = new InputBuffer({ players: 2, lastFrame: 20, preset: 2 });
  assert.equal(buf.confirmedThrough(1), 1);
  assert.equal(buf.confirm(1, 4, 3), true);
  assert.equal(buf.confirmedThrough(1), 1, 'gap at 2..3');
  assert.deepEqual(buf.codeFor(1, 3), { code: 0, predicted: true }, 'repeat the last confirmed input before the frame');
  assert.deepEqual(buf.codeFor(1, 6), { code: 3, predicted: true });
  assert.equal(buf.confirm(1, 2, 5), true);
  assert.equal(buf.confirm(1, 3, 1), true);
  assert.equal(buf.confirmedThrough(1), 4);
  assert.equal(buf.confirm(1, 3, 4), false, 'a confirmed input never changes');
  assert.equal(buf.get(1, 3), 1);
  assert.equal(buf.confirm(1, 21, 1), false, 'beyond the last frame');
  assert.equal(buf.confirm(1, 5, 9), false, 'not an input code');
  assert.equal(buf.encode(1, 0, 10), '00513', 'stops at the first gap (frame 5)');
  assert.equal(buf.confirmedThrough(0), 1, 'players are independent');
  assert.equal(HIDDEN_NOOP, 6);
});

test('protocol: well-formed packets parse, malformed or foreign ones are rejected', () => {
  const good = buildPacket({ sender: 1, start: 4, codes: '0156', ack: 3, frame: 7, advantage: -2, hidden: true });
  assert.deepEqual(parsePacket(JSON.parse(JSON.stringify(good)), 1), {
    start: 4,
    codes: [0, 1, 5, 6],
    ack: 3,
    frame: 7,
    advantage: -2,
    hidden: true,
  });
  assert.equal(parsePacket(good, 0), null, 'from the wrong player');
  const malformed = [
    null,
    'x',
    3,
    {},
    { ...good, v: 2 },
    { ...good, a: '017' },
    { ...good, s: -1 },
    { ...good, f: 1.5 },
    { ...good, h: 2 },
    { ...good, a: '0'.repeat(500) },
  ];
  for (const bad of malformed) {
    assert.equal(parsePacket(bad, 1), null, JSON.stringify(bad));
  }
});

test('session: stats fields, option validation, malformed packets are ignored', () => {
  const s = new Session({ playerIndex: 0, seed: 1, maxSteps: 10, episodes: 1, inputDelay: 2, meta: { gameId: 'g' } });
  assert.deepEqual(Object.keys(s.stats), [
    'frameNumber',
    'stepNum',
    'numEpisodes',
    'rollbackCount',
    'maxRollbackDepth',
    'isFocused',
    'done',
  ]);
  assert.throws(() => new Session({ playerIndex: 2, seed: 1, maxSteps: 10 }), /playerIndex must be 0 or 1/);
  assert.throws(() => new Session({ playerIndex: 0, seed: 1, maxSteps: 0 }), /maxSteps must be an integer >= 1/);
  const before = JSON.stringify(s.stats);
  const ownEcho = { v: 1, p: 0, s: 2, a: '1', k: 1, f: 0, d: 0, h: 0 };
  const badCodes = { v: 1, p: 1, s: 0, a: 'zz', k: 0, f: 0, d: 0, h: 0 };
  for (const junk of [null, undefined, 'hello', 42, [], { v: 1, p: 0 }, ownEcho, badCodes]) {
    s.receive(junk, 0);
  }
  assert.equal(JSON.stringify(s.stats), before);
  const view = s.view();
  for (const key of ['width', 'height', 'walls', 'goal', 'players', 'item', 'score']) assert.ok(key in view, key);
});

test('session: local input given at the tick of frame F applies at F + inputDelay', () => {
  const delay = 3;
  const pair = manualPair({ seed: 4, maxSteps: 30, inputDelay: delay });
  const inputFor = (p, tickIndex) => (tickIndex * (p + 2) + p) % 6;
  for (let i = 0; i < 60 && !pair.sessions.every((s) => s.done); i += 1) {
    const tickIndex = pair.ticks;
    pair.tickBoth([inputFor(0, tickIndex), inputFor(1, tickIndex)]);
    pair.deliver(0);
    pair.deliver(1);
  }
  const rows = pair.episodes[0][0];
  assert.equal(rows.length, 30);
  for (const row of rows) {
    for (const p of [0, 1]) {
      const expected = row.frame < delay ? 0 : inputFor(p, row.frame - delay);
      assert.equal(row[`action.${p}`], expected, `frame ${row.frame} player ${p}`);
    }
  }
  assert.deepEqual(diffExports(pair.episodes[0], pair.episodes[1]), []);
});

test('session: rows become final only when both inputs are confirmed; speculative episode end waits', () => {
  const pair = manualPair({ seed: 8, maxSteps: 20 });
  const [a, b] = pair.sessions;
  // A hears nothing from B: it predicts up to the window, stalls, finalises nothing
  // beyond the preset frames, and never emits rows.
  const results = [];
  for (let i = 0; i < 25; i += 1) {
    results.push(pair.tickBoth([1, 2])[0]);
    pair.deliver(0);
  }
  assert.equal(a.recorder.nextFinal, 2, 'only the two preset no-op frames are confirmed');
  assert.equal(a.frame, 2 + 15, 'prediction window: 15 frames beyond the last confirmed input');
  assert.ok(results.slice(-5).every((r) => r === false), 'tick() reports stalls');
  // B holds both players' inputs for every frame, so B's rows are final and B finished.
  assert.equal(b.stats.stepNum, 20);
  assert.equal(pair.episodes[1][0].length, 20);
  // Now release B's packets except the newest ones: A reaches maxSteps speculatively
  // but must not end the episode until the last frames are confirmed.
  const lastFrame = (pk) => pk.s + pk.a.length - 1;
  pair.deliver(1, (pk) => lastFrame(pk) <= 16);
  for (let i = 0; i < 10; i += 1) pair.tickBoth([1, 2]);
  assert.equal(a.stats.stepNum, 20, 'A simulated the whole episode');
  assert.equal(pair.episodes[0].length, 0, 'but did not end it on predicted inputs');
  assert.equal(a.tick(0, 9999), false);
  pair.deliver(1);
  a.tick(0, 10000);
  assert.equal(pair.episodes[0][0].length, 20);
  assert.deepEqual(diffExports(pair.episodes[0], pair.episodes[1]), []);
  assert.equal(a.stats.done, true);
});

test('session: duplicated and reordered packets give the same export as clean delivery', () => {
  const script = (p, tickIndex) => [1, 1, 4, 4, 5, 2, 2, 3, 5, 0][(tickIndex * (p + 1) + 3 * p) % 10];
  const play = (mangle) => {
    const pair = manualPair({ seed: 12, maxSteps: 80, episodes: 2 });
    for (let i = 0; i < 400 && !pair.sessions.every((s) => s.done); i += 1) {
      const tickIndex = pair.ticks;
      pair.tickBoth([script(0, tickIndex), script(1, tickIndex)]);
      for (const from of [0, 1]) {
        if (!mangle) {
          pair.deliver(from);
        } else if (i % 5 === 4) {
          // every fifth tick: the last five ticks' packets arrive newest first, twice
          const batch = pair.outbox[from].splice(0).reverse();
          for (const pk of [...batch, ...batch]) pair.sessions[1 - from].receive(pk, pair.now);
        }
      }
    }
    return pair;
  };
  const clean = play(false);
  const mangled = play(true);
  const stripClient = (eps) => eps.map((rows) => rows.map((r) => GAME_STATE_COLUMNS.map((c) => r[c])));
  assert.equal(mangled.episodes[0].length, 2);
  assert.deepEqual(stripClient(mangled.episodes[0]), stripClient(clean.episodes[0]));
  assert.deepEqual(stripClient(mangled.episodes[1]), stripClient(clean.episodes[1]));
  assert.deepEqual(replayProblems(12, 80, mangled.episodes[0]), []);
  assert.ok(mangled.sessions[0].rollbackCount > clean.sessions[0].rollbackCount, 'late inputs caused rollbacks');
  const flat = mangled.episodes[0].flat();
  assert.deepEqual(Object.keys(flat[0]), [...ROW_COLUMNS]);
  assert.ok(flat.some((r) => r.wasSpeculative === 1) && flat.some((r) => r.rollbackEvents > 0));
  assert.ok(clean.episodes[0].flat().every((r) => r.rollbackEvents === 0));
});
