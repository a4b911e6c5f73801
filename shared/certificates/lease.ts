/**
 * Single flight per certificate: the lease an issuance holds on its inventory record. Pure rules;
 * the steps apply them inside their optimistic writes (`updateRecord`), so taking a lease is one
 * conditional write and two starts racing for it cannot both win.
 *
 * - Prepare takes the lease (`issuing` in status.ts writes it). A live lease of another issuance
 *   for the same spec revision and the same record makes the start end at once, before the CA is
 *   asked anything (`busy`); cert-manager's `renew` while issuing is a no-op too.
 * - A newer spec revision preempts: its issuance takes the lease, and the older one, when it
 *   reaches Store or RecordFailure, no longer holds it and ends quietly (`superseded`).
 * - A lease older than the state machine's timeout belongs to an execution that has ended without
 *   releasing it; anyone may take it.
 */
import type { CertificateRecord } from '../domain/record.js';
import type { IssuanceLease } from '../domain/status.js';
import { ISSUANCE_TIMEOUT_MS } from './executions.js';

/** What an issuance knows of itself, to tell whether it still holds its certificate. */
export interface LeaseHolder {
  issuanceId: string;
  revision: number;
  /** The record's `createdAt` when the issuance started; absent in executions started before leases. */
  generation?: string;
}

/** When a lease stops protecting its issuance: its start plus the state machine's timeout. */
export function leaseExpiry(lease: Pick<IssuanceLease, 'startedAt'>): Date {
  return new Date(Date.parse(lease.startedAt) + ISSUANCE_TIMEOUT_MS);
}

/** The lease of an issuance that may still be running, if any. */
export function liveLease(record: CertificateRecord, now: Date): IssuanceLease | undefined {
  const lease = record.status.issuance;
  return lease && leaseExpiry(lease).getTime() > now.getTime() ? lease : undefined;
}

export type LeaseDecision =
  /** No live lease stands in the way (none, expired, or for an older revision or record). */
  | { kind: 'take' }
  /** This issuance already holds it (a re-run Prepare). */
  | { kind: 'own' }
  /** Another issuance of the same revision runs: this one must not reach the CA. */
  | { kind: 'busy'; holder: IssuanceLease };

/** May issuance `issuanceId` start on `record` now? */
export function decideLease(record: CertificateRecord, issuanceId: string, now: Date): LeaseDecision {
  const lease = record.status.issuance;
  if (lease?.id === issuanceId) return { kind: 'own' };
  // Started and already ended (released): a re-run Prepare of the same execution changes nothing.
  if (!lease && record.status.lastIssuanceId === issuanceId) return { kind: 'own' };
  const live = liveLease(record, now);
  if (live && live.revision >= record.revision && live.generation === record.createdAt) {
    return { kind: 'busy', holder: live };
  }
  return { kind: 'take' };
}

/**
 * Does `holder` still hold `record`: the same record (generation), the same spec revision, and
 * the lease is its own? With no lease on the record, the last issuance started holds it unless its
 * failure was recorded (executions started before leases existed, and a re-run Store).
 */
export function holdsLease(record: CertificateRecord | undefined, holder: LeaseHolder): boolean {
  if (!record) return false;
  if (holder.generation !== undefined && record.createdAt !== holder.generation) return false;
  if (record.revision !== holder.revision) return false;
  const lease = record.status.issuance;
  if (lease) return lease.id === holder.issuanceId;
  // Released: by its own Store (a re-run Store may write again), never by its own failure (an
  // execution recorded as ended, e.g. past its timeout, whose Lambda still finishes must not store).
  return record.status.lastIssuanceId === holder.issuanceId && record.status.lastFailedIssuanceId !== holder.issuanceId;
}

/** Why an issuance ended without a certificate and without a failure. */
export type QuietEnd =
  /** Another issuance of the same revision was running (Prepare). */
  | 'busy'
  /** The spec changed, or the certificate was deleted (and perhaps applied again), meanwhile. */
  | 'superseded';
