import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CertificateStatus } from '../../shared/domain/status.js';
import {
  chooseRenewalTime,
  classify,
  daysToExpiry,
  dueTime,
  failureBackoffMs,
  indexDueTime,
  nextAttemptTime,
  type CertificateState,
  type ClassifiedStatus,
} from '../../shared/certificates/renewal-policy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

describe('Function: chooseRenewalTime', () => {
  const cases: Array<{
    name: string;
    spec?: { renewBefore?: string; renewBeforePercentage?: number };
    lifetime: number;
    window?: [start: number, end: number];
    now?: number;
    random?: number;
    expected: number;
  }> = [
    { name: 'renews a 90-day certificate at 2/3 of its lifetime', lifetime: 90 * DAY, expected: 60 * DAY },
    { name: 'renews a 6-day certificate after 4 days', lifetime: 6 * DAY, expected: 4 * DAY },
    {
      name: 'renews renewBefore ahead of expiry',
      spec: { renewBefore: '720h' },
      lifetime: 90 * DAY,
      expected: 60 * DAY,
    },
    {
      name: 'renews renewBefore ahead of expiry even late in the lifetime',
      spec: { renewBefore: '24h' },
      lifetime: 90 * DAY,
      expected: 89 * DAY,
    },
    {
      name: 'renews renewBeforePercentage of the lifetime ahead of expiry',
      spec: { renewBeforePercentage: 50 },
      lifetime: 6 * DAY,
      expected: 3 * DAY,
    },
    {
      name: 'falls back to 2/3 when renewBefore is longer than the lifetime',
      spec: { renewBefore: '240h' },
      lifetime: 6 * DAY,
      expected: 4 * DAY,
    },
    {
      name: 'takes the start of the ARI window when the random draw is 0',
      lifetime: 90 * DAY,
      window: [50 * DAY, 52 * DAY],
      random: 0,
      expected: 50 * DAY,
    },
    {
      name: 'takes a point near the end of the ARI window when the random draw is 0.999',
      lifetime: 90 * DAY,
      window: [50 * DAY, 52 * DAY],
      random: 0.999,
      expected: 50 * DAY + Math.floor(0.999 * 2 * DAY),
    },
    {
      name: 'follows the ARI window rather than renewBefore',
      spec: { renewBefore: '24h' },
      lifetime: 90 * DAY,
      window: [10 * DAY, 12 * DAY],
      random: 0.5,
      expected: 11 * DAY,
    },
    {
      name: 'renews now when the ARI window has already ended',
      lifetime: 90 * DAY,
      window: [10 * DAY, 12 * DAY],
      now: 20 * DAY,
      random: 0.5,
      expected: 20 * DAY,
    },
    {
      name: 'draws from now to the end when the ARI window has already started',
      lifetime: 90 * DAY,
      window: [10 * DAY, 20 * DAY],
      now: 18 * DAY,
      random: 0.5,
      expected: 19 * DAY,
    },
    {
      name: 'ignores an ARI window that ends before it starts',
      lifetime: 90 * DAY,
      window: [20 * DAY, 10 * DAY],
      random: 0.5,
      expected: 60 * DAY,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const chosen = chooseRenewalTime({
        spec: c.spec ?? {},
        notBefore: t0,
        notAfter: at(c.lifetime),
        ...(c.window ? { renewalInfo: { windowStart: at(c.window[0]), windowEnd: at(c.window[1]) } } : {}),
        now: at(c.now ?? 0),
        random: () => c.random ?? 0,
      });
      assert.equal(chosen.toISOString(), iso(c.expected));
    });
  }

  it('always lands within [now, end] when the window has started', () => {
    const now = at(15 * DAY);
    for (const draw of [0, 0.25, 0.5, 0.75, 0.999999]) {
      const chosen = chooseRenewalTime({
        spec: {},
        notBefore: t0,
        notAfter: at(90 * DAY),
        renewalInfo: { windowStart: at(10 * DAY), windowEnd: at(20 * DAY) },
        now,
        random: () => draw,
      });
      assert.ok(chosen >= now && chosen <= at(20 * DAY), `${draw} → ${chosen.toISOString()}`);
    }
  });
});

describe('Function: classify', () => {
  // A 90-day certificate renewed at day 60, as the default policy sets it.
  const issued: ClassifiedStatus = {
    notBefore: iso(0),
    notAfter: iso(90 * DAY),
    renewalTime: iso(60 * DAY),
    failedIssuanceAttempts: 0,
  };
  const failed = (status: ClassifiedStatus): ClassifiedStatus => ({
    ...status,
    failedIssuanceAttempts: 2,
    lastFailureTime: iso(61 * DAY),
    nextAttemptTime: iso(61 * DAY + 2 * HOUR),
  });

  const cases: Array<{
    name: string;
    status: ClassifiedStatus;
    now: number;
    expected: CertificateState;
    warn?: number;
  }> = [
    {
      name: 'is NotIssued before any certificate exists',
      status: { failedIssuanceAttempts: 0 },
      now: 0,
      expected: 'NotIssued',
    },
    { name: 'is Valid before its renewal time', status: issued, now: 30 * DAY, expected: 'Valid' },
    { name: 'is Due from its renewal time', status: issued, now: 60 * DAY, expected: 'Due' },
    { name: 'is still Due a day after its renewal time', status: issued, now: 61 * DAY, expected: 'Due' },
    {
      name: 'is Overdue more than a day after its renewal time',
      status: issued,
      now: 61 * DAY + 1,
      expected: 'Overdue',
    },
    {
      name: 'is Overdue past 90% of a short lifetime, within the day',
      // 24-hour certificate: renewal at 16 h, 90% at 21.6 h.
      status: { notBefore: iso(0), notAfter: iso(DAY), renewalTime: iso(16 * HOUR), failedIssuanceAttempts: 0 },
      now: 22 * HOUR,
      expected: 'Overdue',
    },
    {
      name: 'is Expiring within the warning days when renewal is not yet due',
      status: { ...issued, renewalTime: iso(85 * DAY) },
      now: 75 * DAY,
      expected: 'Expiring',
    },
    {
      name: 'uses expiryWarningDays for Expiring',
      status: { ...issued, renewalTime: iso(85 * DAY) },
      now: 75 * DAY,
      warn: 10,
      expected: 'Valid',
    },
    { name: 'is Expired from notAfter', status: issued, now: 90 * DAY, expected: 'Expired' },
    {
      name: 'is BackingOff after a failure, before the next attempt',
      status: failed(issued),
      now: 61 * DAY + HOUR,
      expected: 'BackingOff',
    },
    {
      name: 'is RetryDue once the backoff has ended',
      status: failed(issued),
      now: 61 * DAY + 2 * HOUR,
      expected: 'RetryDue',
    },
    {
      name: 'is BackingOff when a first issuance failed',
      status: failed({ failedIssuanceAttempts: 0 }),
      now: 61 * DAY,
      expected: 'BackingOff',
    },
    {
      name: 'derives the backoff from the last failure when no next attempt is stored',
      status: { ...issued, failedIssuanceAttempts: 3, lastFailureTime: iso(61 * DAY) },
      now: 61 * DAY + 3 * HOUR,
      expected: 'BackingOff',
    },
    { name: 'ranks Expired above BackingOff', status: failed(issued), now: 91 * DAY, expected: 'Expired' },
    { name: 'ranks BackingOff above Overdue', status: failed(issued), now: 61 * DAY + HOUR, expected: 'BackingOff' },
    {
      name: 'ranks Due above Expiring',
      status: { ...issued, renewalTime: iso(75 * DAY) },
      now: 75 * DAY,
      expected: 'Due',
    },
    {
      name: 'judges by 2/3 of the lifetime when no renewal time is stored',
      status: { notBefore: iso(0), notAfter: iso(90 * DAY), failedIssuanceAttempts: 0 },
      now: 60 * DAY,
      expected: 'Due',
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const options = c.warn === undefined ? {} : { expiryWarningDays: c.warn };
      assert.equal(classify(c.status, at(c.now), options), c.expected);
    });
  }
});

describe('Function: daysToExpiry', () => {
  it('counts fractional days to notAfter', () => {
    assert.equal(daysToExpiry({ notAfter: iso(90 * DAY) }, at(89.5 * DAY)), 0.5);
  });

  it('turns negative once expired', () => {
    assert.equal(daysToExpiry({ notAfter: iso(90 * DAY) }, at(92 * DAY)), -2);
  });

  it('is undefined before any certificate exists', () => {
    assert.equal(daysToExpiry({}, t0), undefined);
  });
});

describe('Function: failureBackoffMs', () => {
  const cases: Array<[attempts: number, hours: number]> = [
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 4],
    [4, 8],
    [5, 16],
    [6, 32],
    [7, 32],
    [20, 32],
  ];
  for (const [attempts, hours] of cases) {
    it(`waits ${hours} h after ${attempts} failed attempts`, () => {
      assert.equal(failureBackoffMs(attempts), hours * HOUR);
    });
  }
});

describe('Function: nextAttemptTime', () => {
  it('adds the backoff to the failure time', () => {
    assert.equal(nextAttemptTime(t0, 3).toISOString(), iso(4 * HOUR));
  });

  it('waits for a later time the CA named, never for an earlier one', () => {
    assert.equal(nextAttemptTime(t0, 3, at(5 * HOUR)).toISOString(), iso(5 * HOUR));
    assert.equal(nextAttemptTime(t0, 3, at(3 * HOUR)).toISOString(), iso(4 * HOUR));
    assert.equal(nextAttemptTime(t0, 0, at(-HOUR)).toISOString(), iso(0));
  });
});

describe('Function: dueTime', () => {
  const cases: Array<{
    name: string;
    status: Pick<CertificateStatus, 'renewalTime' | 'nextAttemptTime'>;
    expected?: string;
  }> = [
    {
      name: 'is the renewal time when nothing failed',
      status: { renewalTime: iso(60 * DAY) },
      expected: iso(60 * DAY),
    },
    {
      name: 'is the next attempt when nothing was issued',
      status: { nextAttemptTime: iso(HOUR) },
      expected: iso(HOUR),
    },
    {
      name: 'is the retry after a failed spec change, before the renewal',
      status: { renewalTime: iso(60 * DAY), nextAttemptTime: iso(HOUR) },
      expected: iso(HOUR),
    },
    {
      name: 'is the retry after a failed renewal, not the renewal time already passed',
      status: { renewalTime: iso(-HOUR), nextAttemptTime: iso(2 * HOUR) },
      expected: iso(2 * HOUR),
    },
    { name: 'is undefined when nothing is planned', status: {}, expected: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(dueTime(c.status), c.expected);
    });
  }
});

describe('Function: indexDueTime', () => {
  const left = (since: string, issuanceId = 'exec-1') => ({ issuanceId, issuer: 'le', records: [], since });
  const lease = { id: 'exec-2', revision: 1, generation: iso(-DAY), startedAt: iso(0), issuer: 'le' };
  const cases: Array<{
    name: string;
    status: Parameters<typeof indexDueTime>[0];
    expected?: string;
  }> = [
    { name: 'is the due time without leftovers', status: { renewalTime: iso(60 * DAY) }, expected: iso(60 * DAY) },
    {
      name: 'is the earliest leftover’s time when it is before the due time',
      status: { renewalTime: iso(60 * DAY), leftovers: [left(iso(2 * HOUR)), left(iso(HOUR), 'exec-0')] },
      expected: iso(HOUR),
    },
    {
      name: 'is the due time when that comes before every leftover',
      status: { nextAttemptTime: iso(HOUR), leftovers: [left(iso(3 * HOUR))] },
      expected: iso(HOUR),
    },
    {
      name: 'is the leftover’s time when nothing else is planned',
      status: { leftovers: [left(iso(HOUR))] },
      expected: iso(HOUR),
    },
    {
      name: 'is the leftover’s time before the lease’s expiry',
      status: { issuance: lease, leftovers: [left(iso(HOUR))] },
      expected: iso(HOUR),
    },
    {
      name: 'is the lease’s expiry under a lease',
      status: { issuance: lease, renewalTime: iso(HOUR) },
      expected: iso(2 * HOUR),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(indexDueTime(c.status), c.expected);
    });
  }
});
