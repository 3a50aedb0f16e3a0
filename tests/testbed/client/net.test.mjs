// The network conditioner (testbed/static/js/net.js): the suites inject latency and loss
// through it, so its drops must be seeded and its delays real.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

import { NetConditioner } from '../../../testbed/static/js/net.js';

function dropPattern(seed, loss, count) {
  const net = new NetConditioner();
  net.configure({ loss, seed });
  const delivered = [];
  for (let i = 0; i < count; i += 1) net.send(() => delivered.push(i));
  return { delivered, stats: net.stats() };
}

test('no faults: every packet is delivered at once', () => {
  const { delivered, stats } = dropPattern(1, 0, 100);
  assert.equal(delivered.length, 100);
  assert.deepEqual(stats, { sent: 100, dropped: 0, delivered: 100 });
});

test('loss drops about that share of packets, the same ones for the same seed', () => {
  const first = dropPattern(7, 0.25, 4000);
  const again = dropPattern(7, 0.25, 4000);
  const other = dropPattern(8, 0.25, 4000);
  assert.deepEqual(first.delivered, again.delivered);
  assert.notDeepEqual(first.delivered, other.delivered);
  const share = first.stats.dropped / first.stats.sent;
  assert.ok(share > 0.22 && share < 0.28, `dropped share ${share}`);
  assert.equal(first.stats.dropped + first.stats.delivered, 4000);
});

test('latency delays delivery by that many milliseconds, jitter stays within bounds', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const net = new NetConditioner();
    net.configure({ latencyMs: 100 });
    let arrived = 0;
    net.send(() => { arrived += 1; });
    mock.timers.tick(99);
    assert.equal(arrived, 0);
    mock.timers.tick(1);
    assert.equal(arrived, 1);

    net.configure({ latencyMs: 100, jitterMs: 30, seed: 3 });
    for (let i = 0; i < 200; i += 1) net.send(() => { arrived += 1; });
    mock.timers.tick(69);
    assert.equal(arrived, 1, 'no packet may arrive before latency - jitter');
    mock.timers.tick(62);
    assert.equal(arrived, 201, 'every packet arrives by latency + jitter');
  } finally {
    mock.timers.reset();
  }
});

test('configure keeps fields left out and clamps values', () => {
  const net = new NetConditioner();
  net.configure({ latencyMs: 50, jitterMs: 5, loss: 0.1, seed: 9 });
  assert.deepEqual(net.configure({ loss: 0.2 }), { latencyMs: 50, jitterMs: 5, loss: 0.2, seed: 9 });
  assert.deepEqual(net.configure({ loss: 7, latencyMs: -4 }).loss, 1);
  assert.equal(net.settings().latencyMs, 0);
});

test('the URL query configures it (latency, jitter, loss, netseed)', () => {
  const params = new URLSearchParams('latency=100&jitter=10&loss=0.05&netseed=4');
  assert.deepEqual(NetConditioner.fromQuery(params).settings(), {
    latencyMs: 100, jitterMs: 10, loss: 0.05, seed: 4,
  });
});
