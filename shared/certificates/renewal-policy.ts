/**
 * When a certificate needs attention next, decided by pure functions of its status and the time
 * (cert-manager's `internal/controller/certificates/policies`, in miniature). The clock is always
 * an argument, so every rule is tested table-driven against fixed instants.
 */
import { parseDuration } from '../domain/duration.js';
import type { CertificateSpec } from '../domain/spec.js';
import type { CertificateStatus } from '../domain/status.js';
import { leaseExpiry } from './lease.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * When a certificate should be renewed, as cert-manager decides it: `renewBefore` before expiry,
 * or `renewBeforePercentage` of the lifetime before expiry, or by default at 2/3 of the lifetime.
 */
export function renewalTime(
  spec: Pick<CertificateSpec, 'renewBefore' | 'renewBeforePercentage'>,
  notBefore: Date,
  notAfter: Date,
): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  let before = lifetime / 3;
  if (spec.renewBefore) before = parseDuration(spec.renewBefore);
  else if (spec.renewBeforePercentage) before = (lifetime * spec.renewBeforePercentage) / 100;
  // A renewBefore longer than the lifetime would renew at once, for ever: fall back to 2/3.
  if (before >= lifetime) before = lifetime / 3;
  return new Date(notAfter.getTime() - before);
}

/** cert-manager's backoff after the n-th failed issuance: 1h·2^(n-1), at most 32 h. */
export function failureBackoffMs(failedAttempts: number): number {
  if (failedAttempts <= 0) return 0;
  return Math.min(HOUR * 2 ** (failedAttempts - 1), 32 * HOUR);
}

/**
 * When the next attempt may start after a failure at `failedAt`: the end of the backoff, or
 * `notBefore` (the time a rate-limiting CA named) when that is later.
 */
export function nextAttemptTime(failedAt: Date, failedAttempts: number, notBefore?: Date): Date {
  return new Date(Math.max(failedAt.getTime() + failureBackoffMs(failedAttempts), notBefore?.getTime() ?? -Infinity));
}

/**
 * The next moment something must happen to this certificate: after a failure, the end of its
 * backoff (a failed renewal's renewal time has passed; the backoff decides when to try again);
 * otherwise its renewal time, or the ARI re-check when the CA asked to be asked again earlier
 * (the sweep re-checks such a certificate instead of renewing it). Store clears the retry time on
 * success. Undefined: nothing is
 * planned (an issuance still running for the first time). This is the due index's key, and the
 * time the schedule and the sweep name their execution after (`dueExecutionName`).
 */
export function dueTime(
  status: Pick<CertificateStatus, 'renewalTime' | 'nextAttemptTime' | 'renewalInfo'>,
): string | undefined {
  if (status.nextAttemptTime) return status.nextAttemptTime;
  // ARI: the CA's window is asked again at its Retry-After, when that comes before the renewal.
  const checkAfter = status.renewalInfo?.checkAfter;
  if (checkAfter && status.renewalTime && Date.parse(checkAfter) < Date.parse(status.renewalTime)) return checkAfter;
  return status.renewalTime;
}

/**
 * The due index's key: when the sweep must look at this certificate next. While an issuance holds
 * the lease, when that lease expires (the sweep looks at it again then); otherwise {@link dueTime}.
 * A record with leftovers is due at once, so the sweep removes them.
 */
export function indexDueTime(
  status: Pick<CertificateStatus, 'renewalTime' | 'nextAttemptTime' | 'renewalInfo' | 'issuance' | 'leftovers'>,
): string | undefined {
  const due = status.issuance ? leaseExpiry(status.issuance).toISOString() : dueTime(status);
  // TXT values left behind: the next sweep removes them (and then finds the record's real due time).
  const left = status.leftovers?.reduce<string | undefined>((min, l) => (!min || l.since < min ? l.since : min), undefined);
  return left && (!due || left < due) ? left : due;
}

/** What `chooseRenewalTime` decides from. */
export interface RenewalTimeInput {
  spec: Pick<CertificateSpec, 'renewBefore' | 'renewBeforePercentage'>;
  notBefore: Date;
  notAfter: Date;
  /** The CA's ARI suggested window (RFC 9773 §4.2), when it offers one. */
  renewalInfo?: { windowStart: Date; windowEnd: Date };
  now: Date;
  /** Uniform in [0, 1); `Math.random` unless a test injects one. */
  random?: () => number;
}

/**
 * When to renew a certificate. With the CA's ARI window, a uniformly random instant inside it, as
 * RFC 9773 §4.2 asks (so a CA's certificates do not all come back at once): the part of the window
 * already past is skipped, and a window that has ended means now. Without ARI, or with a window
 * whose end is not after its start (which the RFC says to treat as no answer), the spec's own
 * rule: `renewBefore`, `renewBeforePercentage`, else 2/3 of the lifetime.
 */
export function chooseRenewalTime(input: RenewalTimeInput): Date {
  const { renewalInfo, now } = input;
  const start = renewalInfo?.windowStart.getTime();
  const end = renewalInfo?.windowEnd.getTime();
  if (start === undefined || end === undefined || !(end > start)) {
    return renewalTime(input.spec, input.notBefore, input.notAfter);
  }
  if (end <= now.getTime()) return new Date(now.getTime());
  const from = Math.max(start, now.getTime());
  const random = Math.min(Math.max((input.random ?? Math.random)(), 0), 1);
  return new Date(Math.floor(from + random * (end - from)));
}

/**
 * A certificate's state for people and dashboards, in cert-manager's spirit:
 * - `NotIssued`: no certificate yet and no failure recorded;
 * - `Valid`: nothing to do before its renewal time;
 * - `Due`: the renewal time has passed;
 * - `Overdue`: the renewal time has passed by more than a day, or by less when the certificate has
 *   already lived 90% of its lifetime (a day is a small delay for a 90-day certificate but a large
 *   one for a 6-day certificate; either way a renewal should have finished long before);
 * - `Expiring`: fewer than `expiryWarningDays` left before `notAfter`, renewal not yet due;
 * - `Expired`: `notAfter` has passed;
 * - `BackingOff` / `RetryDue`: the last issuance failed, and its backoff has / has not yet ended.
 */
export type CertificateState =
  'NotIssued' | 'Valid' | 'Due' | 'Overdue' | 'Expiring' | 'Expired' | 'BackingOff' | 'RetryDue';

/** The status fields `classify` reads. */
export type ClassifiedStatus = Pick<
  CertificateStatus,
  'notBefore' | 'notAfter' | 'renewalTime' | 'failedIssuanceAttempts' | 'lastFailureTime' | 'nextAttemptTime'
>;

/** Days before `notAfter` at which a certificate counts as `Expiring`, as the expiry alarm's default. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 20;

/** Fraction of the lifetime past which a due renewal is `Overdue` even within its first day. */
const OVERDUE_LIFETIME_FRACTION = 0.9;

/**
 * Classifies a certificate at `now`. When several states hold, the most urgent wins:
 * Expired > BackingOff / RetryDue > Overdue > Due > Expiring > Valid. A failure outranks the
 * renewal states because the backoff, not the renewal time, decides when the next attempt runs;
 * an expired certificate outranks everything because it no longer serves anyone. A certificate
 * without a stored renewal time is judged by the default rule (2/3 of its lifetime).
 */
export function classify(
  status: ClassifiedStatus,
  now: Date,
  options: { expiryWarningDays?: number } = {},
): CertificateState {
  const t = now.getTime();
  const notAfter = parseTime(status.notAfter);
  if (notAfter !== undefined && notAfter <= t) return 'Expired';

  if (status.failedIssuanceAttempts > 0) {
    const retryAt = retryTime(status);
    return retryAt !== undefined && t < retryAt ? 'BackingOff' : 'RetryDue';
  }
  if (notAfter === undefined) return 'NotIssued';

  const notBefore = parseTime(status.notBefore);
  const renewAt =
    parseTime(status.renewalTime) ??
    (notBefore !== undefined ? renewalTime({}, new Date(notBefore), new Date(notAfter)).getTime() : undefined);
  if (renewAt !== undefined && t >= renewAt) {
    const lateAt =
      notBefore !== undefined
        ? Math.min(renewAt + DAY, notBefore + OVERDUE_LIFETIME_FRACTION * (notAfter - notBefore))
        : renewAt + DAY;
    // A renewal time set past the 90% point (renewBeforePercentage < 10) is Overdue as soon as missed.
    return t > Math.max(renewAt, lateAt) ? 'Overdue' : 'Due';
  }
  const warningDays = options.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  return notAfter - t < warningDays * DAY ? 'Expiring' : 'Valid';
}

/**
 * Days left before `notAfter`, fractional (an alarm threshold of 1 day must see 0.5), negative once
 * expired; undefined when no certificate was issued.
 */
export function daysToExpiry(status: Pick<CertificateStatus, 'notAfter'>, now: Date): number | undefined {
  const notAfter = parseTime(status.notAfter);
  return notAfter === undefined ? undefined : (notAfter - now.getTime()) / DAY;
}

/** The end of the backoff: stored, or derived from the last failure for records written without it. */
function retryTime(status: ClassifiedStatus): number | undefined {
  const stored = parseTime(status.nextAttemptTime);
  if (stored !== undefined) return stored;
  const failedAt = parseTime(status.lastFailureTime);
  if (failedAt === undefined) return undefined;
  return nextAttemptTime(new Date(failedAt), status.failedIssuanceAttempts).getTime();
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
