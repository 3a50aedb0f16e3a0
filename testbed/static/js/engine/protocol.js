// Peer packet format. Packets are plain JSON-able objects; the transport may
// delay, drop, duplicate and reorder them, so every packet is self-contained:
//
//   { v: 1,          protocol version
//     p: 0|1,        sender's player index
//     s: F,          frame of the first input in `a`
//     a: "0125",     sender's confirmed input codes for frames s, s+1, ... (digits 0..6;
//                    6 = no-op granted while hidden). Repeats every input the receiver
//                    has not acknowledged yet (redundancy instead of retransmission timers).
//     k: K,          ack: the sender holds the receiver's inputs for every frame 0..K
//     f: C,          sender's current frame (next frame it will simulate)
//     d: D,          sender's frame advantage: C minus the latest frame it heard from us
//                    (time sync: the peer that runs ahead idles a tick now and then)
//     h: 0|1 }       sender's page is hidden (its inputs are no-op grants)

import { NUM_CODES } from './inputs.js';

export const PROTOCOL_VERSION = 1;
/** Most inputs one packet carries; the rest follow once these are acknowledged. */
export const MAX_INPUTS_PER_PACKET = 120;

export function buildPacket({ sender, start, codes, ack, frame, advantage, hidden }) {
  return { v: PROTOCOL_VERSION, p: sender, s: start, a: codes, k: ack, f: frame, d: advantage, h: hidden ? 1 : 0 };
}

const CODE_PATTERN = new RegExp(`^[0-${NUM_CODES - 1}]*$`);

/**
 * Validate a packet from player `sender`. Returns a normalised copy with `codes`
 * as an integer array, or null for anything malformed or not from `sender`.
 */
export function parsePacket(packet, sender) {
  if (packet === null || typeof packet !== 'object') return null;
  const { v, p, s, a, k, f, d, h } = packet;
  if (v !== PROTOCOL_VERSION || p !== sender) return null;
  if (!Number.isInteger(s) || s < 0 || !Number.isInteger(k) || k < -1) return null;
  if (!Number.isInteger(f) || f < 0 || !Number.isInteger(d) || (h !== 0 && h !== 1)) return null;
  if (typeof a !== 'string' || a.length > MAX_INPUTS_PER_PACKET || !CODE_PATTERN.test(a)) return null;
  return { start: s, codes: [...a].map(Number), ack: k, frame: f, advantage: d, hidden: h === 1 };
}
