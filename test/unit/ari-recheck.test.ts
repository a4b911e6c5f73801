import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { HttpGet } from '../../shared/issuers/acme/ari.js';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import { LocalEventPublisher } from '../../shared/adapters/local/local-event-publisher.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { validateSpec } from '../../shared/domain/validate-spec.js';
import { LocalRenewalScheduler } from '../../shared/local/scheduler.js';
import { DEFAULT_RECHECK_MS, FAILED_RECHECK_MS, recheckRenewalInfo } from '../../shared/renewal/ari-recheck.js';
import { dueTime } from '../../shared/certificates/renewal-policy.js';
import { sweep } from '../../shared/renewal/sweep.js';


const NOW = new Date('2026-03-01T00:00:00.000Z');
const clock = { now: () => NOW };
const ID = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';
const URL_OF = `https://ca.test/acme/renewal-info/${ID}`;
const W1 = { start: '2026-04-01T00:00:00.000Z', end: '2026-04-03T00:00:00.000Z' };

function record(): CertificateRecord {
  return {
    name: 'web',
    spec: validateSpec({ name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'] }),
    revision: 1,
    version: 1,
    status: {
      conditions: [],
      failedIssuanceAttempts: 0,
      notBefore: '2026-02-01T00:00:00.000Z',
      notAfter: '2026-05-02T00:00:00.000Z',
      renewalTime: '2026-04-02T00:00:00.000Z',
      renewalInfo: {
        certificateId: ID,
        url: URL_OF,
        windowStart: W1.start,
        windowEnd: W1.end,
        checkAfter: '2026-02-28T18:00:00.000Z',
      },
    },
    events: [],
    createdAt: '2026-02-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
  };
}

function answering(window: { start: string; end: string } | 'error', retryAfter?: string) {
  const asked: string[] = [];
  const get: HttpGet = async (url) => {
    asked.push(url);
    if (window === 'error') return { status: 503, headers: {}, body: '{"detail":"busy"}' };
    return {
      status: 200,
      headers: retryAfter ? { 'retry-after': retryAfter } : {},
      body: JSON.stringify({ suggestedWindow: window }),
    };
  };
  return { asked, get };
}

describe('Function: recheckRenewalInfo (RFC 9773 re-check)', () => {
  let inventory: MemoryInventory;
  let scheduler: LocalRenewalScheduler;
  beforeEach(async () => {
    inventory = new MemoryInventory();
    await inventory.put(record(), 0);
    scheduler = new LocalRenewalScheduler();
  });

  it('makes the re-check the due time when it comes before the renewal', () => {
    assert.equal(dueTime(record().status), '2026-02-28T18:00:00.000Z');
  });

  it('keeps the chosen renewal time when the window has not moved, and asks again at Retry-After', async () => {
    const { asked, get } = answering(W1, '21600');
    assert.equal(await recheckRenewalInfo(record(), { inventory, clock, scheduler, get }), 'unchanged');
    assert.deepEqual(asked, [URL_OF]);
    const status = (await inventory.get('web'))!.status;
    assert.equal(status.renewalTime, '2026-04-02T00:00:00.000Z');
    assert.equal(status.renewalInfo?.checkAfter, new Date(NOW.getTime() + 21_600_000).toISOString());
    assert.deepEqual(scheduler.list(), {});
  });

  it('moves the renewal time and the schedule into a new window', async () => {
    const moved = { start: '2026-03-02T00:00:00.000Z', end: '2026-03-02T12:00:00.000Z' };
    const { get } = answering(moved);
    assert.equal(await recheckRenewalInfo(record(), { inventory, clock, scheduler, get }), 'moved');
    const status = (await inventory.get('web'))!.status;
    const at = Date.parse(status.renewalTime!);
    assert.ok(at >= Date.parse(moved.start) && at <= Date.parse(moved.end), status.renewalTime);
    assert.equal(status.renewalInfo?.windowStart, moved.start);
    assert.equal(status.renewalInfo?.checkAfter, new Date(NOW.getTime() + DEFAULT_RECHECK_MS).toISOString());
    assert.equal(scheduler.list().web?.at, status.renewalTime);
  });

  it('keeps everything but backs off an hour when the CA cannot answer', async () => {
    const { get } = answering('error');
    assert.equal(await recheckRenewalInfo(record(), { inventory, clock, scheduler, get }), 'failed');
    const status = (await inventory.get('web'))!.status;
    assert.equal(status.renewalTime, '2026-04-02T00:00:00.000Z');
    assert.equal(status.renewalInfo?.checkAfter, new Date(NOW.getTime() + FAILED_RECHECK_MS).toISOString());
  });

  it('is what the sweep does for a certificate due only for its re-check: nothing is renewed', async () => {
    const { asked, get } = answering(W1, '21600');
    const starts: string[] = [];
    const report = await sweep(
      {
        inventory,
        clock,
        scheduler,
        get,
        events: new LocalEventPublisher(),
        issuance: { start: async (name) => (starts.push(name), { started: true }), describe: async () => ({ status: 'MISSING' }) },
        abandoned: {
          restart: async () => assert.fail('nothing is abandoned'),
          removeLeftovers: async () => assert.fail('nothing is left over'),
        },
      },
      { expiryWarningDays: 20 },
    );
    assert.equal(report.rechecked, 1);
    assert.deepEqual(starts, []);
    assert.equal(asked.length, 1);
    assert.equal(dueTime((await inventory.get('web'))!.status), new Date(NOW.getTime() + 21_600_000).toISOString());
  });
});
