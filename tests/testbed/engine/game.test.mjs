import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Rng, deriveSeed, nextInt, nextU32 } from '../../../testbed/static/js/engine/prng.js';
import {
  DELIVERY_REWARD,
  PICKUP_REWARD,
  cloneState,
  deserializeState,
  describe,
  episodeSeed,
  hashState,
  initialState,
  parseLayout,
  serializeState,
  step,
} from '../../../testbed/static/js/engine/game.js';

function hashSequence(seed, actionSeed, steps) {
  const rng = new Rng(actionSeed);
  let state = initialState(seed);
  const hashes = [hashState(state)];
  for (let i = 0; i < steps; i += 1) {
    state = step(state, [rng.int(6), rng.int(6)]);
    hashes.push(hashState(state));
  }
  return { hashes, state };
}

test('prng: same seed, same sequence; different seeds differ; values in range', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const seqA = Array.from({ length: 200 }, () => a.u32());
  const seqB = Array.from({ length: 200 }, () => b.u32());
  const seqC = Array.from({ length: 200 }, () => c.u32());
  assert.deepEqual(seqA, seqB);
  assert.notDeepEqual(seqA, seqC);
  assert.ok(seqA.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
  assert.ok(new Set(seqA).size > 195, 'no short cycles');
  // Pure step function: the state is a plain integer that can live in the game state.
  assert.deepEqual(nextU32(7), nextU32(7));
  const counts = new Array(7).fill(0);
  let s = 1;
  for (let i = 0; i < 7000; i += 1) {
    const [v, next] = nextInt(s, 7);
    counts[v] += 1;
    s = next;
  }
  assert.ok(counts.every((n) => n > 850 && n < 1150), `roughly uniform: ${counts}`);
  assert.throws(() => nextInt(1, 0), RangeError);
});

test('prng: derived seeds depend on every part and on order', () => {
  assert.equal(deriveSeed(1, 2), deriveSeed(1, 2));
  assert.notEqual(deriveSeed(1, 2), deriveSeed(2, 1));
  assert.notEqual(deriveSeed(1, 2), deriveSeed(1, 3));
  const episodeSeeds = new Set(Array.from({ length: 50 }, (_, e) => episodeSeed(9, e)));
  assert.equal(episodeSeeds.size, 50);
});

test('game: same seed and inputs give the same hash sequence; other seeds or inputs differ', () => {
  const first = hashSequence(5, 99, 300);
  const again = hashSequence(5, 99, 300);
  assert.deepEqual(again.hashes, first.hashes);
  assert.equal(serializeState(again.state), serializeState(first.state));
  assert.notDeepEqual(hashSequence(6, 99, 300).hashes, first.hashes);
  assert.notDeepEqual(hashSequence(5, 98, 300).hashes, first.hashes);
  assert.equal(first.state.stepNum, 300);
  assert.ok(first.hashes.every((h) => Number.isInteger(h) && h >= 0 && h < 2 ** 32));
});

test('game: step is pure, states are frozen, serialisation round-trips', () => {
  const s0 = initialState(3);
  const before = serializeState(s0);
  const s1 = step(s0, [4, 3]);
  assert.equal(serializeState(s0), before);
  assert.ok(Object.isFrozen(s0) && Object.isFrozen(s0.players) && Object.isFrozen(s0.players[0]));
  assert.throws(() => {
    s0.players[0].x = 5;
  }, TypeError);
  const copy = deserializeState(serializeState(s1));
  assert.equal(hashState(copy), hashState(s1));
  assert.equal(serializeState(cloneState(s1)), serializeState(s1));
  assert.deepEqual(step(copy, [1, 2]), step(s1, [1, 2]));
  assert.throws(() => step(s0, [0, 6]), RangeError);
  assert.throws(() => step(s0, [0]), TypeError);
});

const TINY = ['0.G', '#.1'];

test('game: walls and edges block, contested cells and swaps are refused', () => {
  const s = initialState(1, { layout: TINY }); // p0 (0,0), goal (2,0), p1 (2,1), wall (0,1)
  const blocked = step(s, [2, 4]); // p0 down into wall, p1 right off the grid
  assert.deepEqual(
    blocked.players.map((p) => [p.x, p.y]),
    [
      [0, 0],
      [2, 1],
    ],
  );
  const moved = step(step(s, [4, 0]), [0, 3]); // p0 to (1,0); p1 to (1,1)
  assert.deepEqual(
    moved.players.map((p) => [p.x, p.y]),
    [
      [1, 0],
      [1, 1],
    ],
  );
  const swap = step(moved, [2, 1]);
  assert.deepEqual(swap.players, moved.players.map((p, i) => ({ ...p, action: [2, 1][i] })));
  const contest = step(step(s, [0, 1]), [4, 3]); // p1 to (2,0); both want (1,0)
  assert.deepEqual(
    contest.players.map((p) => [p.x, p.y]),
    [
      [0, 0],
      [2, 0],
    ],
  );
  const adjacent = step(s, [4, 1]); // p0 (1,0), p1 (2,0)
  const follow = step(adjacent, [4, 2]); // p0 enters (2,0) as p1 leaves it for (2,1)
  assert.deepEqual(
    follow.players.map((p) => [p.x, p.y]),
    [
      [2, 0],
      [2, 1],
    ],
  );
  const bump = step(adjacent, [4, 0]); // p1 stays: p0 may not enter
  assert.deepEqual(bump.players[0], { ...adjacent.players[0], action: 4 });
});

test('game: pick up with interact, deliver at the goal, item respawns elsewhere', () => {
  const layout = ['0....', '..G..', '....1'];
  let s = initialState(11, { layout });
  const stepsTo = (state, player, tx, ty) => {
    let st = state;
    for (let guard = 0; guard < 20; guard += 1) {
      const p = st.players[player];
      if (p.x === tx && p.y === ty) return st;
      const a = [0, 0];
      if (p.x < tx) a[player] = 4;
      else if (p.x > tx) a[player] = 3;
      else a[player] = p.y < ty ? 2 : 1;
      st = step(st, a);
    }
    throw new Error('did not arrive');
  };
  const interact = (state, player) => step(state, player === 0 ? [5, 0] : [0, 5]);
  const noPickup = interact(s, 0);
  assert.equal(noPickup.players[0].holding, 0, 'interact away from the item does nothing');
  assert.equal(noPickup.players[0].reward, 0);
  const { itemX, itemY } = s;
  s = stepsTo(s, 0, itemX, itemY);
  s = interact(s, 0);
  assert.equal(s.players[0].holding, 1);
  assert.equal(s.players[0].reward, PICKUP_REWARD);
  assert.ok(s.itemX !== itemX || s.itemY !== itemY, 'a new item appears');
  s = stepsTo(s, 0, 2, 1);
  s = interact(s, 0);
  assert.equal(s.players[0].holding, 0);
  assert.equal(s.players[0].reward, DELIVERY_REWARD);
  assert.equal(s.players[0].cumReward, PICKUP_REWARD + DELIVERY_REWARD);
  assert.equal(s.score, 1);
  assert.equal(s.players[1].cumReward, 0);
});

test('game: layout errors say what is wrong; view describes a drawable state', () => {
  assert.throws(() => parseLayout(['0.G', '#1']), /row 1 has 2 cells, expected 3/);
  assert.throws(() => parseLayout(['0.G', 'x.1']), /'x'/);
  assert.throws(() => parseLayout(['0..', '..1']), /goal/);
  const view = describe(initialState(1));
  assert.equal(view.width, 9);
  assert.equal(view.height, 7);
  assert.equal(view.players.length, 2);
  assert.ok(view.walls.length > 0 && view.walls.every((w) => Number.isInteger(w.x) && Number.isInteger(w.y)));
  const wallKeys = new Set(view.walls.map((w) => `${w.x},${w.y}`));
  assert.ok(!wallKeys.has(`${view.item.x},${view.item.y}`), 'item never on a wall');
});
