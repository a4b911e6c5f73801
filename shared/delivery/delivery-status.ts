/**
 * How deliveries show in a certificate's status: one entry per target of the spec
 * (`status.delivery`), from each attempt's outcome. The `Synced` condition that sums them up,
 * True only when every target holds the current certificate, is a status rule
 * (`synced` in shared/certificates/status.ts).
 */
import type { CertificateRecord } from '../domain/record.js';
import type { DeliveryTarget } from '../domain/spec.js';
import { type TargetDelivery, boundMessage } from '../domain/status.js';
import { synced } from '../certificates/status.js';
import { sameTarget } from './messages.js';

/** The outcome of one attempt at one target. */
export type TargetOutcome =
  | { target: DeliveryTarget; ok: true; revision: number; serialNumber: string }
  | { target: DeliveryTarget; ok: false; error: string };

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
    return { ...(previous ?? { cluster, namespace, secretName }), lastError: boundMessage(outcome.error) };
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

/**
 * The record with these outcomes in `status.delivery` and the `Synced` condition updated, or
 * undefined when nothing changes. Targets no longer in the spec leave the list.
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
  return synced(record, entries, now);
}
