// The deterministic simulation: a two-player pick-up-and-deliver grid game.
// Integer arithmetic only; states are deeply frozen plain objects, so a state
// can be kept as a snapshot without copying and can never be mutated by mistake.

import { deriveSeed, nextInt } from './prng.js';

export const NUM_PLAYERS = 2;
export const NUM_ACTIONS = 6;
export const ACTION = Object.freeze({ NOOP: 0, UP: 1, DOWN: 2, LEFT: 3, RIGHT: 4, INTERACT: 5 });
export const PICKUP_REWARD = 1;
export const DELIVERY_REWARD = 10;

// '#' wall, 'G' goal, '0'/'1' player starts, '.' floor.
export const DEFAULT_LAYOUT = Object.freeze([
  '.........',
  '.##...##.',
  '....#....',
  '0.#.G.#.1',
  '....#....',
  '.##...##.',
  '.........',
]);

const MOVES = [
  [0, 0],
  [0, -1],
  [0, 1],
  [-1, 0],
  [1, 0],
  [0, 0],
];

const levelCache = new Map();

/** Parse (and cache) a layout into a frozen level description. */
export function parseLayout(rows) {
  const key = rows.join('/');
  const cached = levelCache.get(key);
  if (cached) return cached;
  const height = rows.length;
  const width = height > 0 ? rows[0].length : 0;
  if (width === 0) throw new Error('layout must have at least one row and column');
  const wall = [];
  const wallCells = [];
  const starts = [null, null];
  let goal = null;
  rows.forEach((row, y) => {
    if (row.length !== width) throw new Error(`layout row ${y} has ${row.length} cells, expected ${width}`);
    [...row].forEach((ch, x) => {
      wall.push(ch === '#' ? 1 : 0);
      if (ch === '#') wallCells.push(Object.freeze([x, y]));
      else if (ch === 'G') {
        if (goal) throw new Error('layout has more than one goal G');
        goal = Object.freeze({ x, y });
      } else if (ch === '0' || ch === '1') {
        if (starts[+ch]) throw new Error(`layout has more than one start ${ch}`);
        starts[+ch] = Object.freeze({ x, y });
      } else if (ch !== '.') {
        throw new Error(`layout cell (${x},${y}) is '${ch}'; use one of . # G 0 1`);
      }
    });
  });
  if (!goal || !starts[0] || !starts[1]) throw new Error('layout needs one goal G and starts 0 and 1');
  const level = Object.freeze({
    key,
    rows: Object.freeze([...rows]),
    keyHash: hashString(key),
    width,
    height,
    wall: Object.freeze(wall),
    wallCells: Object.freeze(wallCells),
    goal,
    starts: Object.freeze(starts),
  });
  levelCache.set(key, level);
  return level;
}

/** Seed of episode `episode` of a game seeded with `gameSeed`. */
export function episodeSeed(gameSeed, episode) {
  return deriveSeed(gameSeed, episode);
}

function isBlocked(level, x, y) {
  return x < 0 || y < 0 || x >= level.width || y >= level.height || level.wall[y * level.width + x] === 1;
}

function freezePlayer(p) {
  return Object.freeze({
    x: p.x,
    y: p.y,
    holding: p.holding,
    action: p.action,
    reward: p.reward,
    cumReward: p.cumReward,
  });
}

function freezeState(s) {
  return Object.freeze({
    level: s.level,
    stepNum: s.stepNum,
    rng: s.rng >>> 0,
    players: Object.freeze(s.players.map(freezePlayer)),
    itemX: s.itemX,
    itemY: s.itemY,
    score: s.score,
  });
}

/** Place the item on a PRNG-chosen free cell: not a wall, the goal, a player or the old item cell. */
function spawnItem(level, players, rng, oldX, oldY) {
  const free = [];
  for (let y = 0; y < level.height; y += 1) {
    for (let x = 0; x < level.width; x += 1) {
      if (isBlocked(level, x, y)) continue;
      if (x === level.goal.x && y === level.goal.y) continue;
      if (x === oldX && y === oldY) continue;
      if (players.some((p) => p.x === x && p.y === y)) continue;
      free.push(y * level.width + x);
    }
  }
  const [index, next] = nextInt(rng, free.length);
  const cell = free[index];
  return { x: cell % level.width, y: Math.floor(cell / level.width), rng: next };
}

/** Fresh state at step 0 of an episode. `config.layout` optionally replaces the default layout. */
export function initialState(seed, config = {}) {
  const level = parseLayout(config.layout ?? DEFAULT_LAYOUT);
  const players = level.starts.map((s) => ({ x: s.x, y: s.y, holding: 0, action: 0, reward: 0, cumReward: 0 }));
  const item = spawnItem(level, players, seed >>> 0, -1, -1);
  return freezeState({ level, stepNum: 0, rng: item.rng, players, itemX: item.x, itemY: item.y, score: 0 });
}

function checkActions(actions) {
  if (!Array.isArray(actions) || actions.length !== NUM_PLAYERS) {
    throw new TypeError(`step needs ${NUM_PLAYERS} actions, got ${JSON.stringify(actions)}`);
  }
  for (const a of actions) {
    if (!Number.isInteger(a) || a < 0 || a >= NUM_ACTIONS) {
      throw new RangeError(`action must be an integer 0..${NUM_ACTIONS - 1}, got ${a}`);
    }
  }
}

const sameCell = (a, b) => a.x === b.x && a.y === b.y;

/** Simultaneous moves: walls block, nobody enters an occupied or contested cell, no swaps. */
function resolveMoves(level, players, actions) {
  const from = players.map((p) => ({ x: p.x, y: p.y }));
  const to = players.map((p, i) => {
    const [dx, dy] = MOVES[actions[i]];
    const nx = p.x + dx;
    const ny = p.y + dy;
    return isBlocked(level, nx, ny) ? { x: p.x, y: p.y } : { x: nx, y: ny };
  });
  for (let pass = 0; pass < NUM_PLAYERS + 1; pass += 1) {
    if (sameCell(to[0], to[1])) {
      for (let i = 0; i < NUM_PLAYERS; i += 1) to[i] = from[i];
    }
    if (sameCell(to[0], from[1]) && sameCell(to[1], from[0])) {
      to[0] = from[0];
      to[1] = from[1];
    }
  }
  return to;
}

/** Pure transition: returns a new frozen state one step later. */
export function step(state, actions) {
  checkActions(actions);
  const { level } = state;
  const cells = resolveMoves(level, state.players, actions);
  const players = state.players.map((p, i) => ({
    x: cells[i].x,
    y: cells[i].y,
    holding: p.holding,
    action: actions[i],
    reward: 0,
    cumReward: p.cumReward,
  }));
  let { rng, itemX, itemY, score } = state;
  for (let i = 0; i < NUM_PLAYERS; i += 1) {
    if (actions[i] !== ACTION.INTERACT) continue;
    const p = players[i];
    if (!p.holding && p.x === itemX && p.y === itemY) {
      p.holding = 1;
      p.reward += PICKUP_REWARD;
      const item = spawnItem(level, players, rng, itemX, itemY);
      ({ rng } = item);
      itemX = item.x;
      itemY = item.y;
    } else if (p.holding && p.x === level.goal.x && p.y === level.goal.y) {
      p.holding = 0;
      p.reward += DELIVERY_REWARD;
      score += 1;
    }
  }
  for (const p of players) p.cumReward += p.reward;
  return freezeState({ level, stepNum: state.stepNum + 1, rng, players, itemX, itemY, score });
}

function hashString(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** The integers that define a state, in a fixed order (the basis of hash and equality). */
export function stateWords(state) {
  const words = [state.level.keyHash, state.stepNum, state.rng];
  for (const p of state.players) words.push(p.x, p.y, p.holding, p.action, p.reward, p.cumReward);
  words.push(state.itemX, state.itemY, state.score);
  return words;
}

/** Stable 32-bit unsigned FNV-1a hash over the state's integers, byte by byte. */
export function hashState(state) {
  let h = 0x811c9dc5;
  for (const word of stateWords(state)) {
    for (let shift = 0; shift < 32; shift += 8) {
      h = Math.imul(h ^ ((word >>> shift) & 0xff), 0x01000193);
    }
  }
  return h >>> 0;
}

/** Stable serialisation: same state, same string, on every engine. */
export function serializeState(state) {
  return JSON.stringify({
    layout: state.level.rows,
    stepNum: state.stepNum,
    rng: state.rng,
    players: state.players.map((p) => ({
      x: p.x,
      y: p.y,
      holding: p.holding,
      action: p.action,
      reward: p.reward,
      cumReward: p.cumReward,
    })),
    itemX: state.itemX,
    itemY: state.itemY,
    score: state.score,
  });
}

/** Inverse of serializeState. */
export function deserializeState(text) {
  const raw = JSON.parse(text);
  return freezeState({ ...raw, level: parseLayout(raw.layout) });
}

/** Independent deep copy (states are frozen, so this is only needed to cross a boundary). */
export function cloneState(state) {
  return deserializeState(serializeState(state));
}

/** Per-player and item columns of an export row, in the fixed column order. */
export function stateColumns(state) {
  const row = {};
  state.players.forEach((p, i) => {
    row[`x.${i}`] = p.x;
    row[`y.${i}`] = p.y;
    row[`holding.${i}`] = p.holding;
    row[`action.${i}`] = p.action;
    row[`reward.${i}`] = p.reward;
    row[`cumReward.${i}`] = p.cumReward;
  });
  row.itemX = state.itemX;
  row.itemY = state.itemY;
  row.score = state.score;
  return row;
}

/** Drawable description of a state for a canvas renderer. */
export function describe(state) {
  const { level } = state;
  return {
    width: level.width,
    height: level.height,
    walls: level.wallCells.map(([x, y]) => ({ x, y })),
    goal: { x: level.goal.x, y: level.goal.y },
    players: state.players.map((p) => ({ x: p.x, y: p.y, holding: p.holding })),
    item: { x: state.itemX, y: state.itemY },
    score: state.score,
    stepNum: state.stepNum,
  };
}
