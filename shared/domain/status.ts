/**
 * Certificate status and its conditions, in cert-manager's vocabulary. `lastTransitionTime`
 * moves only when a condition's status flips, as in cert-manager's `pkg/api/util/conditions.go`.
 */

export type ConditionType = 'Ready' | 'Issuing' | 'Synced';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** cert-manager's reasons. */
export const Reasons = {
  Issuing: 'Issuing',
  Generated: 'Generated',
  Requested: 'Requested',
  Issued: 'Issued',
  Renewing: 'Renewing',
  Failed: 'Failed',
  DoesNotExist: 'DoesNotExist',
  Expired: 'Expired',
  Ready: 'Ready',
} as const;
export type Reason = (typeof Reasons)[keyof typeof Reasons];

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface CertificateEvent {
  time: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What one delivery target of the spec holds (EKS delivery; see shared/delivery/). */
export interface TargetDelivery {
  cluster: string;
  namespace: string;
  secretName: string;
  /** Spec revision and serial number of the certificate last written to (or found in) the target. */
  revision?: number;
  serialNumber?: string;
  /** When certflow last wrote that certificate there, or found it already current. */
  syncedAt?: string;
  /** Why the last attempt failed; absent once a delivery succeeds. */
  lastError?: string;
}

export interface CertificateStatus {
  conditions: Condition[];
  notBefore?: string;
  notAfter?: string;
  renewalTime?: string;
  serialNumber?: string;
  secretArn?: string;
  /** Revision of the spec the current certificate was issued for. */
  revision?: number;
  failedIssuanceAttempts: number;
  lastFailureTime?: string;
  /** After a failure: when the next attempt may start (cert-manager's backoff, 1h·2^(n-1) ≤ 32h). */
  nextAttemptTime?: string;
  /** The CA's ARI (RFC 9773) answer for the current certificate, when the CA offers ARI. */
  renewalInfo?: {
    certificateId: string;
    /** Where the CA answers for this certificate (an unauthenticated GET). */
    url: string;
    windowStart: string;
    windowEnd: string;
    /** When to ask the CA again (its Retry-After). */
    checkAfter?: string;
    explanationUrl?: string;
  };
  /** Per target of `spec.targets`, in its order: what the cluster holds (the `Synced` condition sums it up). */
  delivery?: TargetDelivery[];
  /** The issuance (execution) that last started for this certificate. */
  lastIssuanceId?: string;
  /** The issuance whose failure was last counted (a re-run RecordFailure counts nothing). */
  lastFailedIssuanceId?: string;
  /**
   * The issuance that holds the certificate now (single flight): taken by Prepare, released when
   * the issuance is stored or fails. Store and RecordFailure act only while they hold it.
   */
  issuance?: IssuanceLease;
  /** TXT values a Cleanup could not remove, kept until the sweep removes them. */
  leftovers?: Leftover[];
}

/** A TXT value an issuance presented: enough to remove it again. Public data. */
export interface PresentedRecord {
  recordName: string;
  value: string;
  /** Index of the issuer's solver that presented it. */
  solver: number;
}

/** The issuance that holds a certificate (see `shared/certificates/lease.ts`). */
export interface IssuanceLease {
  /** The execution's name: unique, never reused. */
  id: string;
  /** The spec revision it issues. */
  revision: number;
  /** The record's creation time when it started: a certificate deleted and applied again is another. */
  generation: string;
  startedAt: string;
  /** The issuer it orders from, and the TXT values it presented (written before presenting them). */
  issuer: string;
  presented?: PresentedRecord[];
}

/** TXT values left behind by an issuance whose Cleanup failed. */
export interface Leftover {
  issuanceId: string;
  issuer: string;
  records: PresentedRecord[];
  since: string;
}

/** Bound on the event history kept per certificate. */
export const MAX_EVENTS = 50;

/**
 * Bound on each stored message (conditions, events, delivery errors), in UTF-8 bytes: 50 events
 * and a few conditions stay far below DynamoDB's 400 KB item size. The full text is in the logs.
 */
export const MAX_MESSAGE_BYTES = 1024;
const TRUNCATED = ' … (truncated; the full message is in the logs)';
const utf8 = new TextEncoder();

/** `message`, cut to {@link MAX_MESSAGE_BYTES} with a note that says so. */
export function boundMessage(message: string): string {
  if (utf8.encode(message).length <= MAX_MESSAGE_BYTES) return message;
  const room = MAX_MESSAGE_BYTES - utf8.encode(TRUNCATED).length;
  let cut = message.slice(0, room);
  while (utf8.encode(cut).length > room) cut = cut.slice(0, -1);
  // Never leave half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + TRUNCATED;
}

/**
 * Returns `conditions` with `next` set. The transition time is kept when the status does not
 * change, so `Ready=False` that fails again keeps the time it first became False.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition[] {
  const previous = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString();
  const others = conditions.filter((c) => c.type !== next.type);
  return [...others, { ...next, message: boundMessage(next.message), lastTransitionTime }].sort((a, b) =>
    a.type.localeCompare(b.type),
  );
}

/** Removes a condition (cert-manager drops `Issuing` once an issuance ends). */
export function removeCondition(conditions: readonly Condition[], type: ConditionType): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export function getCondition(conditions: readonly Condition[], type: ConditionType): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

/** Appends an event and keeps the newest `MAX_EVENTS`. */
export function appendEvent(
  events: readonly CertificateEvent[],
  event: Omit<CertificateEvent, 'time'>,
  now: Date,
): CertificateEvent[] {
  return [...events, { ...event, message: boundMessage(event.message), time: now.toISOString() }].slice(-MAX_EVENTS);
}
