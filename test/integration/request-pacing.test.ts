/**
 * The Route53 request budget's parts against real peers: the DynamoDB slot book on dynalite (real
 * conditional writes, many bookings racing), and the pacing middleware on the real Route53 SDK
 * client against the local Route53 endpoint that, like Route53, serves five requests a second.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { DynamoDbSlotBook } from '../../shared/solvers/adapters/dynamodb-slot-book.js';
import { paceRequests } from '../../shared/solvers/adapters/sdk-request-pacing.js';
import { MemorySlotBook } from '../../shared/solvers/adapters/memory-slot-book.js';
import { RequestPacer } from '../../shared/solvers/request-pacing.js';
import { type Dynalite, startDynalite } from '../../scripts/rigs/dynalite.js';
import { type Route53Endpoint, startRoute53Endpoint } from '../../scripts/rigs/route53-endpoint.js';

describe('Class: DynamoDbSlotBook on dynalite', () => {
  let db: Dynalite;
  let book: DynamoDbSlotBook;
  before(async () => {
    db = await startDynalite();
    await db.createSlotTable('slots');
    book = new DynamoDbSlotBook({ client: db.client, tableName: 'slots' });
  });
  after(async () => db?.close());

  it('gives 60 bookings racing at once 60 distinct slots, exactly one interval apart', async () => {
    const now = Date.now();
    const bookings = await Promise.all(Array.from({ length: 60 }, () => book.reserve('race', now, 200, now + 60_000)));
    const slots = bookings.map((b) => ('at' in b ? b.at : Number.NaN)).sort((a, b) => a - b);
    assert.deepEqual(
      slots,
      Array.from({ length: 60 }, (_, i) => now + i * 200),
    );
  });

  it('starts an idle schedule at now, and keeps budgets apart by key', async () => {
    const now = Date.now() + 3_600_000;
    assert.deepEqual(await book.reserve('race', now, 200, now), { at: now });
    assert.deepEqual(await book.reserve('race', now, 200, now + 1_000), { at: now + 200 });
    assert.deepEqual(await book.reserve('fresh', 5, 200, 5), { at: 5 });
  });

  it('refuses past `latest` without booking', async () => {
    const now = Date.now() + 7_200_000;
    await book.reserve('full', now, 1_000, now);
    await book.reserve('full', now, 1_000, now + 5_000);
    assert.deepEqual(await book.reserve('full', now, 1_000, now + 1_500), { bookedUntil: now + 2_000 });
    assert.deepEqual(await book.reserve('full', now, 1_000, now + 5_000), { at: now + 2_000 });
  });

  it('agrees with the memory book on a mixed sequence', async () => {
    const memory = new MemorySlotBook();
    const steps: [number, number][] = [
      [0, 10_000],
      [0, 10_000],
      [100, 200],
      [100, 10_000],
      [5_000, 5_000],
      [5_000, 5_100],
      [5_000, 5_000],
    ];
    for (const [now, latest] of steps) {
      assert.deepEqual(await book.reserve('mixed', now, 300, latest), await memory.reserve('mixed', now, 300, latest));
    }
  });
});

describe('Function: paceRequests on the Route53 SDK client', () => {
  let endpoint: Route53Endpoint;
  const client = (url: string, maxAttempts?: number) =>
    new Route53Client({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      ...(maxAttempts ? { maxAttempts } : {}),
    });
  before(async () => {
    endpoint = await startRoute53Endpoint({ zones: [{ name: 'example.com', id: 'ZEXAMPLE' }] });
    endpoint.faults.requestsPerSecond = 5;
  });
  after(async () => endpoint?.close());

  const burst = (c: Route53Client, n: number) =>
    Promise.allSettled(
      Array.from({ length: n }, () => c.send(new ListHostedZonesByNameCommand({ DNSName: 'example.com' }))),
    );

  it('without pacing, a burst of 20 is throttled by the endpoint', async () => {
    const since = endpoint.calls.length;
    await burst(client(endpoint.url, 1), 20);
    assert.ok(endpoint.calls.slice(since).filter((call) => call.throttled).length >= 10);
  });

  it('with pacing, the same burst is served whole, never above the limit', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const since = endpoint.calls.length;
    const t0 = Date.now();
    const pacer = new RequestPacer({ book: new MemorySlotBook(), key: 'k', requestsPerSecond: 4, maxWaitMs: 30_000 });
    const results = await burst(paceRequests(client(endpoint.url), pacer), 20);
    assert.ok(results.every((r) => r.status === 'fulfilled'));
    const calls = endpoint.calls.slice(since);
    assert.equal(calls.filter((call) => call.throttled).length, 0);
    assert.equal(calls.length, 20);
    assert.ok(endpoint.peakServed(1000, t0) <= 5, `peak ${endpoint.peakServed(1000, t0)}`);
    assert.equal(pacer.stats.requests, 20);
  });

  it('books a slot for every attempt, the SDK retries included', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    endpoint.faults.throttleEvery = 3;
    try {
      const since = endpoint.calls.length;
      const pacer = new RequestPacer({
        book: new MemorySlotBook(),
        key: 'k',
        requestsPerSecond: 20,
        maxWaitMs: 30_000,
      });
      await burst(paceRequests(client(endpoint.url), pacer), 6);
      const calls = endpoint.calls.slice(since);
      assert.ok(
        calls.some((call) => call.throttled),
        'some attempts were refused and retried',
      );
      assert.equal(pacer.stats.requests, calls.length, 'one slot per attempt sent');
    } finally {
      endpoint.faults.throttleEvery = undefined;
    }
  });
});
