// Seeded integer PRNG and seed mixing. Pure functions over uint32 state, so the
// generator state lives inside the (serialisable, hashable) game state.

const GOLDEN = 0x9e3779b9;

/** Avalanche a 32-bit integer (xor-shift-multiply finaliser); returns uint32. */
export function mix32(value) {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combine integers into one uint32 seed; order matters. */
export function deriveSeed(...parts) {
  let h = 0x2545f491;
  for (const part of parts) {
    h = mix32((h ^ mix32((part | 0) + GOLDEN)) + Math.imul(h, 31));
  }
  return h >>> 0;
}

/**
 * One mulberry32-style step: returns [value, nextState], both uint32.
 * The state is an opaque uint32; never 0-special, any integer works as a seed.
 */
export function nextU32(state) {
  const next = ((state | 0) + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [(t ^ (t >>> 14)) >>> 0, next];
}

/** Integer in [0, bound) by rejection sampling (no modulo bias); returns [value, nextState]. */
export function nextInt(state, bound) {
  if (!Number.isInteger(bound) || bound <= 0 || bound > 0x100000000) {
    throw new RangeError(`nextInt bound must be an integer in 1..2^32, got ${bound}`);
  }
  const limit = 0x100000000 - (0x100000000 % bound);
  let s = state;
  for (;;) {
    const [value, next] = nextU32(s);
    s = next;
    if (value < limit) return [value % bound, s];
  }
}

/** Small stateful wrapper for callers outside the simulation (tests, simulators). */
export class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  u32() {
    const [value, next] = nextU32(this.state);
    this.state = next;
    return value;
  }

  int(bound) {
    const [value, next] = nextInt(this.state, bound);
    this.state = next;
    return value;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (simulators only, never the game). */
  float() {
    return this.u32() / 0x100000000;
  }

  /** True with probability num/den (integers). */
  chance(num, den) {
    return this.int(den) < num;
  }
}
