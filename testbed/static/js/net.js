// The network conditioner: seeded loss, latency and jitter on this page's outgoing peer packets
// (DataChannel and relay alike). Configured from the URL query (latency, jitter, loss, netseed)
// and from window.testbed.net.configure({latencyMs, jitterMs, loss, seed}).

// mulberry32: a small, fast, seedable PRNG with 32-bit state (values in [0, 1)).
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function number(value, fallback) {
  const parsed = Number(value);
  return value === undefined || value === null || value === '' || !Number.isFinite(parsed)
    ? fallback
    : parsed;
}

export class NetConditioner {
  constructor() {
    this.latencyMs = 0;
    this.jitterMs = 0;
    this.loss = 0;
    this.seed = 1;
    this.random = mulberry32(this.seed);
    this.counts = { sent: 0, dropped: 0, delivered: 0 };
  }

  static fromQuery(params) {
    const net = new NetConditioner();
    net.configure({
      latencyMs: params.get('latency'),
      jitterMs: params.get('jitter'),
      loss: params.get('loss'),
      seed: params.get('netseed'),
    });
    return net;
  }

  // Fields left out (or null) keep their current value; a given seed restarts the sequence.
  configure({ latencyMs, jitterMs, loss, seed } = {}) {
    this.latencyMs = Math.max(0, number(latencyMs, this.latencyMs));
    this.jitterMs = Math.max(0, number(jitterMs, this.jitterMs));
    this.loss = Math.min(1, Math.max(0, number(loss, this.loss)));
    const newSeed = number(seed, null);
    if (newSeed !== null) {
      this.seed = Math.trunc(newSeed);
      this.random = mulberry32(this.seed);
    }
    return this.settings();
  }

  settings() {
    return { latencyMs: this.latencyMs, jitterMs: this.jitterMs, loss: this.loss, seed: this.seed };
  }

  stats() {
    return { ...this.counts };
  }

  // Drop, delay or pass one packet; deliver() puts it on the wire.
  send(deliver) {
    this.counts.sent += 1;
    if (this.loss > 0 && this.random() < this.loss) {
      this.counts.dropped += 1;
      return;
    }
    let delay = this.latencyMs;
    if (this.jitterMs > 0) delay += (this.random() * 2 - 1) * this.jitterMs;
    delay = Math.max(0, delay);
    const pass = () => {
      this.counts.delivered += 1;
      deliver();
    };
    if (delay === 0) pass();
    else setTimeout(pass, delay);
  }
}
