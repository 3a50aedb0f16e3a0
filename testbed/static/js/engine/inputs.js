// Input buffer: per player and frame, the confirmed input code, contiguous
// confirmation tracking and GGPO prediction (repeat the last confirmed input).
//
// An input code is an action 0..5, or HIDDEN_NOOP: a no-op granted by a peer
// whose page is hidden. It simulates as action 0 and marks the player unfocused.

import { NUM_ACTIONS } from './game.js';

export const HIDDEN_NOOP = NUM_ACTIONS;
export const NUM_CODES = NUM_ACTIONS + 1;

/** Action simulated for an input code. */
export const actionOf = (code) => (code === HIDDEN_NOOP ? 0 : code);

/** Whether the player was focused when the code was produced (1/0). */
export const focusOf = (code) => (code === HIDDEN_NOOP ? 0 : 1);

export const isCode = (code) => Number.isInteger(code) && code >= 0 && code < NUM_CODES;

export class InputBuffer {
  /** Frames 0..lastFrame exist; frames below `preset` are confirmed no-ops for everybody. */
  constructor({ players = 2, lastFrame, preset = 0 }) {
    this.lastFrame = lastFrame;
    this.codes = Array.from({ length: players }, () => []);
    this.contig = Array.from({ length: players }, () => -1);
    for (let p = 0; p < players; p += 1) {
      for (let f = 0; f < preset && f <= lastFrame; f += 1) this.confirm(p, f, 0);
    }
  }

  /** Confirmed code or undefined. */
  get(player, frame) {
    return this.codes[player][frame];
  }

  has(player, frame) {
    return this.codes[player][frame] !== undefined;
  }

  /** Highest frame F such that frames 0..F are all confirmed for `player` (-1 if none). */
  confirmedThrough(player) {
    return this.contig[player];
  }

  /**
   * Record a confirmed input. Returns true when it is new; duplicates and
   * frames outside 0..lastFrame are ignored. A confirmed input never changes.
   */
  confirm(player, frame, code) {
    if (!Number.isInteger(frame) || frame < 0 || frame > this.lastFrame || !isCode(code)) return false;
    const codes = this.codes[player];
    if (codes[frame] !== undefined) return false;
    codes[frame] = code;
    let c = this.contig[player];
    while (c + 1 <= this.lastFrame && codes[c + 1] !== undefined) c += 1;
    this.contig[player] = c;
    return true;
  }

  /** Confirmed code for the frame, else the latest confirmed code before it (else 0). */
  codeFor(player, frame) {
    const codes = this.codes[player];
    if (codes[frame] !== undefined) return { code: codes[frame], predicted: false };
    for (let f = Math.min(frame - 1, codes.length - 1); f >= 0; f -= 1) {
      if (codes[f] !== undefined) return { code: codes[f], predicted: true };
    }
    return { code: 0, predicted: true };
  }

  /** Codes of frames from..to (inclusive) as a digit string; stops at the first gap. */
  encode(player, from, to) {
    const codes = this.codes[player];
    let text = '';
    for (let f = from; f <= to && codes[f] !== undefined; f += 1) text += String(codes[f]);
    return text;
  }
}
