import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  READY_MESSAGE,
  cleanupFailed,
  failed,
  issued,
  issuing,
  leftoversRemoved,
  presenting,
  stillServing,
  synced,
} from '../../shared/certificates/status.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { holdsLease } from '../../shared/certificates/lease.js';
import { type Leftover, type PresentedRecord, getCondition } from '../../shared/domain/status.js';
import { validateSpec } from '../../shared/domain/validate-spec.js';

const t0 = new Date('2026-06-01T00:00:00Z');
const t1 = new Date('2026-06-01T00:05:00Z');
const t2 = new Date('2026-06-01T00:10:00Z');
const target = { cluster: 'blue', namespace: 'shop', secretName: 'web-tls' };

function fresh(): CertificateRecord {
  return {
    name: 'web',
    spec: validateSpec({ name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'], targets: [target] }),
    revision: 1,
    version: 1,
    status: { conditions: [], failedIssuanceAttempts: 0 },
    events: [],
    createdAt: t0.toISOString(),
    updatedAt: t0.toISOString(),
  };
}

const certificate = (serialNumber: string, revision = 1) => ({
  notBefore: '2026-06-01T00:00:00.000Z',
  notAfter: '2026-08-30T00:00:00.000Z',
  serialNumber,
  secretArn: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:certflow/web-${serialNumber}`,
  revision,
  renewalTime: '2026-07-31T00:00:00.000Z',
});

const condition = (record: CertificateRecord, type: 'Ready' | 'Issuing' | 'Synced') =>
  getCondition(record.status.conditions, type);
const summary = (record: CertificateRecord, type: 'Ready' | 'Issuing' | 'Synced') => {
  const c = condition(record, type);
  return c ? `${c.status}/${c.reason}` : 'absent';
};

/** A record whose first issuance (exec-1) stored certificate `s1`. */
function servingRecord(): CertificateRecord {
  const started = issuing(
    fresh(),
    { issuanceId: 'exec-1', issuer: 'le', reason: 'Issuing', message: 'Issuing certificate' },
    t0,
  )!;
  return issued(started, certificate('s1'), t1)!;
}

describe('Certificate status rules', () => {
  it('first issuance: Issuing=True without Ready, then Ready=True and Issuing removed', () => {
    const started = issuing(
      fresh(),
      { issuanceId: 'exec-1', issuer: 'le', reason: 'Issuing', message: 'Issuing certificate' },
      t0,
    )!;
    assert.equal(summary(started, 'Issuing'), 'True/Issuing');
    assert.equal(summary(started, 'Ready'), 'absent');
    assert.equal(started.status.lastIssuanceId, 'exec-1');
    assert.deepEqual(
      started.events.map((e) => e.reason),
      ['Issuing'],
    );

    const done = issued(started, certificate('s1'), t1)!;
    assert.equal(summary(done, 'Ready'), 'True/Ready');
    assert.equal(condition(done, 'Ready')!.message, READY_MESSAGE);
    assert.equal(summary(done, 'Issuing'), 'absent');
    assert.equal(done.status.serialNumber, 's1');
    assert.equal(done.status.revision, 1);
    assert.deepEqual(
      done.events.map((e) => e.reason),
      ['Issuing', 'Issued'],
    );
  });

  it('renewal: Ready stays True (and keeps its transition time) while Issuing=True', () => {
    const renewing = issuing(
      servingRecord(),
      {
        issuanceId: 'exec-2',
        issuer: 'le',
        reason: 'Renewing',
        message: 'Renewing certificate as renewal was scheduled',
      },
      t2,
    )!;
    assert.equal(summary(renewing, 'Ready'), 'True/Ready');
    assert.equal(condition(renewing, 'Ready')!.lastTransitionTime, t1.toISOString());
    assert.equal(summary(renewing, 'Issuing'), 'True/Renewing');
  });

  it('a stored certificate resets the failures and the backoff', () => {
    const failing = failed(servingRecord(), { issuanceId: 'exec-2', message: 'acme: rate limited' }, t2)!;
    assert.equal(failing.status.failedIssuanceAttempts, 1);
    assert.ok(failing.status.nextAttemptTime);
    const again = issuing(
      failing,
      { issuanceId: 'exec-3', issuer: 'le', reason: 'Renewing', message: 'Renewing' },
      t2,
    )!;
    const done = issued(again, certificate('s2'), t2)!;
    assert.equal(done.status.failedIssuanceAttempts, 0);
    assert.equal(done.status.nextAttemptTime, undefined);
    assert.equal(done.status.serialNumber, 's2');
    assert.equal(summary(done, 'Issuing'), 'absent');
  });

  it('a failed renewal while the old certificate still serves keeps Ready=True', () => {
    const record = servingRecord();
    assert.equal(stillServing(record, t2), true);
    const failing = failed(record, { issuanceId: 'exec-2', message: 'acme: rate limited' }, t2)!;
    assert.equal(summary(failing, 'Ready'), 'True/Ready');
    assert.equal(summary(failing, 'Issuing'), 'False/Failed');
    assert.match(condition(failing, 'Issuing')!.message, /will be retried: acme: rate limited$/);
    assert.equal(failing.status.lastFailedIssuanceId, 'exec-2');
    assert.equal(failing.status.lastFailureTime, t2.toISOString());
    assert.deepEqual(
      failing.events.map((e) => `${e.type}/${e.reason}`),
      ['Normal/Issuing', 'Normal/Issued', 'Warning/Failed'],
    );
  });

  it('a failure after the certificate expired turns Ready=False with the failing message', () => {
    const afterExpiry = new Date('2026-09-01T00:00:00Z');
    const record = servingRecord();
    assert.equal(stillServing(record, afterExpiry), false);
    const failing = failed(record, { issuanceId: 'exec-2', message: 'acme: unauthorized' }, afterExpiry)!;
    assert.equal(summary(failing, 'Ready'), 'False/Failed');
    assert.equal(condition(failing, 'Ready')!.message, 'acme: unauthorized');
  });

  it('a first issuance that fails turns Ready=False', () => {
    const started = issuing(
      fresh(),
      { issuanceId: 'exec-1', issuer: 'le', reason: 'Issuing', message: 'Issuing' },
      t0,
    )!;
    const failing = failed(started, { issuanceId: 'exec-1', message: 'dns: SERVFAIL' }, t1)!;
    assert.equal(summary(failing, 'Ready'), 'False/Failed');
    assert.equal(summary(failing, 'Issuing'), 'False/Failed');
  });

  it('spec change: Issuing reason SpecChanged; its failure turns Ready=False (the old certificate no longer matches)', () => {
    const changed = { ...servingRecord(), revision: 2 };
    assert.equal(stillServing(changed, t2), false);
    const started = issuing(
      changed,
      { issuanceId: 'exec-2', issuer: 'le', reason: 'SpecChanged', message: 'spec changed' },
      t2,
    )!;
    assert.equal(summary(started, 'Issuing'), 'True/SpecChanged');
    assert.equal(summary(started, 'Ready'), 'True/Ready');
    const failing = failed(started, { issuanceId: 'exec-2', message: 'acme: rejected identifier' }, t2)!;
    assert.equal(summary(failing, 'Ready'), 'False/Failed');
    const done = issued(started, certificate('s2', 2), t2)!;
    assert.equal(done.status.revision, 2);
    assert.equal(stillServing(done, t2), true);
  });

  describe('the next attempt after a failure: the later of the backoff and the CA’s time (retryAt)', () => {
    const HOUR = 3_600_000;
    const at = (ms: number) => new Date(t2.getTime() + ms);
    // A record that failed `before` times already: this failure is attempt before + 1.
    const failedBefore = (before: number) => ({
      ...servingRecord(),
      status: { ...servingRecord().status, failedIssuanceAttempts: before },
    });
    const cases: Array<{ name: string; before: number; retryAt?: Date; expected: Date }> = [
      { name: 'no CA time: the backoff (1 h after the first failure)', before: 0, expected: at(HOUR) },
      { name: 'the CA’s time a day away: the CA’s time', before: 0, retryAt: at(24 * HOUR), expected: at(24 * HOUR) },
      { name: 'the CA’s time 10 min away: the 1 h backoff', before: 0, retryAt: at(10 * 60_000), expected: at(HOUR) },
      { name: 'the CA’s time already past: the backoff', before: 0, retryAt: at(-HOUR), expected: at(HOUR) },
      { name: 'the CA’s time equal to the backoff', before: 0, retryAt: at(HOUR), expected: at(HOUR) },
      { name: 'third failure (4 h), CA in 3 h: the backoff', before: 2, retryAt: at(3 * HOUR), expected: at(4 * HOUR) },
      {
        name: 'third failure (4 h), CA in 5 h: the CA’s time',
        before: 2,
        retryAt: at(5 * HOUR),
        expected: at(5 * HOUR),
      },
      { name: 'past the 32 h backoff cap, CA in 3 days', before: 9, retryAt: at(72 * HOUR), expected: at(72 * HOUR) },
    ];
    for (const { name, before, retryAt, expected } of cases) {
      it(name, () => {
        const event = { issuanceId: 'exec-2', message: 'acme: rate limited', ...(retryAt ? { retryAt } : {}) };
        const failing = failed(failedBefore(before), event, t2)!;
        assert.equal(failing.status.nextAttemptTime, expected.toISOString());
        assert.equal(failing.status.failedIssuanceAttempts, before + 1);
        assert.equal(failing.status.lastFailureTime, t2.toISOString());
      });
    }
  });

  it('a re-run step writes nothing: each rule answers undefined when its event is recorded', () => {
    const started = issuing(
      fresh(),
      { issuanceId: 'exec-1', issuer: 'le', reason: 'Issuing', message: 'Issuing' },
      t0,
    )!;
    assert.equal(
      issuing(started, { issuanceId: 'exec-1', issuer: 'le', reason: 'Issuing', message: 'Issuing' }, t1),
      undefined,
    );
    const done = issued(started, certificate('s1'), t1)!;
    assert.equal(issued(done, certificate('s1'), t2), undefined);
    const failing = failed(done, { issuanceId: 'exec-2', message: 'x' }, t2)!;
    assert.equal(failed(failing, { issuanceId: 'exec-2', message: 'x' }, t2), undefined);
    assert.equal(failing.status.failedIssuanceAttempts, 1);
  });

  it('a failed issuance whose Cleanup also failed records both warnings', () => {
    const failing = failed(
      servingRecord(),
      {
        issuanceId: 'exec-2',
        message: 'acme: finalize refused',
        cleanupFailure: 'left _acme-challenge.web.example.com',
      },
      t2,
    )!;
    assert.deepEqual(
      failing.events.slice(-2).map((e) => `${e.reason}: ${e.message}`),
      ['Failed: acme: finalize refused', 'CleanupFailed: left _acme-challenge.web.example.com'],
    );
  });

  it('cleanupFailed is a warning only: conditions and status are untouched', () => {
    const record = servingRecord();
    const next = cleanupFailed(record, 'left _acme-challenge.web.example.com', t2);
    assert.deepEqual(next.status, record.status);
    assert.deepEqual(next.events.at(-1), {
      type: 'Warning',
      reason: 'CleanupFailed',
      message: 'left _acme-challenge.web.example.com',
      time: t2.toISOString(),
    });
  });

  it('synced: Pending, then True (an event), then SyncFailed (an event), then nothing when unchanged', () => {
    const record = servingRecord();
    const pending = synced(record, [{ ...target }], t1)!;
    assert.equal(summary(pending, 'Synced'), 'False/Pending');
    assert.equal(pending.events.length, record.events.length, 'Pending is not an event');

    const entry = { ...target, serialNumber: 's1', revision: 1, syncedAt: t2.toISOString() };
    const ok = synced(pending, [entry], t2)!;
    assert.equal(summary(ok, 'Synced'), 'True/Synced');
    assert.equal(ok.events.at(-1)!.reason, 'Synced');
    assert.equal(synced(ok, [entry], t2), undefined);

    const broken = synced(ok, [{ ...entry, lastError: 'kubernetes: 403' }], t2)!;
    assert.equal(summary(broken, 'Synced'), 'False/SyncFailed');
    assert.deepEqual([broken.events.at(-1)!.type, broken.events.at(-1)!.reason], ['Warning', 'SyncFailed']);
    assert.equal(summary(synced(broken, [], t2)!, 'Synced'), 'absent');
  });

  it('keeps a record under DynamoDB’s 400 KB after many failures with 26 KB messages', () => {
    const names = Array.from({ length: 100 }, (_, i) => `${'n'.repeat(240)}-${i}.example.com`);
    let record = fresh();
    const message = `acme: rejected identifiers ${names.join(', ')}`;
    assert.ok(Buffer.byteLength(message) > 25_000);
    for (let i = 0; i < 80; i++) {
      record = failed(record, { issuanceId: `exec-${i}`, message, cleanupFailure: message }, t1)!;
    }
    assert.equal(record.status.failedIssuanceAttempts, 80);
    assert.ok(
      Buffer.byteLength(JSON.stringify(record)) < 100_000,
      `${Buffer.byteLength(JSON.stringify(record))} bytes`,
    );
  });
});

describe('Leases and leftovers', () => {
  const HOUR = 3_600_000;
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const presented: PresentedRecord[] = [
    { recordName: '_acme-challenge.web.example.com', value: 'txt-1', solver: 0 },
    { recordName: '_acme-challenge.www.example.com', value: 'txt-2', solver: 1 },
  ];
  const start = (record: CertificateRecord, issuanceId: string, now: Date) =>
    issuing(record, { issuanceId, issuer: 'le', reason: 'Issuing', message: 'Issuing certificate' }, now)!;
  /** exec-1 took the lease at t0 and presented its TXT values. */
  const presentedRecord = () => presenting(start(fresh(), 'exec-1', t0), 'exec-1', presented)!;

  it('a new issuance over an expired lease keeps the old holder’s TXT values as a leftover', () => {
    const later = at(2 * HOUR);
    const next = start(presentedRecord(), 'exec-2', later);
    assert.equal(next.status.issuance?.id, 'exec-2');
    assert.equal(next.status.issuance?.presented, undefined, 'the new lease names none yet');
    assert.deepEqual(next.status.leftovers, [
      { issuanceId: 'exec-1', issuer: 'le', records: presented, since: later.toISOString() },
    ]);
  });

  it('keeps the leftovers already on the record, and adds none for a lease that presented nothing', () => {
    const old: Leftover = { issuanceId: 'exec-0', issuer: 'le', records: [presented[0]!], since: t0.toISOString() };
    const record = presentedRecord();
    const withOld = { ...record, status: { ...record.status, leftovers: [old] } };
    assert.deepEqual(
      start(withOld, 'exec-2', at(3 * HOUR)).status.leftovers?.map((l) => l.issuanceId),
      ['exec-0', 'exec-1'],
    );
    assert.equal(start(start(fresh(), 'exec-1', t0), 'exec-2', at(3 * HOUR)).status.leftovers, undefined);
  });

  it('a newer revision preempting a live lease keeps no leftover: the running holder cleans up itself', () => {
    const record = presentedRecord();
    const next = start({ ...record, revision: 2 }, 'exec-r2', at(HOUR));
    assert.equal(next.status.issuance?.id, 'exec-r2');
    assert.equal(next.status.leftovers, undefined);
  });

  it('leftoversRemoved drops only the named leftovers, with a Normal event', () => {
    const leftovers: Leftover[] = [
      { issuanceId: 'exec-1', issuer: 'le', records: presented, since: t0.toISOString() },
      { issuanceId: 'exec-2', issuer: 'le', records: [presented[0]!], since: t1.toISOString() },
    ];
    const record = { ...fresh(), status: { ...fresh().status, leftovers } };
    const next = leftoversRemoved(record, ['exec-1', 'exec-9'], t2)!;
    assert.deepEqual(next.status.leftovers, [leftovers[1]]);
    assert.deepEqual(next.events.at(-1), {
      type: 'Normal',
      reason: 'LeftoversRemoved',
      message: 'removed 2 TXT value(s) left by issuance(s) exec-1',
      time: t2.toISOString(),
    });
    const none = leftoversRemoved(next, ['exec-2'], t2)!;
    assert.ok(!('leftovers' in none.status), 'no empty list is kept');
    assert.equal(leftoversRemoved(none, ['exec-2'], t2), undefined, 'none left to drop');
    assert.equal(leftoversRemoved(record, ['exec-9'], t2), undefined);
  });

  it('holdsLease without a lease: the last issuance started holds it until its failure is recorded', () => {
    const holder = { issuanceId: 'exec-1', revision: 1, generation: t0.toISOString() };
    const stored = issued(start(fresh(), 'exec-1', t0), certificate('s1'), t1)!;
    assert.equal(stored.status.issuance, undefined);
    assert.equal(holdsLease(stored, holder), true, 'a re-run Store may write again');
    assert.equal(holdsLease(stored, { ...holder, issuanceId: 'exec-0' }), false);

    const settled = failed(start(fresh(), 'exec-1', t0), { issuanceId: 'exec-1', message: 'timed out' }, t1)!;
    assert.equal(settled.status.issuance, undefined);
    assert.equal(settled.status.lastIssuanceId, 'exec-1');
    assert.equal(holdsLease(settled, holder), false, 'a late Store after the failure was recorded is fenced');
  });
});
