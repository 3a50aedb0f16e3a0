// GGPO-style rollback session for one of the two peers of a game.
//
// Frames are numbered globally from 0 across the whole game; episode e covers
// frames [e * maxSteps, (e + 1) * maxSteps). The local input given at the tick
// that simulates frame C applies at frame C + inputDelay; frames below
// inputDelay are no-ops for both players. The partner's missing inputs are
// predicted (its last confirmed input repeated); when a confirmed input differs
// from the prediction used, the session restores the snapshot of that frame and
// replays to the current frame.
//
// Invariants that keep both peers' exports identical:
// - A snapshot is the frozen state at the start of its frame (step number and
//   cumulative rewards included). Replay re-saves each frame's snapshot from the
//   state at that exact frame, never from the end-of-replay state.
// - Rollbacks are applied as soon as an input is confirmed, so a frame whose
//   inputs are both confirmed holds the confirmed simulation; only such frames
//   become export rows, in order.
// - An episode ends only once every frame of it is confirmed, on both peers at
//   the same frame; a peer that gets there first waits, still sending packets.
// - While the page is hidden the session does not step. Each fresh packet from the
//   partner is answered with a grant: "my input is a no-op (code 6) for every frame
//   up to max(partner frame, my frame) + grantMarginFrames". Grants are ordinary
//   confirmed inputs, so the partner never predicts, never rolls back and never
//   stalls because of a hidden player. Back in focus, the session fast-forwards
//   through the frames the partner already played (using the inputs it received
//   while hidden, waiting for retransmissions if some are missing) and new local
//   input applies from the first frame after the last grant.

import { describe, episodeSeed, initialState, step } from './game.js';
import { HIDDEN_NOOP, InputBuffer, actionOf, focusOf } from './inputs.js';
import { MAX_INPUTS_PER_PACKET, buildPacket, parsePacket } from './protocol.js';
import { Recorder } from './recorder.js';

export const SESSION_DEFAULTS = Object.freeze({
  maxPredictionFrames: 15,
  grantMarginFrames: 15,
  maxCatchUpFramesPerTick: 600,
  // Time sync: when this peer runs at least syncThresholdFrames ahead of the partner,
  // it idles one tick, at most once every syncIntervalTicks ticks.
  syncThresholdFrames: 2,
  syncIntervalTicks: 4,
});

function requireInt(name, value, min) {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Session option ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

const sanitizeAction = (a) => (Number.isInteger(a) && a >= 0 && a < HIDDEN_NOOP ? a : 0);

export class Session {
  constructor(options) {
    const {
      playerIndex,
      seed,
      maxSteps,
      episodes = 1,
      inputDelay = 2,
      meta = {},
      layout,
      maxPredictionFrames = SESSION_DEFAULTS.maxPredictionFrames,
      grantMarginFrames = SESSION_DEFAULTS.grantMarginFrames,
      maxCatchUpFramesPerTick = SESSION_DEFAULTS.maxCatchUpFramesPerTick,
      syncThresholdFrames = SESSION_DEFAULTS.syncThresholdFrames,
      syncIntervalTicks = SESSION_DEFAULTS.syncIntervalTicks,
    } = options;
    if (playerIndex !== 0 && playerIndex !== 1) {
      throw new RangeError(`Session option playerIndex must be 0 or 1, got ${playerIndex}`);
    }
    if (!Number.isInteger(seed)) throw new RangeError(`Session option seed must be an integer, got ${seed}`);
    this.me = playerIndex;
    this.other = 1 - playerIndex;
    this.seed = seed;
    this.maxSteps = requireInt('maxSteps', maxSteps, 1);
    this.episodes = requireInt('episodes', episodes, 1);
    this.inputDelay = requireInt('inputDelay', inputDelay, 0);
    this.maxPredictionFrames = requireInt('maxPredictionFrames', maxPredictionFrames, 0);
    this.grantMarginFrames = requireInt('grantMarginFrames', grantMarginFrames, 1);
    this.maxCatchUpFramesPerTick = requireInt('maxCatchUpFramesPerTick', maxCatchUpFramesPerTick, 1);
    this.syncThresholdFrames = requireInt('syncThresholdFrames', syncThresholdFrames, 1);
    this.syncIntervalTicks = requireInt('syncIntervalTicks', syncIntervalTicks, 1);
    this.meta = { ...meta };
    this.gameConfig = layout ? { layout } : {};
    this.lastFrame = this.episodes * this.maxSteps - 1;

    this.inputs = new InputBuffer({ players: 2, lastFrame: this.lastFrame, preset: this.inputDelay });
    this.nextLocalFrame = Math.min(this.inputDelay, this.lastFrame + 1); // first frame without a local input
    this.partnerAck = this.nextLocalFrame - 1; // partner holds my inputs for frames 0..partnerAck
    this.partnerFrame = 0; // latest current frame the partner reported
    this.partnerAdvantage = 0; // the partner's frame minus the latest frame it heard from us
    this.partnerHeard = false;
    this.partnerHidden = false;
    this.ticksSinceSyncIdle = 0;

    this.frame = 0; // next frame to simulate
    this.episode = 0;
    this.episodeStartFrame = 0;
    this.numEpisodes = 0;
    this.state = initialState(episodeSeed(seed, 0), this.gameConfig);
    this.snapshots = new Map(); // frame -> frozen state at the start of that frame
    this.pruneFrom = 0;
    this.usedRemote = new Map(); // frame -> partner input code the current simulation used
    this.recorder = new Recorder(this.meta.gameId);

    this.rollbackCount = 0;
    this.maxRollbackDepth = 0;
    this.lastRollback = null;
    this.focused = true;
    this.done = false;
    this.catchUpTo = 0;

    this.onSend = null;
    this.onEpisodeEnd = null;
    this.onGameEnd = null;
  }

  get stats() {
    return {
      frameNumber: this.frame,
      stepNum: this.state.stepNum,
      numEpisodes: this.numEpisodes,
      rollbackCount: this.rollbackCount,
      maxRollbackDepth: this.maxRollbackDepth,
      isFocused: this.focused,
      done: this.done,
    };
  }

  /** Current (possibly speculative) state for drawing. */
  view() {
    return {
      ...describe(this.state),
      episode: this.episode,
      frame: this.frame,
      playerIndex: this.me,
      isFocused: this.focused,
      partnerHidden: this.partnerHidden,
      done: this.done,
    };
  }

  /** Stored snapshots as [frame, state] pairs in frame order (read-only; for tests and debugging). */
  inspectSnapshots() {
    return [...this.snapshots.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** One frame at the page's frame rate. Returns false when nothing was simulated (stalled). */
  tick(localInput, nowMs) {
    if (!this.focused) return false;
    if (this.done) {
      if (this.partnerAck < this.nextLocalFrame - 1) this.sendPacket();
      return false;
    }
    const action = sanitizeAction(localInput);
    let stepped = false;
    let regularDone = false;
    let catchUpBudget = this.maxCatchUpFramesPerTick;
    while (!this.done) {
      if (this.state.stepNum >= this.maxSteps) {
        if (!this.endEpisodeIfConfirmed(nowMs)) break;
        continue;
      }
      if (this.frame < this.catchUpTo && catchUpBudget > 0 && this.isConfirmed(this.frame)) {
        this.simulateNext();
        catchUpBudget -= 1;
        stepped = true;
        continue;
      }
      if (regularDone) break;
      regularDone = true;
      // The input of this tick is committed even if the frame cannot be simulated yet;
      // with inputDelay 0 the partner may be waiting for exactly this input.
      this.scheduleLocal(action);
      if (this.shouldIdleForSync()) break;
      if (this.frame - this.inputs.confirmedThrough(this.other) > this.maxPredictionFrames) break;
      this.simulateNext();
      stepped = true;
    }
    this.finalizeRows(nowMs);
    this.prune();
    this.sendPacket();
    return stepped;
  }

  /** A packet from the partner; may be late, duplicated, reordered or never arrive. */
  receive(packet, nowMs) {
    const msg = parsePacket(packet, this.other);
    if (!msg) return;
    let fresh = false;
    if (msg.frame >= this.partnerFrame) {
      fresh = fresh || msg.frame > this.partnerFrame || msg.hidden !== this.partnerHidden;
      this.partnerFrame = msg.frame;
      this.partnerAdvantage = msg.advantage;
      this.partnerHidden = msg.hidden;
      this.partnerHeard = true;
    }
    const ack = Math.min(msg.ack, this.nextLocalFrame - 1);
    if (ack > this.partnerAck) {
      this.partnerAck = ack;
      fresh = true;
    }
    let firstWrong = Infinity;
    msg.codes.forEach((code, i) => {
      const frame = msg.start + i;
      if (!this.inputs.confirm(this.other, frame, code)) return;
      fresh = true;
      const used = this.usedRemote.get(frame);
      if (frame < this.frame && used !== undefined && actionOf(used) !== actionOf(code)) {
        firstWrong = Math.min(firstWrong, frame);
      }
    });
    if (firstWrong < Infinity) this.rollback(firstWrong);
    if (!this.focused) {
      const before = this.nextLocalFrame;
      this.grantNoops();
      fresh = fresh || this.nextLocalFrame > before;
    }
    this.finalizeRows(nowMs);
    this.prune();
    // A page that does not tick (hidden, or finished and possibly no longer driven) answers
    // from here: with grants and acks when the packet told it something new, and with its
    // inputs for as long as the partner lacks some. Answering only then cannot ping-pong.
    const partnerLacksInputs = this.partnerAck < this.nextLocalFrame - 1;
    if ((!this.focused || this.done) && (fresh || partnerLacksInputs)) this.sendPacket();
  }

  /** Page visibility. While unfocused, tick() does not step and packets are answered with grants. */
  setFocused(focused, nowMs) {
    const value = Boolean(focused);
    if (value === this.focused) return;
    this.focused = value;
    this.finalizeRows(nowMs);
    if (value) {
      // The next tick fast-forwards to here and then tells the partner.
      this.catchUpTo = Math.max(this.catchUpTo, this.partnerFrame);
    } else {
      this.grantNoops();
      this.sendPacket();
    }
  }

  // --- internals -----------------------------------------------------------

  /**
   * GGPO-style time sync. Half the difference of the two advantages estimates how many
   * frames this peer runs ahead, independent of latency. Never while the partner is
   * hidden (its frame stands still on purpose) or while catching up after a return.
   */
  shouldIdleForSync() {
    this.ticksSinceSyncIdle += 1;
    if (!this.partnerHeard || this.partnerHidden || this.frame < this.catchUpTo) return false;
    if (this.ticksSinceSyncIdle < this.syncIntervalTicks) return false;
    const ahead = (this.frame - this.partnerFrame - this.partnerAdvantage) / 2;
    if (ahead < this.syncThresholdFrames) return false;
    this.ticksSinceSyncIdle = 0;
    return true;
  }

  isConfirmed(frame) {
    return this.inputs.has(this.me, frame) && this.inputs.has(this.other, frame);
  }

  /** Commit the local input for every frame up to frame + inputDelay that has none yet. */
  scheduleLocal(action) {
    const upTo = Math.min(this.lastFrame, this.frame + this.inputDelay);
    for (let f = this.nextLocalFrame; f <= upTo; f += 1) this.inputs.confirm(this.me, f, action);
    this.nextLocalFrame = Math.max(this.nextLocalFrame, upTo + 1);
  }

  /** While hidden: commit no-ops far enough ahead that the partner never waits for us. */
  grantNoops() {
    const upTo = Math.min(this.lastFrame, Math.max(this.partnerFrame, this.frame) + this.grantMarginFrames);
    for (let f = this.nextLocalFrame; f <= upTo; f += 1) this.inputs.confirm(this.me, f, HIDDEN_NOOP);
    this.nextLocalFrame = Math.max(this.nextLocalFrame, upTo + 1);
  }

  saveSnapshot(frame, state) {
    this.snapshots.set(frame, state);
  }

  /** Step from this.state through `frame` with the given codes and record the result. */
  advance(frame, localCode, remoteCode, speculative) {
    const actions = [0, 0];
    actions[this.me] = actionOf(localCode);
    actions[this.other] = actionOf(remoteCode);
    const t = this.state.stepNum;
    this.usedRemote.set(frame, remoteCode);
    this.state = step(this.state, actions);
    this.recorder.record(frame, { episode: this.episode, t, state: this.state, speculative });
  }

  simulateNext() {
    const frame = this.frame;
    const local = this.inputs.get(this.me, frame);
    if (local === undefined) throw new Error(`no local input for frame ${frame}`);
    const { code, predicted } = this.inputs.codeFor(this.other, frame);
    this.saveSnapshot(frame, this.state);
    this.advance(frame, local, code, predicted);
    this.frame = frame + 1;
  }

  /** Restore the snapshot of `target` and re-simulate up to the current frame. */
  rollback(target) {
    const base = this.snapshots.get(target);
    if (!base) throw new Error(`rollback to frame ${target}: no snapshot (current frame ${this.frame})`);
    const end = this.frame;
    this.rollbackCount += 1;
    this.maxRollbackDepth = Math.max(this.maxRollbackDepth, end - target);
    this.lastRollback = { frame: target, depth: end - target };
    this.recorder.noteRollback(target, end);
    this.state = base;
    for (let f = target; f < end; f += 1) {
      // this.state is the state at the start of frame f: its own step number and rewards.
      this.saveSnapshot(f, this.state);
      const { code, predicted } = this.inputs.codeFor(this.other, f);
      this.advance(f, this.inputs.get(this.me, f), code, predicted);
    }
  }

  /** Emit, in order, the rows of every simulated frame whose inputs are both confirmed. */
  finalizeRows(nowMs) {
    const through = Math.min(
      this.frame - 1,
      this.inputs.confirmedThrough(this.me),
      this.inputs.confirmedThrough(this.other),
    );
    for (let f = this.recorder.nextFinal; f <= through; f += 1) {
      const codes = [this.inputs.get(0, f), this.inputs.get(1, f)];
      if (actionOf(this.usedRemote.get(f)) !== actionOf(codes[this.other])) {
        throw new Error(`frame ${f} would be final with a wrong prediction`);
      }
      this.recorder.finalize(f, { timestamp: nowMs, focus: codes.map(focusOf) });
      this.usedRemote.delete(f);
    }
  }

  /** At the end of an episode: finish it if every frame is confirmed, else keep waiting. */
  endEpisodeIfConfirmed(nowMs) {
    this.finalizeRows(nowMs);
    if (this.recorder.nextFinal !== this.frame) return false;
    const episode = this.episode;
    const rows = this.recorder.takeRows();
    this.numEpisodes += 1;
    if (this.numEpisodes >= this.episodes) {
      this.done = true;
    } else {
      this.episode += 1;
      this.episodeStartFrame = this.frame;
      this.state = initialState(episodeSeed(this.seed, this.episode), this.gameConfig);
    }
    this.prune();
    if (this.onEpisodeEnd) this.onEpisodeEnd(episode, rows);
    if (this.done && this.onGameEnd) this.onGameEnd();
    return true;
  }

  /** Drop snapshots no rollback can reach: frames whose partner input is already settled. */
  prune() {
    const floor = Math.min(this.frame, this.inputs.confirmedThrough(this.other) + 1, this.recorder.nextFinal);
    for (; this.pruneFrom < floor; this.pruneFrom += 1) this.snapshots.delete(this.pruneFrom);
  }

  sendPacket() {
    if (!this.onSend) return;
    const start = this.partnerAck + 1;
    const end = Math.min(this.nextLocalFrame - 1, start + MAX_INPUTS_PER_PACKET - 1);
    this.onSend(
      buildPacket({
        sender: this.me,
        start,
        codes: this.inputs.encode(this.me, start, end),
        ack: this.inputs.confirmedThrough(this.other),
        frame: this.frame,
        advantage: this.frame - this.partnerFrame,
        hidden: !this.focused,
      }),
    );
  }
}
