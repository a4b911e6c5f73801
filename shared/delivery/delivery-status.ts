/**
 * How deliveries show in a certificate's status: one entry per target of the spec
 * (`status.delivery`) and the `Synced` condition that sums them up, True only when every target
 * holds the current certificate.
 */
import type { CertificateRecord } from '../domain/record.js';
import type { DeliveryTarget } from '../domain/spec.js';
import {
  type Condition,
  type TargetDelivery,
  appendEvent,
  getCondition,
  removeCondition,
  setCondition,
} from '../domain/status.js';
import { sameTarget, targetName } from './messages.js';

/** Reasons of the `Synced` condition. */
export const SyncReasons = {
  Synced: 'Synced',
  SyncFailed: 'SyncFailed',
  Pending: 'Pending',
} as const;

/** The outcome of one attempt at one target. */
export type TargetOutcome =
  | { target: DeliveryTarget; ok: true; revision: number; serialNumber: string }
  | { target: DeliveryTarget; ok: false; error: string };

/** How many failing targets the condition's message names before it says "and N more". */
const NAMED_FAILURES = 3;

function isCurrent(entry: TargetDelivery | undefined, serialNumber: string | undefined): boolean {
  return (
    entry !== undefined && !entry.lastError && entry.serialNumber !== undefined && entry.serialNumber === serialNumber
  );
}

function entryAfter(
  target: DeliveryTarget,
  previous: TargetDelivery | undefined,
  outcome: TargetOutcome | undefined,
  now: Date,
): TargetDelivery {
  const { cluster, namespace, secretName } = target;
  if (!outcome) return previous ?? { cluster, namespace, secretName };
  if (!outcome.ok) {
    // The target keeps what it held before; only the error is new.
    return { ...(previous ?? { cluster, namespace, secretName }), lastError: outcome.error };
  }
  const unchanged =
    previous &&
    !previous.lastError &&
    previous.revision === outcome.revision &&
    previous.serialNumber === outcome.serialNumber;
  // A target found current again keeps its first syncedAt, so a reconcile that changes nothing writes nothing.
  return unchanged
    ? previous
    : {
        cluster,
        namespace,
        secretName,
        revision: outcome.revision,
        serialNumber: outcome.serialNumber,
        syncedAt: now.toISOString(),
      };
}

/** The `Synced` condition for these entries, against the certificate the status says is current. */
export function syncedCondition(
  entries: readonly TargetDelivery[],
  serialNumber: string | undefined,
): Omit<Condition, 'lastTransitionTime'> {
  const total = entries.length;
  const failed = entries.filter((e) => e.lastError);
  if (failed.length > 0) {
    const named = failed.slice(0, NAMED_FAILURES).map((e) => `${targetName(e)}: ${e.lastError}`);
    const more = failed.length > NAMED_FAILURES ? `; and ${failed.length - NAMED_FAILURES} more` : '';
    return {
      type: 'Synced',
      status: 'False',
      reason: SyncReasons.SyncFailed,
      message: `Failed to deliver to ${failed.length} of ${total} targets: ${named.join('; ')}${more}`,
    };
  }
  const waiting = entries.filter((e) => !isCurrent(e, serialNumber));
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
 * The record with these outcomes in `status.delivery` and the `Synced` condition updated, or
 * undefined when nothing changes. Targets no longer in the spec leave the list; a flip of the
 * condition is also recorded as an event, so `describe` shows when delivery broke and recovered.
 */
export function recordOutcomes(
  record: CertificateRecord,
  outcomes: readonly TargetOutcome[],
  now: Date,
): CertificateRecord | undefined {
  const previous = record.status.delivery ?? [];
  const entries = record.spec.targets.map((target) =>
    entryAfter(
      target,
      previous.find((e) => sameTarget(e, target)),
      outcomes.find((o) => sameTarget(o.target, target)),
      now,
    ),
  );
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
  return {
    ...record,
    status: { ...record.status, conditions, delivery: entries },
    events: flipped
      ? appendEvent(
          record.events,
          { type: after.status === 'True' ? 'Normal' : 'Warning', reason: after.reason, message: after.message },
          now,
        )
      : record.events,
  };
}
