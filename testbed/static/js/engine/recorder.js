// Rollback-safe recorder. Every simulation of a frame (first pass or replay)
// overwrites that frame's provisional entry; a row is emitted only when the
// session finalises the frame, i.e. once both players' inputs for it are
// confirmed and the frame was simulated with exactly those inputs. Rows are
// therefore built from the confirmed simulation only.

import { hashState, stateColumns, NUM_PLAYERS } from './game.js';

const PLAYER_COLUMNS = ['x', 'y', 'holding', 'action', 'reward', 'cumReward'];

/** Columns identical on both peers of a game, in export order. */
export const GAME_STATE_COLUMNS = Object.freeze([
  'gameId',
  'episode',
  'frame',
  't',
  ...Array.from({ length: NUM_PLAYERS }, (_, i) => PLAYER_COLUMNS.map((c) => `${c}.${i}`)).flat(),
  'itemX',
  'itemY',
  'score',
  'stateHash',
]);

/** Columns describing this peer's experience of the frame; they may differ between peers. */
export const CLIENT_COLUMNS = Object.freeze([
  'timestamp',
  'rollbackEvents',
  'wasSpeculative',
  ...Array.from({ length: NUM_PLAYERS }, (_, i) => `isFocused.${i}`),
]);

export const ROW_COLUMNS = Object.freeze([...GAME_STATE_COLUMNS, ...CLIENT_COLUMNS]);

export class Recorder {
  constructor(gameId) {
    this.gameId = String(gameId ?? '');
    this.pending = new Map();
    this.rows = [];
    this.nextFinal = 0;
  }

  /**
   * Note one simulation of `frame` that produced `state` (post-step) at step `t`.
   * `speculative` is whether a predicted input was used; only the first simulation counts.
   */
  record(frame, { episode, t, state, speculative }) {
    if (frame < this.nextFinal) throw new Error(`frame ${frame} is already final`);
    let entry = this.pending.get(frame);
    if (!entry) {
      entry = { wasSpeculative: speculative ? 1 : 0, rollbackEvents: 0 };
      this.pending.set(frame, entry);
    }
    entry.episode = episode;
    entry.t = t;
    entry.state = state;
  }

  /** A rollback re-simulated frames from..to-1. */
  noteRollback(from, to) {
    for (let f = from; f < to; f += 1) {
      const entry = this.pending.get(f);
      if (entry) entry.rollbackEvents += 1;
    }
  }

  /** Make `frame` final (frames finalise in order); returns the row. */
  finalize(frame, { timestamp, focus }) {
    if (frame !== this.nextFinal) throw new Error(`finalising frame ${frame}, expected ${this.nextFinal}`);
    const entry = this.pending.get(frame);
    if (!entry) throw new Error(`frame ${frame} was never simulated`);
    const row = {
      gameId: this.gameId,
      episode: entry.episode,
      frame,
      t: entry.t,
      ...stateColumns(entry.state),
      stateHash: hashState(entry.state),
      timestamp: Number.isFinite(timestamp) ? Math.round(timestamp) : 0,
      rollbackEvents: entry.rollbackEvents,
      wasSpeculative: entry.wasSpeculative,
    };
    focus.forEach((f, i) => {
      row[`isFocused.${i}`] = f;
    });
    this.pending.delete(frame);
    this.rows.push(row);
    this.nextFinal = frame + 1;
    return row;
  }

  /** Final rows since the last call (one episode's worth when called at episode end). */
  takeRows() {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }
}
