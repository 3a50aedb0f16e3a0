// Deterministic two-peer simulator for the engine tests: two Sessions, a seeded
// virtual network (latency, jitter, loss, duplication; reordering follows from
// jitter), a virtual clock ticking both peers at fps, scripted focus changes and
// input policies. Plus the oracles the tests check against.

import { Rng } from '../../../testbed/static/js/engine/prng.js';
import { Session } from '../../../testbed/static/js/engine/session.js';
import { episodeSeed, hashState, initialState, step } from '../../../testbed/static/js/engine/game.js';
import { actionOf } from '../../../testbed/static/js/engine/inputs.js';
import { GAME_STATE_COLUMNS, ROW_COLUMNS } from '../../../testbed/static/js/engine/recorder.js';

export class VirtualNetwork {
  /** links[from] = { latencyMs, jitterMs, loss, duplicate } for packets sent by player `from`. */
  constructor(seed, links) {
    this.rng = new Rng(seed);
    this.links = links;
    this.queue = [];
    this.seq = 0;
    this.stats = { sent: 0, dropped: 0, duplicated: 0, delivered: 0, reordered: 0 };
    this.lastDeliveredSeq = [-1, -1];
  }

  send(from, packet, nowMs) {
    const link = this.links[from];
    this.stats.sent += 1;
    const text = JSON.stringify(packet); // what a real transport does
    if (this.rng.float() < (link.loss ?? 0)) {
      this.stats.dropped += 1;
      return;
    }
    const copies = this.rng.float() < (link.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.stats.duplicated += 1;
    for (let c = 0; c < copies; c += 1) {
      const at = nowMs + (link.latencyMs ?? 0) + this.rng.int((link.jitterMs ?? 0) + 1);
      this.queue.push({ at, seq: this.seq, to: 1 - from, text });
      this.seq += 1;
    }
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  nextAt() {
    return this.queue.length ? this.queue[0].at : Infinity;
  }

  pop() {
    const msg = this.queue.shift();
    this.stats.delivered += 1;
    if (msg.seq < this.lastDeliveredSeq[msg.to]) this.stats.reordered += 1;
    this.lastDeliveredSeq[msg.to] = Math.max(this.lastDeliveredSeq[msg.to], msg.seq);
    return msg;
  }
}

const NEIGHBOURS = [
  [1, 0, -1],
  [2, 0, 1],
  [3, -1, 0],
  [4, 1, 0],
];

/** A bot: shortest path to the item (or to the goal when holding), interact on arrival. */
export function greedyAction(view, player) {
  const me = view.players[player];
  const target = me.holding ? view.goal : view.item;
  if (me.x === target.x && me.y === target.y) return 5;
  const blocked = new Set(view.walls.map((w) => `${w.x},${w.y}`));
  const seen = new Map([[`${target.x},${target.y}`, 0]]);
  let frontier = [target];
  while (frontier.length && !seen.has(`${me.x},${me.y}`)) {
    const next = [];
    for (const c of frontier) {
      for (const [, dx, dy] of NEIGHBOURS) {
        const x = c.x + dx;
        const y = c.y + dy;
        const key = `${x},${y}`;
        if (x < 0 || y < 0 || x >= view.width || y >= view.height || blocked.has(key) || seen.has(key)) continue;
        seen.set(key, seen.get(`${c.x},${c.y}`) + 1);
        next.push({ x, y });
      }
    }
    frontier = next;
  }
  const here = seen.get(`${me.x},${me.y}`);
  for (const [action, dx, dy] of NEIGHBOURS) {
    const d = seen.get(`${me.x + dx},${me.y + dy}`);
    if (d !== undefined && d < here) return action;
  }
  return 0;
}

/** Mostly the bot, sometimes a random held key: rewards happen and predictions fail. */
export function mixedPolicy(randomShare = 0.3) {
  const held = [0, 0];
  return (player, tickIndex, session, rng) => {
    if (rng.float() < randomShare) held[player] = rng.int(6);
    else if (rng.float() < 0.5) held[player] = greedyAction(session.view(), player);
    return held[player];
  };
}

/**
 * Run two peers until both finished the game or maxMs passed.
 * focusEvents: [{ player, atMs, focused }]. Returns per-peer records.
 */
export function runPair(options) {
  const {
    seed = 1,
    maxSteps = 90,
    episodes = 1,
    inputDelay = 2,
    fps = 30,
    link = {},
    links = [link, link],
    netSeed = seed,
    policy = mixedPolicy(),
    policySeed = seed + 7,
    focusEvents = [],
    startOffsetsMs = [0, 0],
    maxMs = 120_000,
    stopTickingWhenDone = true,
    sessionOptions = {},
  } = options;
  const network = new VirtualNetwork(netSeed, links);
  const rng = new Rng(policySeed);
  let now = 0;
  const peers = [0, 1].map((p) => {
    const session = new Session({
      playerIndex: p,
      seed,
      maxSteps,
      episodes,
      inputDelay,
      meta: { gameId: `game-${seed}`, sceneId: 'scene', subjectId: `s${p}`, experimentId: 'exp' },
      ...sessionOptions,
    });
    const record = { session, episodes: [], episodeEndMs: [], gameEndMs: null, ticks: [], tickIndex: 0 };
    session.onSend = (packet) => network.send(p, packet, now);
    session.onEpisodeEnd = (episode, rows) => {
      record.episodes[episode] = rows;
      record.episodeEndMs[episode] = now;
    };
    session.onGameEnd = () => {
      record.gameEndMs = now;
    };
    return record;
  });
  const pendingFocus = [...focusEvents].sort((a, b) => a.atMs - b.atMs);
  const frameMs = 1000 / fps;
  const tickAt = (p) => {
    const r = peers[p];
    if (stopTickingWhenDone && r.session.done) return Infinity;
    return startOffsetsMs[p] + Math.floor(r.tickIndex * frameMs);
  };
  while (peers.some((r) => r.gameEndMs === null)) {
    const focusAt = pendingFocus.length ? pendingFocus[0].atMs : Infinity;
    const packetAt = network.nextAt();
    const t0 = tickAt(0);
    const t1 = tickAt(1);
    const next = Math.min(focusAt, packetAt, t0, t1);
    if (next > maxMs) break;
    now = next;
    if (focusAt === next) {
      const ev = pendingFocus.shift();
      peers[ev.player].session.setFocused(ev.focused, now);
    } else if (packetAt === next) {
      const msg = network.pop();
      peers[msg.to].session.receive(JSON.parse(msg.text), now);
    } else {
      const p = t0 === next ? 0 : 1;
      const r = peers[p];
      const action = policy(p, r.tickIndex, r.session, rng);
      const advanced = r.session.tick(action, now);
      r.ticks.push({ at: now, advanced, frame: r.session.frame, focused: r.session.focused, done: r.session.done });
      r.tickIndex += 1;
    }
  }
  return { peers, network, now };
}

/** Game-state differences between two peers' exports: [] when identical. */
export function diffExports(rowsA, rowsB) {
  const problems = [];
  if (rowsA.length !== rowsB.length) problems.push(`episode count ${rowsA.length} vs ${rowsB.length}`);
  for (let e = 0; e < Math.min(rowsA.length, rowsB.length); e += 1) {
    const a = rowsA[e] ?? [];
    const b = rowsB[e] ?? [];
    if (a.length !== b.length) problems.push(`episode ${e}: ${a.length} vs ${b.length} rows`);
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      for (const col of GAME_STATE_COLUMNS) {
        if (a[i][col] !== b[i][col]) problems.push(`episode ${e} row ${i} ${col}: ${a[i][col]} vs ${b[i][col]}`);
      }
    }
  }
  return problems;
}

/** Check one peer's rows against a from-scratch simulation of the exported actions. */
export function replayProblems(seed, maxSteps, episodesRows) {
  const problems = [];
  let frame = 0;
  episodesRows.forEach((rows, e) => {
    if (rows.length !== maxSteps) problems.push(`episode ${e}: ${rows.length} rows, expected ${maxSteps}`);
    let state = initialState(episodeSeed(seed, e));
    rows.forEach((row, i) => {
      if (Object.keys(row).join() !== ROW_COLUMNS.join()) problems.push(`episode ${e} row ${i}: column order`);
      if (row.episode !== e || row.t !== i || row.frame !== frame) {
        problems.push(`episode ${e} row ${i}: episode/t/frame ${row.episode}/${row.t}/${row.frame}`);
      }
      state = step(state, [row['action.0'], row['action.1']]);
      if (row.stateHash !== hashState(state)) problems.push(`episode ${e} row ${i}: stateHash`);
      for (const [p, pl] of state.players.entries()) {
        if (row[`cumReward.${p}`] !== pl.cumReward) problems.push(`episode ${e} row ${i}: cumReward.${p}`);
      }
      for (const [col, value] of Object.entries(row)) {
        if (!(Number.isInteger(value) || typeof value === 'string')) problems.push(`row ${i} ${col}=${value}`);
      }
      frame += 1;
    });
  });
  return problems;
}

/**
 * Every stored snapshot must be the state at the start of its own frame: step number
 * frame - episodeStartFrame, and, where every earlier input is confirmed, exactly the
 * state of a from-scratch simulation of the confirmed inputs (cumulative rewards included).
 */
export function snapshotProblems(session) {
  const problems = [];
  const start = session.episodeStartFrame;
  const settled = Math.min(session.inputs.confirmedThrough(0), session.inputs.confirmedThrough(1)) + 1;
  let oracle = initialState(episodeSeed(session.seed, session.episode));
  let oracleFrame = start;
  for (const [frame, snap] of session.inspectSnapshots()) {
    if (frame < start) {
      problems.push(`snapshot of frame ${frame} predates episode start ${start}`);
      continue;
    }
    if (snap.stepNum !== frame - start) {
      problems.push(`snapshot ${frame}: stepNum ${snap.stepNum}, expected ${frame - start}`);
    }
    if (frame > settled) continue;
    while (oracleFrame < frame) {
      const codes = [session.inputs.get(0, oracleFrame), session.inputs.get(1, oracleFrame)];
      oracle = step(oracle, codes.map(actionOf));
      oracleFrame += 1;
    }
    snap.players.forEach((p, i) => {
      if (p.cumReward !== oracle.players[i].cumReward) {
        problems.push(`snapshot ${frame}: cumReward.${i} ${p.cumReward}, expected ${oracle.players[i].cumReward}`);
      }
    });
    if (hashState(snap) !== hashState(oracle)) problems.push(`snapshot ${frame}: state differs from confirmed simulation`);
  }
  return problems;
}

/** Rows of all episodes of one peer, flattened. */
export const allRows = (record) => record.episodes.flat();

/** Session options for scripted delivery: time sync off, so every tick steps when it can. */
export const NO_TIME_SYNC = Object.freeze({ syncThresholdFrames: 1_000_000 });

/**
 * Two sessions whose packets the test delivers by hand. outbox[p] holds packets sent
 * by player p (already JSON round-tripped). tickBoth() ticks both peers once.
 */
export function manualPair(options) {
  const { seed = 1, maxSteps = 60, episodes = 1, inputDelay = 2, classes = [Session] } = options;
  const { sessionOptions = NO_TIME_SYNC } = options;
  const pair = { now: 0, outbox: [[], []], episodes: [[], []], ticks: 0 };
  pair.sessions = [0, 1].map((p) => {
    const SessionClass = classes[p] ?? Session;
    const meta = { gameId: 'manual' };
    const s = new SessionClass({ playerIndex: p, seed, maxSteps, episodes, inputDelay, meta, ...sessionOptions });
    s.onSend = (packet) => pair.outbox[p].push(JSON.parse(JSON.stringify(packet)));
    s.onEpisodeEnd = (episode, rows) => {
      pair.episodes[p][episode] = rows;
    };
    return s;
  });
  /** Tick both with the given actions (functions of (player, session) or numbers); returns [advanced0, advanced1]. */
  pair.tickBoth = (actions) => {
    pair.now = Math.round((pair.ticks * 1000) / 30);
    pair.ticks += 1;
    return pair.sessions.map((s, p) => {
      const a = typeof actions[p] === 'function' ? actions[p](p, s) : actions[p];
      return s.tick(a, pair.now);
    });
  };
  /** Deliver packets sent by `from` (all, or those whose index passes `which`); they leave the outbox. */
  pair.deliver = (from, which = () => true) => {
    const keep = [];
    pair.outbox[from].forEach((packet, i) => {
      if (which(packet, i)) pair.sessions[1 - from].receive(packet, pair.now);
      else keep.push(packet);
    });
    pair.outbox[from] = keep;
  };
  return pair;
}
