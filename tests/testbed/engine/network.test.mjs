// Two peers over a seeded lossy, jittery network: identical exports, exact row counts.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Rng } from '../../../testbed/static/js/engine/prng.js';
import { diffExports, manualPair, replayProblems, runPair } from './sim.mjs';

const MAX_STEPS = 150;
const EPISODES = 2;

function assertParity(result, seed) {
  const [a, b] = result.peers;
  assert.equal(a.session.done && b.session.done, true, `seed ${seed}: both peers finished`);
  for (const peer of [a, b]) {
    assert.equal(peer.episodes.length, EPISODES);
    assert.deepEqual(
      peer.episodes.map((rows) => rows.length),
      Array(EPISODES).fill(MAX_STEPS),
    );
    assert.deepEqual(replayProblems(seed, MAX_STEPS, peer.episodes), []);
  }
  assert.deepEqual(diffExports(a.episodes, b.episodes), []);
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`random inputs, 0-150 ms latency + jitter, 0-10% loss (seed ${seed})`, () => {
    const rng = new Rng(seed * 1000 + 17);
    const link = () => ({ latencyMs: rng.int(151), jitterMs: rng.int(60), loss: rng.int(11) / 100 });
    const links = [link(), link()];
    const startOffsetsMs = [rng.int(200), rng.int(200)];
    const result = runPair({ seed, maxSteps: MAX_STEPS, episodes: EPISODES, links, startOffsetsMs });
    assertParity(result, seed);
    const rollbacks = result.peers.map((p) => p.session.rollbackCount);
    assert.ok(rollbacks[0] + rollbacks[1] > 0, `rollbacks happened: ${rollbacks}`);
    if (links[0].loss + links[1].loss > 0) assert.ok(result.network.stats.dropped > 0);
    const rows = result.peers[0].episodes.flat();
    assert.ok(rows.every((r) => r['isFocused.0'] === 1 && r['isFocused.1'] === 1));
    const speculative = result.peers.map((p) => p.episodes.flat().filter((r) => r.wasSpeculative === 1).length);
    assert.ok(speculative[0] + speculative[1] > 0, 'some frames were first simulated on a prediction');
  });
}

test('heavy duplication and reordering (300 ms jitter, 30% duplicates, 10% loss)', () => {
  const link = { latencyMs: 20, jitterMs: 300, loss: 0.1, duplicate: 0.3 };
  const result = runPair({ seed: 77, maxSteps: MAX_STEPS, episodes: EPISODES, link });
  assert.ok(result.network.stats.duplicated > 50, JSON.stringify(result.network.stats));
  assert.ok(result.network.stats.reordered > 50, JSON.stringify(result.network.stats));
  assertParity(result, 77);
});

test('a finished peer that no longer ticks answers packets until its partner has every input', () => {
  const pair = manualPair({ seed: 5, maxSteps: 60 });
  const [a, b] = pair.sessions;
  const script = (p) => (pair.ticks * (p + 1)) % 6;
  for (let i = 0; i < 200 && !a.done; i += 1) {
    pair.tickBoth([script, script]);
    pair.deliver(1);
    if (a.frame <= 50) pair.deliver(0);
    else pair.outbox[0] = []; // everything A sends from frame 50 on is lost
  }
  assert.equal(a.done, true);
  assert.equal(b.done, false, 'B still lacks the last inputs of A');
  pair.outbox[0] = [];
  let answers = 0;
  for (let i = 0; i < 10 && !b.done; i += 1) {
    b.tick(0, 5000 + i);
    pair.deliver(1); // B -> A; A never ticks again, so it can only answer from receive()
    answers += pair.outbox[0].length;
    pair.deliver(0);
  }
  assert.ok(answers > 0);
  assert.equal(b.done, true);
  assert.equal(pair.episodes[1][0].length, 60);
  assert.deepEqual(diffExports(pair.episodes[0], pair.episodes[1]), []);
});

test('lossy network with start offset: the peer that finishes first stops ticking', () => {
  // Peer 1's packets are lost 60% of the time; peer 0 finishes first and then only
  // receives (the simulator stops ticking finished peers), yet peer 1 still completes.
  const result = runPair({
    seed: 31,
    maxSteps: 60,
    episodes: 1,
    links: [{ latencyMs: 30, jitterMs: 10, loss: 0.6 }, { latencyMs: 30, jitterMs: 10, loss: 0.6 }],
    startOffsetsMs: [0, 400],
  });
  const [a, b] = result.peers;
  assert.ok(a.gameEndMs !== null && b.gameEndMs !== null);
  assert.deepEqual(diffExports(a.episodes, b.episodes), []);
  assert.equal(a.episodes[0].length, 60);
});

test('time sync: a peer that started 500 ms early settles within a few frames of its partner', () => {
  const result = runPair({ seed: 9, maxSteps: 300, link: { latencyMs: 30, jitterMs: 10 }, startOffsetsMs: [0, 500] });
  const [early, late] = result.peers;
  const frameAt = (peer, t) => peer.ticks.filter((k) => k.at <= t).at(-1)?.frame ?? 0;
  const gaps = early.ticks.filter((k) => k.at > 5000 && !k.done).map((k) => k.frame - frameAt(late, k.at));
  assert.ok(gaps.length > 100);
  assert.ok(Math.max(...gaps) <= 4, `early peer stays ahead by at most 4 frames, got ${Math.max(...gaps)}`);
  assert.deepEqual(diffExports(early.episodes, late.episodes), []);
});
