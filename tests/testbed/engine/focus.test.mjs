// Focus loss: the hidden peer grants no-ops, the partner keeps playing without
// stalls, and the hidden peer catches up and emits identical rows when it returns.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Rng } from '../../../testbed/static/js/engine/prng.js';
import { SESSION_DEFAULTS } from '../../../testbed/static/js/engine/session.js';
import { diffExports, replayProblems, runPair } from './sim.mjs';

const LINK = { latencyMs: 40, jitterMs: 30, loss: 0.05, duplicate: 0.02 };
const FPS = 30;

function hiddenRun({ seed, maxSteps, episodes, hidden, hideAt, backAt }) {
  const result = runPair({
    seed,
    maxSteps,
    episodes,
    fps: FPS,
    link: LINK,
    focusEvents: [
      { player: hidden, atMs: hideAt, focused: false },
      { player: hidden, atMs: backAt, focused: true },
    ],
  });
  const partner = result.peers[1 - hidden];
  const away = result.peers[hidden];
  const [a, b] = result.peers;
  assert.equal(a.session.done && b.session.done, true, 'both peers finished');
  for (const peer of result.peers) {
    assert.deepEqual(
      peer.episodes.map((rows) => rows.length),
      Array(episodes).fill(maxSteps),
    );
    assert.deepEqual(replayProblems(seed, maxSteps, peer.episodes), []);
  }
  assert.deepEqual(diffExports(a.episodes, b.episodes), []);

  const inWindow = (t) => t.at > hideAt && t.at < backAt;
  const partnerStalls = partner.ticks.filter((t) => inWindow(t) && !t.done && !t.advanced);
  assert.deepEqual(partnerStalls, [], 'the partner never stalled while the other page was hidden');
  // Back in focus, the returning page fast-forwards to the partner's frame in one tick.
  const partnerFrameAtReturn = partner.ticks.filter((t) => t.at <= backAt).at(-1).frame;
  const firstTickBack = away.ticks.find((t) => t.at >= backAt);
  assert.ok(firstTickBack.frame >= partnerFrameAtReturn - 5, `caught up: ${firstTickBack.frame} vs ${partnerFrameAtReturn}`);
  const awayTicks = away.ticks.filter(inWindow);
  assert.ok(awayTicks.length > 0 && awayTicks.every((t) => !t.advanced && !t.focused), 'hidden page did not step');
  assert.equal(new Set(awayTicks.map((t) => t.frame)).size, 1, 'hidden page frame stood still');

  // The hidden player's frames are exported as no-ops with isFocused = 0, on both peers.
  const rows = a.episodes.flat();
  const unfocused = rows.filter((r) => r[`isFocused.${hidden}`] === 0);
  assert.ok(unfocused.every((r) => r[`action.${hidden}`] === 0));
  assert.ok(rows.every((r) => r[`isFocused.${1 - hidden}`] === 1));
  const hiddenFrames = Math.round(((backAt - hideAt) * FPS) / 1000);
  const possibleFrames = Math.min(hiddenFrames + SESSION_DEFAULTS.grantMarginFrames + 5, rows.length - unfocused[0].frame);
  assert.ok(
    unfocused.length >= Math.min(hiddenFrames - 5, possibleFrames) && unfocused.length <= possibleFrames,
    `${unfocused.length} unfocused frames for ${hiddenFrames} hidden frames`,
  );
  const b2 = b.episodes.flat();
  assert.deepEqual(
    rows.map((r) => r[`isFocused.${hidden}`]),
    b2.map((r) => r[`isFocused.${hidden}`]),
  );
  return { result, partner, away };
}

test('focus loss mid-episode: parity, row counts, no partner stall', () => {
  const { partner, away } = hiddenRun({ seed: 21, maxSteps: 300, episodes: 1, hidden: 1, hideAt: 3000, backAt: 6000 });
  assert.ok(partner.session.rollbackCount > 0 || away.session.rollbackCount > 0);
});

test('focus loss spanning the episode end: hidden peer ends the episode after it returns', () => {
  const hideAt = 4000;
  const backAt = 7000; // the episode boundary (frame 150) is at about 5 s
  const { partner, away } = hiddenRun({ seed: 22, maxSteps: 150, episodes: 2, hidden: 0, hideAt, backAt });
  assert.ok(partner.episodeEndMs[0] > hideAt && partner.episodeEndMs[0] < backAt, 'partner ended episode 0 meanwhile');
  assert.ok(away.episodeEndMs[0] >= backAt, 'hidden peer ended episode 0 only after coming back');
});

test('focus loss spanning the end of the whole game', () => {
  const hideAt = 6000;
  const backAt = 11000; // the game (2 x 120 frames) ends at about 8 s
  const { partner, away } = hiddenRun({ seed: 23, maxSteps: 120, episodes: 2, hidden: 1, hideAt, backAt });
  assert.ok(partner.gameEndMs < backAt);
  assert.ok(away.gameEndMs >= backAt);
  assert.ok(away.episodeEndMs[1] >= backAt);
});

test('random focus changes of both players, overlapping, with loss: parity always holds', () => {
  for (let seed = 40; seed < 52; seed += 1) {
    const rng = new Rng(seed);
    const maxSteps = 40 + rng.int(80);
    const episodes = 1 + rng.int(3);
    const gameMs = Math.round((maxSteps * episodes * 1000) / FPS);
    const focusEvents = Array.from({ length: 2 + rng.int(6) }, () => ({
      player: rng.int(2),
      atMs: rng.int(gameMs + 1000),
      focused: rng.int(2) === 1,
    }));
    focusEvents.push({ player: 0, atMs: gameMs + 2000, focused: true }, { player: 1, atMs: gameMs + 2000, focused: true });
    const result = runPair({
      seed,
      maxSteps,
      episodes,
      inputDelay: rng.int(4),
      focusEvents,
      link: { latencyMs: rng.int(150), jitterMs: rng.int(80), loss: rng.int(11) / 100, duplicate: 0.05 },
    });
    const [a, b] = result.peers;
    assert.equal(a.session.done && b.session.done, true, `seed ${seed}`);
    assert.deepEqual(diffExports(a.episodes, b.episodes), [], `seed ${seed}`);
    assert.deepEqual(replayProblems(seed, maxSteps, a.episodes), [], `seed ${seed}`);
  }
});
