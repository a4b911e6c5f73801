import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TargetOutcome, recordOutcomes } from '../../shared/delivery/delivery-status.js';
import { parseDeliveryMessage } from '../../shared/delivery/messages.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { getCondition } from '../../shared/domain/status.js';
import { validateSpec } from '../../shared/domain/validate-spec.js';
import { DeliveryError } from '../../shared/errors.js';

const t1 = { cluster: 'blue', namespace: 'shop', secretName: 'web-tls' };
const t2 = { cluster: 'green', namespace: 'shop', secretName: 'web-tls' };
const now = new Date('2026-01-02T00:00:00Z');
const later = new Date('2026-01-02T01:00:00Z');

function record(overrides: Partial<CertificateRecord['status']> = {}): CertificateRecord {
  return {
    name: 'web',
    spec: validateSpec({
      name: 'web',
      issuerRef: { name: 'letsencrypt' },
      dnsNames: ['a.example.com'],
      targets: [t1, t2],
    }),
    revision: 2,
    version: 5,
    status: { conditions: [], failedIssuanceAttempts: 0, serialNumber: 'abc', revision: 2, ...overrides },
    events: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}
const ok = (target: typeof t1, serialNumber = 'abc'): TargetOutcome => ({
  target,
  ok: true,
  revision: 2,
  serialNumber,
});
const failed = (target: typeof t1, error = 'kubernetes: 500'): TargetOutcome => ({ target, ok: false, error });

describe('Function: recordOutcomes', () => {
  it('sets Synced=True when every target holds the current certificate', () => {
    const next = recordOutcomes(record(), [ok(t1), ok(t2)], now)!;
    const synced = getCondition(next.status.conditions, 'Synced')!;
    assert.equal(synced.status, 'True');
    assert.equal(synced.reason, 'Synced');
  });

  it('lists every target with revision, serial number and syncedAt', () => {
    const next = recordOutcomes(record(), [ok(t1), ok(t2)], now)!;
    assert.deepEqual(next.status.delivery, [
      { ...t1, revision: 2, serialNumber: 'abc', syncedAt: now.toISOString() },
      { ...t2, revision: 2, serialNumber: 'abc', syncedAt: now.toISOString() },
    ]);
  });

  it('sets Synced=False naming the failing target and its last error', () => {
    const next = recordOutcomes(record(), [ok(t1), failed(t2, 'kubernetes: PATCH answered 500: boom')], now)!;
    const synced = getCondition(next.status.conditions, 'Synced')!;
    assert.equal(synced.status, 'False');
    assert.equal(synced.reason, 'SyncFailed');
    assert.match(synced.message, /1 of 2 targets: green\/shop\/web-tls: kubernetes: PATCH answered 500: boom/);
  });

  it('keeps what a failing target held before, with the error', () => {
    const delivered = recordOutcomes(record(), [ok(t1), ok(t2)], now)!;
    const next = recordOutcomes(delivered, [failed(t2)], later)!;
    assert.deepEqual(next.status.delivery![1], {
      ...t2,
      revision: 2,
      serialNumber: 'abc',
      syncedAt: now.toISOString(),
      lastError: 'kubernetes: 500',
    });
  });

  it('clears the error once the target succeeds', () => {
    const broken = recordOutcomes(record(), [ok(t1), failed(t2)], now)!;
    const next = recordOutcomes(broken, [ok(t2)], later)!;
    assert.equal(next.status.delivery![1]!.lastError, undefined);
    assert.equal(getCondition(next.status.conditions, 'Synced')!.status, 'True');
  });

  it('says Pending while a target holds an older certificate', () => {
    const delivered = recordOutcomes(record(), [ok(t1), ok(t2)], now)!;
    const renewed = { ...delivered, status: { ...delivered.status, serialNumber: 'def' } };
    const next = recordOutcomes(renewed, [ok(t1, 'def')], later)!;
    const synced = getCondition(next.status.conditions, 'Synced')!;
    assert.equal(synced.reason, 'Pending');
    assert.match(synced.message, /green\/shop\/web-tls/);
  });

  it('changes nothing when a reconcile finds every target current', () => {
    const delivered = recordOutcomes(record(), [ok(t1), ok(t2)], now)!;
    assert.equal(recordOutcomes(delivered, [ok(t1), ok(t2)], later), undefined);
  });

  it('drops targets that left the spec', () => {
    const delivered = recordOutcomes(record(), [ok(t1), ok(t2)], now)!;
    const narrowed = { ...delivered, spec: { ...delivered.spec, targets: [t1] } };
    assert.deepEqual(
      recordOutcomes(narrowed, [ok(t1)], later)!.status.delivery!.map((e) => e.cluster),
      ['blue'],
    );
  });

  it('records a Warning event when delivery breaks and a Normal one when it recovers', () => {
    const good = recordOutcomes(record(), [ok(t1), ok(t2)], now)!;
    const broken = recordOutcomes(good, [failed(t2)], later)!;
    const fixed = recordOutcomes(broken, [ok(t2)], later)!;
    assert.deepEqual(
      fixed.events.map((e) => [e.type, e.reason]),
      [
        ['Normal', 'Synced'],
        ['Warning', 'SyncFailed'],
        ['Normal', 'Synced'],
      ],
    );
  });
});

describe('Function: parseDeliveryMessage', () => {
  it('reads a Certificate Issued event as a certificate message', () => {
    const event = { source: 'certflow', 'detail-type': 'Certificate Issued', detail: { name: 'web', revision: 1 } };
    assert.deepEqual(parseDeliveryMessage(JSON.stringify(event)), { kind: 'certificate', name: 'web' });
  });

  it('reads a Certificate Renewed event as a certificate message', () => {
    const event = { source: 'certflow', 'detail-type': 'Certificate Renewed', detail: { name: 'web' } };
    assert.deepEqual(parseDeliveryMessage(JSON.stringify(event)), { kind: 'certificate', name: 'web' });
  });

  it('refuses other certflow events', () => {
    const event = { source: 'certflow', 'detail-type': 'Certificate Issuance Failed', detail: { name: 'web' } };
    assert.throws(() => parseDeliveryMessage(JSON.stringify(event)), DeliveryError);
  });

  it('reads a target message', () => {
    const message = { kind: 'target', name: 'web', target: t1 };
    assert.deepEqual(parseDeliveryMessage(JSON.stringify(message)), message);
  });

  it('reads a reconcile message with its page token', () => {
    assert.deepEqual(parseDeliveryMessage('{"kind":"reconcile","nextToken":"abc"}'), {
      kind: 'reconcile',
      nextToken: 'abc',
    });
  });

  it('refuses a body that is not JSON without quoting it', () => {
    assert.throws(
      () => parseDeliveryMessage('-----BEGIN PRIVATE KEY----- oops'),
      (error: Error) => error instanceof DeliveryError && !error.message.includes('PRIVATE'),
    );
  });

  it('refuses a target message without a complete target', () => {
    assert.throws(
      () => parseDeliveryMessage(JSON.stringify({ kind: 'target', name: 'web', target: { cluster: 'blue' } })),
      DeliveryError,
    );
  });
});
