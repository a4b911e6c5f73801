import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySlotBook } from '../../shared/solvers/adapters/memory-slot-book.js';
import { RequestPacer } from '../../shared/solvers/request-pacing.js';
import { TransientError } from '../../shared/errors.js';
import { readRoute53Pacing } from '../../shared/wiring/environment.js';

describe('Class: MemorySlotBook', () => {
  it('hands out slots one interval apart, in booking order, from now on', async () => {
    const book = new MemorySlotBook();
    const slots = [];
    for (let i = 0; i < 5; i++) slots.push(await book.reserve('k', 1_000, 250, 10_000));
    assert.deepEqual(slots, [{ at: 1_000 }, { at: 1_250 }, { at: 1_500 }, { at: 1_750 }, { at: 2_000 }]);
    // Idle again: a booking long after the last slot starts at its own now.
    assert.deepEqual(await book.reserve('k', 9_000, 250, 20_000), { at: 9_000 });
    // Budgets are independent by key.
    assert.deepEqual(await book.reserve('other', 1_000, 250, 10_000), { at: 1_000 });
  });

  it('refuses a slot past `latest` and books nothing for it', async () => {
    const book = new MemorySlotBook();
    await book.reserve('k', 0, 1_000, 0);
    await book.reserve('k', 0, 1_000, 5_000);
    assert.deepEqual(await book.reserve('k', 0, 1_000, 1_500), { bookedUntil: 2_000 });
    assert.deepEqual(await book.reserve('k', 0, 1_000, 5_000), { at: 2_000 }, 'the refused slot is still free');
  });
});

describe('Class: RequestPacer', () => {
  /** A clock that stands still; `sleep` records when each caller would wake. */
  function fakeTime() {
    const now = 10_000;
    const wakes: number[] = [];
    return { now: () => now, sleep: async (ms: number) => void wakes.push(now + ms), wakes };
  }

  it('waits until each request slot, 1/rate apart, however many book at once', async () => {
    const time = fakeTime();
    const pacer = new RequestPacer({
      book: new MemorySlotBook(),
      key: 'route53:self',
      requestsPerSecond: 4,
      maxWaitMs: 60_000,
      ...time,
    });
    assert.equal(pacer.intervalMs, 250);
    await Promise.all([pacer.turn(), pacer.turn(), pacer.turn(), pacer.turn()]);
    // The first goes at once; the others wake 250 ms apart.
    assert.deepEqual(time.wakes, [10_250, 10_500, 10_750]);
    assert.deepEqual(pacer.stats, { requests: 4, waitedMs: 1_500, longestWaitMs: 750, refused: 0, missed: 0 });
  });

  it('fails as transient, booking nothing, when the schedule is full past maxWait', async () => {
    const time = fakeTime();
    const book = new MemorySlotBook();
    const pacer = new RequestPacer({
      book,
      key: 'k',
      requestsPerSecond: 2,
      maxWaitMs: 1_000,
      label: 'route53',
      ...time,
    });
    await pacer.turn();
    await pacer.turn();
    await pacer.turn();
    await assert.rejects(pacer.turn(), (error: unknown) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^route53: the shared budget of 2 requests\/s is booked 2 s ahead/);
      return true;
    });
    assert.equal(pacer.stats.refused, 1);
    // Slots at +0, +500, +1000 are booked; the refused one (+1500) is still free.
    assert.deepEqual(await book.reserve('k', time.now(), 500, time.now() + 10_000), { at: time.now() + 1_500 });
  });

  it('books again when it wakes too late for its slot, instead of crowding the next ones', async () => {
    let now = 0;
    const book = new MemorySlotBook();
    // The process stalls for 400 ms on the first sleep only.
    let stalls = 1;
    const pacer = new RequestPacer({
      book,
      key: 'k',
      requestsPerSecond: 4,
      maxWaitMs: 10_000,
      now: () => now,
      sleep: async (ms) => {
        now += ms + (stalls-- > 0 ? 400 : 0);
      },
    });
    await book.reserve('k', 0, 250, 10_000); // someone holds the slot at 0
    await pacer.turn();
    // Its slot (250) was missed: it woke at 650, booked the first free slot (650) and went.
    assert.equal(now, 650);
    assert.equal(pacer.stats.missed, 1);
    assert.equal(pacer.stats.requests, 1);
  });

  it('refuses a rate that is not positive', () => {
    for (const requestsPerSecond of [0, -1, Number.NaN]) {
      assert.throws(
        () => new RequestPacer({ book: new MemorySlotBook(), key: 'k', requestsPerSecond, maxWaitMs: 1 }),
        /requestsPerSecond must be positive/,
      );
    }
  });
});

describe('Function: readRoute53Pacing', () => {
  it('reads the table, with Route53 defaults for the rate and the wait', () => {
    assert.deepEqual(readRoute53Pacing({ CERTFLOW_SLOT_TABLE: 't' }), {
      slotTable: 't',
      requestsPerSecond: 4,
      maxWaitSeconds: 120,
    });
    assert.equal(
      readRoute53Pacing({ CERTFLOW_SLOT_TABLE: 't', CERTFLOW_ROUTE53_REQUESTS_PER_SECOND: '2.5' }).requestsPerSecond,
      2.5,
    );
  });

  it('names the variable that is missing or wrong', () => {
    assert.throws(() => readRoute53Pacing({}), /CERTFLOW_SLOT_TABLE is not set/);
    assert.throws(
      () => readRoute53Pacing({ CERTFLOW_SLOT_TABLE: 't', CERTFLOW_ROUTE53_REQUESTS_PER_SECOND: 'fast' }),
      /CERTFLOW_ROUTE53_REQUESTS_PER_SECOND must be a positive number, not "fast"/,
    );
    assert.throws(
      () => readRoute53Pacing({ CERTFLOW_SLOT_TABLE: 't', CERTFLOW_ROUTE53_MAX_WAIT_SECONDS: '0' }),
      /CERTFLOW_ROUTE53_MAX_WAIT_SECONDS must be a positive number/,
    );
  });
});
