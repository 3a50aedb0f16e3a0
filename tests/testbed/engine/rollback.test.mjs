// Seed 004: snapshots re-saved during a rollback replay must hold THAT frame's own
// step number and cumulative rewards, or a later rollback to such a snapshot
// restores a wrong step_num and the peers end the episode on different rows.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Session } from '../../../testbed/static/js/engine/session.js';
import { diffExports, greedyAction, manualPair, replayProblems, snapshotProblems } from './sim.mjs';

const SEED = 1;
const MAX_STEPS = 90;
const WARMUP_TICKS = 6; // with SEED, a reward falls inside a replayed window (asserted below)

const lastInputFrame = (packet) => packet.s + packet.a.length - 1;

/**
 * Peer 0 (A) plays a path-finding bot; peer 1 (B) alternates bot moves and no-ops, so
 * A's prediction (repeat B's last input) is wrong on most frames. A's packets reach B
 * at once; B's packets are held and then released late, one at a time, each covering
 * only part of what A already predicted. Each release rolls A back to a frame whose
 * snapshot was re-saved by the previous replay: cascading, overlapping rollbacks.
 */
function cascadingScenario(classes) {
  const pair = manualPair({ seed: SEED, maxSteps: MAX_STEPS, classes }); // time sync off: exact frame arithmetic
  const [a] = pair.sessions;
  const alice = (p, s) => greedyAction(s.view(), p);
  const bob = (p, s) => (s.frame % 2 === 0 ? greedyAction(s.view(), p) : 0);
  const snapshotChecks = [];
  const check = () => snapshotChecks.push(...snapshotProblems(a));
  const run = (ticks, deliverB) => {
    for (let i = 0; i < ticks; i += 1) {
      pair.tickBoth([alice, bob]);
      pair.deliver(0);
      if (deliverB) pair.deliver(1);
      check();
    }
  };
  const releaseLatestUpTo = (frame) => {
    const candidates = pair.outbox[1].filter((pk) => lastInputFrame(pk) <= frame);
    const latest = candidates.reduce((x, y) => (lastInputFrame(y) > lastInputFrame(x) ? y : x));
    pair.deliver(1, (pk) => pk === latest);
  };

  run(WARMUP_TICKS, true);
  const phases = [];
  let previouslyResaved = new Set();
  for (const [ticks, lag] of [
    [12, 7],
    [4, 6],
    [3, 4],
  ]) {
    run(ticks, false);
    const before = new Map(a.inspectSnapshots());
    const rollbacksBefore = a.rollbackCount;
    releaseLatestUpTo(a.frame - lag);
    check();
    const resaved = a
      .inspectSnapshots()
      .filter(([f, snap]) => before.has(f) && before.get(f) !== snap)
      .map(([f]) => f);
    const rewardsInWindow = new Set(a.inspectSnapshots().map(([, s]) => s.players[0].cumReward + s.players[1].cumReward));
    phases.push({
      rollbacks: a.rollbackCount - rollbacksBefore,
      target: a.lastRollback.frame,
      targetWasResaved: previouslyResaved.has(a.lastRollback.frame),
      resaved,
      rewardChangesInWindow: rewardsInWindow.size > 1,
    });
    previouslyResaved = new Set(resaved);
  }
  // Old, already superseded packets arrive late (reordering + duplication), then normal play.
  pair.deliver(1);
  check();
  for (let i = 0; i < 400 && !pair.sessions.every((s) => s.done); i += 1) run(1, true);
  return { pair, phases, snapshotChecks };
}

test('seed 004: cascading rollbacks re-save per-frame snapshots; peers end at exactly maxSteps rows', () => {
  const { pair, phases, snapshotChecks } = cascadingScenario([Session, Session]);

  // The scenario really is the seed-004 shape: three single rollbacks, the 2nd and 3rd
  // restoring snapshots re-saved by the replay before, with rewards inside the windows.
  assert.deepEqual(
    phases.map((p) => p.rollbacks),
    [1, 1, 1],
  );
  assert.equal(phases[1].targetWasResaved, true, JSON.stringify(phases));
  assert.equal(phases[2].targetWasResaved, true, JSON.stringify(phases));
  assert.ok(phases.every((p) => p.resaved.length > 0));
  assert.ok(phases.some((p) => p.rewardChangesInWindow), 'a reward must happen inside a replay window');

  // Every stored snapshot, checked after every tick and release: stepNum = frame - episode
  // start, and state (cumulative rewards included) = from-scratch confirmed simulation.
  assert.deepEqual(snapshotChecks, []);

  const [a, b] = pair.sessions;
  assert.equal(a.done && b.done, true);
  assert.equal(pair.episodes[0][0].length, MAX_STEPS);
  assert.equal(pair.episodes[1][0].length, MAX_STEPS);
  assert.deepEqual(diffExports(pair.episodes[0], pair.episodes[1]), []);
  assert.deepEqual(replayProblems(SEED, MAX_STEPS, pair.episodes[0]), []);
  assert.ok(a.rollbackCount >= 3 && a.maxRollbackDepth >= 4);
  assert.ok(pair.episodes[0][0].some((r) => r.rollbackEvents >= 2), 'some frame was replayed more than once');
});

/**
 * The seed-004 bug, reproduced outside production code: after the replay, re-saved
 * snapshots carry the end-of-replay step number and cumulative rewards instead of their
 * own frame's. (The original trace stored the restored, stale step_num; either way the
 * snapshot of frame f no longer has stepNum f - episodeStart.)
 */
class Seed004Session extends Session {
  rollback(target) {
    const end = this.frame;
    super.rollback(target);
    const final = this.state;
    for (let f = target + 1; f < end; f += 1) {
      const snap = this.snapshots.get(f);
      this.snapshots.set(
        f,
        Object.freeze({
          ...snap,
          stepNum: final.stepNum,
          players: Object.freeze(
            snap.players.map((p, i) => Object.freeze({ ...p, cumReward: final.players[i].cumReward })),
          ),
        }),
      );
    }
  }
}

test('the seed-004 test fails against a session with the seed-004 snapshot bug', () => {
  // Why the previous test would catch it: right after the first replay, snapshot f holds
  // stepNum (end - start) instead of (f - start), so snapshotProblems reports it. The next
  // rollback restores such a snapshot, so A's stepNum runs ahead of its frame; A reaches
  // maxSteps early (episode end is decided on the state's stepNum, as in the original),
  // exports fewer than maxSteps rows with wrong `t` values, and parity breaks.
  const { pair, snapshotChecks } = cascadingScenario([Seed004Session, Session]);
  assert.ok(snapshotChecks.some((p) => /stepNum/.test(p)), 'wrong stepNum detected');
  assert.ok(snapshotChecks.some((p) => /cumReward/.test(p)), 'wrong cumulative reward detected');
  const rowsA = pair.episodes[0][0] ?? [];
  assert.notEqual(rowsA.length, MAX_STEPS);
  assert.notDeepEqual(diffExports(pair.episodes[0], pair.episodes[1]), []);
});
