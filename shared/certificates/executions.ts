/**
 * Names of issuance executions. Step Functions names allow 1–80 characters of `[A-Za-z0-9-_]` and
 * stay taken for 90 days after a Standard execution ends, so a name must never come back: it
 * carries the record's generation (from its creation time), since a certificate deleted and
 * applied again starts over at revision 1.
 */
import type { CertificateRecord } from '../domain/record.js';

const MAX_NAME = 80;

/**
 * The issuance state machine's `TimeoutSeconds` (2 hours): no execution lives longer, so a lease
 * older than this belongs to an execution that has ended, and a pending key older than this to
 * an issuance that is over.
 */
export const ISSUANCE_TIMEOUT_MS = 2 * 60 * 60 * 1000;

function generation(record: Pick<CertificateRecord, 'createdAt'>): string {
  return Date.parse(record.createdAt).toString(36);
}

function fit(name: string, suffix: string): string {
  return `${name.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

/** One execution per spec revision: applying the same spec twice starts it once. */
export function revisionExecutionName(record: Pick<CertificateRecord, 'name' | 'revision' | 'createdAt'>): string {
  return fit(record.name, `-r${record.revision}-${generation(record)}`);
}

/** A manual renewal (`POST /certificates/{name}/renew`), unique per request. */
export function renewalExecutionName(record: Pick<CertificateRecord, 'name'>, now: Date): string {
  return fit(record.name, `-renew-${now.getTime().toString(36)}`);
}

/**
 * The execution that acts on a certificate's due time (renewal, or retry after a failure). The
 * schedule and the sweep both use this name, so whichever fires first starts it and the other
 * finds it taken: a due time is acted on once.
 */
export function dueExecutionName(record: Pick<CertificateRecord, 'name'>, due: Date): string {
  return fit(record.name, `-due-${due.getTime().toString(36)}`);
}

/**
 * A restart of an issuance whose execution ended without releasing its lease (see
 * steps/ended-issuance.ts): the attempt number and the abandoned lease's start make it unique.
 */
export function restartExecutionName(
  record: Pick<CertificateRecord, 'name' | 'status'>,
  abandoned: { startedAt: string },
): string {
  const attempt = record.status.failedIssuanceAttempts;
  return fit(record.name, `-retry${attempt}-${Date.parse(abandoned.startedAt).toString(36)}`);
}
