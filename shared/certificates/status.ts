/**
 * The certificate's status rules, in one place: what each event of a certificate's life does to
 * its conditions (`Ready`, `Issuing`, `Synced`), its status fields and its event history, in
 * cert-manager's vocabulary. Pure: each rule takes the record and `now` and returns the record to
 * write, or `undefined` when the event was already recorded (a re-run step writes nothing).
 *
 * - {@link issuing}: an issuance starts: `Issuing=True`; `Ready` is left as it is, so a renewal
 *   (or a spec change) keeps serving the old certificate as Ready.
 * - {@link issued}: a certificate is stored: `Ready=True`, `Issuing` removed, the failure count reset.
 * - {@link failed}: an issuance failed: `Issuing=False` and the backoff; `Ready=False` too unless
 *   the stored certificate {@link stillServing} (issued for the current spec, not expired).
 * - {@link cleanupFailed}: the issuance stored its certificate but Cleanup failed: a warning only.
 * - {@link synced}: deliveries to EKS: `Synced` sums up `status.delivery`.
 */
import type { CertificateRecord } from '../domain/record.js';
import { targetName } from '../domain/spec.js';
import {
  type CertificateEvent,
  type CertificateStatus,
  type Condition,
  type Leftover,
  type PresentedRecord,
  type TargetDelivery,
  Reasons,
  appendEvent,
  getCondition,
  removeCondition,
  setCondition,
} from '../domain/status.js';
import { leaseExpiry } from './lease.js';
import { nextAttemptTime } from './renewal-policy.js';

/** The message of `Ready=True`. */
export const READY_MESSAGE = 'Certificate is up to date and has not expired';

/** An issuance starts (Prepare). */
export interface IssuingEvent {
  issuanceId: string;
  /** The issuer it orders from (kept in the lease: whoever cleans up after it needs its solvers). */
  issuer: string;
  /** The condition's reason: why it started (`Issuing`, `Renewing`, `SpecChanged`, …). */
  reason: string;
  message: string;
}

/**
 * `Issuing=True` with the issuance's reason; the issuance takes the certificate's lease
 * (`status.issuance`, see lease.ts: the caller decides with `decideLease` first) and is
 * remembered as the last started. Undefined when this issuance already marked the record.
 */
export function issuing(record: CertificateRecord, event: IssuingEvent, now: Date): CertificateRecord | undefined {
  if (record.status.lastIssuanceId === event.issuanceId) return undefined;
  const leftovers = takenOver(record, now);
  return {
    ...record,
    status: {
      ...record.status,
      ...(leftovers ? { leftovers } : {}),
      conditions: setCondition(
        record.status.conditions,
        { type: 'Issuing', status: 'True', reason: event.reason, message: event.message },
        now,
      ),
      lastIssuanceId: event.issuanceId,
      issuance: {
        id: event.issuanceId,
        revision: record.revision,
        generation: record.createdAt,
        startedAt: now.toISOString(),
        issuer: event.issuer,
      },
    },
    events: appendEvent(record.events, { type: 'Normal', reason: Reasons.Issuing, message: event.message }, now),
  };
}

/**
 * The leftovers after a new issuance takes the lease: the TXT values a previous holder named
 * are kept for the sweep when that holder is past the timeout (it ended without its Cleanup). A
 * holder preempted by a newer revision still runs, and its own Cleanup removes its values.
 */
function takenOver(record: CertificateRecord, now: Date): Leftover[] | undefined {
  const previous = record.status.issuance;
  if (!previous?.presented?.length || leaseExpiry(previous).getTime() > now.getTime()) return undefined;
  const known = record.status.leftovers ?? [];
  if (known.some((l) => l.issuanceId === previous.id)) return undefined;
  return [
    ...known,
    { issuanceId: previous.id, issuer: previous.issuer, records: previous.presented, since: now.toISOString() },
  ];
}

/**
 * The sweep removed the TXT values of these leftovers: they are dropped, with a `Normal` event.
 * Undefined when none of them is on the record any more.
 */
export function leftoversRemoved(record: CertificateRecord, issuanceIds: readonly string[], now: Date): CertificateRecord | undefined {
  const known = record.status.leftovers ?? [];
  const removed = known.filter((l) => issuanceIds.includes(l.issuanceId));
  if (!removed.length) return undefined;
  const kept = known.filter((l) => !issuanceIds.includes(l.issuanceId));
  const { leftovers: _all, ...rest } = record.status;
  const count = removed.reduce((n, l) => n + l.records.length, 0);
  return {
    ...record,
    status: kept.length ? { ...rest, leftovers: kept } : rest,
    events: appendEvent(
      record.events,
      {
        type: 'Normal',
        reason: 'LeftoversRemoved',
        message: `removed ${count} TXT value(s) left by issuance(s) ${removed.map((l) => l.issuanceId).join(', ')}`,
      },
      now,
    ),
  };
}

/** The status without the lease: the issuance that held it has ended. */
function released(status: CertificateStatus): CertificateStatus {
  const { issuance: _ended, ...rest } = status;
  return rest;
}

/** A certificate was stored as the current one (Store). */
export interface IssuedEvent {
  notBefore: string;
  notAfter: string;
  serialNumber: string;
  secretArn: string;
  /** The spec revision it was issued for. */
  revision: number;
  renewalTime: string;
  renewalInfo?: CertificateStatus['renewalInfo'];
}

/**
 * The TXT values issuance `issuanceId` is about to present, kept in its lease so that whoever
 * ends an execution that died (the execution-ended rule, the sweep) can remove them. Undefined
 * when the lease is not this issuance's, or already names them all.
 */
export function presenting(
  record: CertificateRecord,
  issuanceId: string,
  records: readonly PresentedRecord[],
): CertificateRecord | undefined {
  const lease = record.status.issuance;
  if (lease?.id !== issuanceId) return undefined;
  const known = lease.presented ?? [];
  const key = (r: PresentedRecord) => `${r.solver}\n${r.recordName}\n${r.value}`;
  const have = new Set(known.map(key));
  const added = records.filter((r) => !have.has(key(r)));
  if (added.length === 0) return undefined;
  return {
    ...record,
    status: { ...record.status, issuance: { ...lease, presented: [...known, ...added] } },
  };
}

/**
 * `Ready=True`, `Issuing` removed, the certificate's fields set, the lease released and the
 * failure count and backoff reset. Undefined when this certificate is already the recorded one.
 */
export function issued(record: CertificateRecord, event: IssuedEvent, now: Date): CertificateRecord | undefined {
  if (record.status.serialNumber === event.serialNumber && record.status.secretArn === event.secretArn) {
    return undefined;
  }
  return {
    ...record,
    status: {
      ...released(record.status),
      conditions: setCondition(
        removeCondition(record.status.conditions, 'Issuing'),
        { type: 'Ready', status: 'True', reason: Reasons.Ready, message: READY_MESSAGE },
        now,
      ),
      notBefore: event.notBefore,
      notAfter: event.notAfter,
      renewalTime: event.renewalTime,
      serialNumber: event.serialNumber,
      secretArn: event.secretArn,
      revision: event.revision,
      failedIssuanceAttempts: 0,
      nextAttemptTime: undefined,
      renewalInfo: event.renewalInfo,
    },
    events: appendEvent(
      record.events,
      { type: 'Normal', reason: Reasons.Issued, message: 'The certificate has been successfully issued' },
      now,
    ),
  };
}

/** The stored certificate was issued for the current spec revision and has not expired. */
export function stillServing(record: CertificateRecord, now: Date): boolean {
  const { secretArn, revision, notAfter } = record.status;
  return Boolean(secretArn && revision === record.revision && notAfter && Date.parse(notAfter) > now.getTime());
}

/** An issuance failed (RecordFailure). */
export interface FailedEvent {
  issuanceId: string;
  /** The failing component's message (for ACME, the CA's). */
  message: string;
  /** A Cleanup that also failed for good: its message, which names the TXT records left behind. */
  cleanupFailure?: string;
  /** When a rate-limiting CA allows the next request: the next attempt is the later of it and the backoff. */
  retryAt?: Date;
}

/** The TXT values of the lease, when a failed Cleanup left them: the sweep removes them later. */
function leftoversAfter(record: CertificateRecord, event: FailedEvent, now: Date): Leftover[] | undefined {
  const lease = record.status.issuance;
  const kept = record.status.leftovers;
  if (event.cleanupFailure === undefined || lease?.id !== event.issuanceId || !lease.presented?.length) return kept;
  return [
    ...(kept ?? []),
    { issuanceId: lease.id, issuer: lease.issuer, records: lease.presented, since: now.toISOString() },
  ];
}

/**
 * `Issuing=False` (reason `Failed`), the lease released, one more failed attempt and the next
 * attempt after cert-manager's backoff; with a failed Cleanup, the TXT values it presented are
 * kept as leftovers. `Ready=False` too, unless the stored certificate still serves: as in
 * cert-manager, a failed renewal of a certificate that matches its spec and has not expired
 * keeps `Ready=True`. Undefined when this issuance's failure is already counted.
 */
export function failed(record: CertificateRecord, event: FailedEvent, now: Date): CertificateRecord | undefined {
  if (record.status.lastFailedIssuanceId === event.issuanceId) return undefined;
  const attempts = record.status.failedIssuanceAttempts + 1;
  const ready = stillServing(record, now)
    ? record.status.conditions
    : setCondition(
        record.status.conditions,
        { type: 'Ready', status: 'False', reason: Reasons.Failed, message: event.message },
        now,
      );
  const leftovers = leftoversAfter(record, event, now);
  const events = appendEvent(record.events, { type: 'Warning', reason: Reasons.Failed, message: event.message }, now);
  return {
    ...record,
    status: {
      ...released(record.status),
      conditions: setCondition(
        ready,
        {
          type: 'Issuing',
          status: 'False',
          reason: Reasons.Failed,
          message: `The certificate request has failed to complete and will be retried: ${event.message}`,
        },
        now,
      ),
      failedIssuanceAttempts: attempts,
      lastFailureTime: now.toISOString(),
      nextAttemptTime: nextAttemptTime(now, attempts, event.retryAt).toISOString(),
      lastFailedIssuanceId: event.issuanceId,
      ...(leftovers ? { leftovers } : {}),
    },
    events:
      event.cleanupFailure === undefined
        ? events
        : appendEvent(events, { type: 'Warning', reason: 'CleanupFailed', message: event.cleanupFailure }, now),
  };
}

/**
 * The certificate was stored, but Cleanup failed for good: a `CleanupFailed` warning, and the TXT
 * values it could not remove are kept as leftovers for the sweep.
 */
export function cleanupFailed(
  record: CertificateRecord,
  message: string,
  now: Date,
  left?: Omit<Leftover, 'since'>,
): CertificateRecord {
  const known = record.status.leftovers ?? [];
  const keep = left && left.records.length > 0 && !known.some((l) => l.issuanceId === left.issuanceId);
  return {
    ...record,
    status: keep ? { ...record.status, leftovers: [...known, { ...left, since: now.toISOString() }] } : record.status,
    events: appendEvent(record.events, { type: 'Warning', reason: 'CleanupFailed', message }, now),
  };
}

/** Reasons of the `Synced` condition. */
export const SyncReasons = {
  Synced: 'Synced',
  SyncFailed: 'SyncFailed',
  Pending: 'Pending',
} as const;

/** How many failing targets the condition's message names before it says "and N more". */
const NAMED_FAILURES = 3;

/** The target holds the certificate the status says is current, and its last attempt succeeded. */
function holdsCurrent(entry: TargetDelivery | undefined, serialNumber: string | undefined): boolean {
  return (
    entry !== undefined && !entry.lastError && entry.serialNumber !== undefined && entry.serialNumber === serialNumber
  );
}

/** The `Synced` condition for these entries, against the certificate the status says is current. */
export function syncedCondition(
  entries: readonly TargetDelivery[],
  serialNumber: string | undefined,
): Omit<Condition, 'lastTransitionTime'> {
  const total = entries.length;
  const failedEntries = entries.filter((e) => e.lastError);
  if (failedEntries.length > 0) {
    const named = failedEntries.slice(0, NAMED_FAILURES).map((e) => `${targetName(e)}: ${e.lastError}`);
    const more = failedEntries.length > NAMED_FAILURES ? `; and ${failedEntries.length - NAMED_FAILURES} more` : '';
    return {
      type: 'Synced',
      status: 'False',
      reason: SyncReasons.SyncFailed,
      message: `Failed to deliver to ${failedEntries.length} of ${total} targets: ${named.join('; ')}${more}`,
    };
  }
  const waiting = entries.filter((e) => !holdsCurrent(e, serialNumber));
  if (waiting.length > 0) {
    return {
      type: 'Synced',
      status: 'False',
      reason: SyncReasons.Pending,
      message: `Waiting for ${waiting.length} of ${total} targets: ${waiting.slice(0, NAMED_FAILURES).map(targetName).join(', ')}`,
    };
  }
  return {
    type: 'Synced',
    status: 'True',
    reason: SyncReasons.Synced,
    message: `The current certificate is in all ${total} targets`,
  };
}

/**
 * `status.delivery` becomes `entries` (one per target of the spec, in its order) and `Synced` sums
 * them up; without targets, `Synced` is removed. A flip of `Synced` (but to Pending) is also an
 * event, so `describe` shows when delivery broke and recovered. Undefined when nothing changes.
 */
export function synced(record: CertificateRecord, entries: TargetDelivery[], now: Date): CertificateRecord | undefined {
  const previous = record.status.delivery ?? [];
  const before = getCondition(record.status.conditions, 'Synced');
  const next = entries.length > 0 ? syncedCondition(entries, record.status.serialNumber) : undefined;
  const conditions = next
    ? setCondition(record.status.conditions, next, now)
    : removeCondition(record.status.conditions, 'Synced');
  const after = getCondition(conditions, 'Synced');
  if (JSON.stringify(entries) === JSON.stringify(previous) && JSON.stringify(after) === JSON.stringify(before)) {
    return undefined;
  }
  const flipped = after && after.status !== before?.status && after.reason !== SyncReasons.Pending;
  const flipEvent: Omit<CertificateEvent, 'time'> | undefined = flipped
    ? { type: after.status === 'True' ? 'Normal' : 'Warning', reason: after.reason, message: after.message }
    : undefined;
  return {
    ...record,
    status: { ...record.status, conditions, delivery: entries },
    events: flipEvent ? appendEvent(record.events, flipEvent, now) : record.events,
  };
}
