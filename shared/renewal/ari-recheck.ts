/**
 * ARI re-check (RFC 9773 §4.3): the CA's suggested window can move (early renewal after a
 * mis-issuance, for one), so the window is asked again when the CA's Retry-After says. The answer
 * is a plain unauthenticated GET: no ACME session, no account key. A window that has not changed
 * keeps its chosen renewal time; a new one gets a new time, and the schedule moves with it.
 */
import { dueExecutionName } from '../certificates/executions.js';
import { type HttpGet, fetchRenewalInfo } from '../issuers/acme/ari.js';
import type { CertificateRecord } from '../domain/record.js';
import { Reasons } from '../domain/status.js';
import { messageOf } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { RenewalScheduler } from '../ports/executions.js';
import type { Inventory } from '../ports/inventory.js';
import { chooseRenewalTime } from '../certificates/renewal-policy.js';

/** Without a Retry-After, ask again after this long (Let's Encrypt answers with 6 hours). */
export const DEFAULT_RECHECK_MS = 6 * 3_600_000;
/** After a failed re-check, try again after this long rather than at every sweep. */
export const FAILED_RECHECK_MS = 3_600_000;

/** A GET through global fetch, as `fetchRenewalInfo` takes it. */
export const fetchGet: HttpGet = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
};

export type RecheckDependencies = { inventory: Inventory; clock: Clock; scheduler: RenewalScheduler } & {
  get?: HttpGet;
};

/** True when the record is due only because its ARI answer should be asked again. */
export function dueForRecheck(record: CertificateRecord, now: Date): boolean {
  const { renewalInfo, renewalTime, failedIssuanceAttempts } = record.status;
  return Boolean(
    renewalInfo?.checkAfter &&
    failedIssuanceAttempts === 0 &&
    Date.parse(renewalInfo.checkAfter) <= now.getTime() &&
    renewalTime &&
    Date.parse(renewalTime) > now.getTime(),
  );
}

export async function recheckRenewalInfo(
  record: CertificateRecord,
  deps: RecheckDependencies,
): Promise<'moved' | 'unchanged' | 'failed'> {
  const info = record.status.renewalInfo;
  const { notBefore, notAfter } = record.status;
  if (!info || !notBefore || !notAfter) return 'unchanged';
  const now = deps.clock.now();
  const base = info.url.slice(0, info.url.length - info.certificateId.length - 1);
  let answer;
  try {
    answer = await fetchRenewalInfo(base, info.certificateId, deps.get ?? fetchGet, now);
  } catch (error) {
    logger.warn('ari: re-check failed; keeping the renewal time', {
      certificate: record.name,
      detail: messageOf(error),
    });
    const checkAfter = new Date(now.getTime() + FAILED_RECHECK_MS).toISOString();
    await updateRecord(deps.inventory, deps.clock, record.name, (r) =>
      r.status.renewalInfo
        ? { ...r, status: { ...r.status, renewalInfo: { ...r.status.renewalInfo, checkAfter } } }
        : undefined,
    );
    return 'failed';
  }
  const checkAfter = new Date(
    now.getTime() + (answer?.retryAfterSeconds ? answer.retryAfterSeconds * 1000 : DEFAULT_RECHECK_MS),
  );
  const sameWindow =
    answer &&
    answer.windowStart.toISOString() === info.windowStart &&
    answer.windowEnd.toISOString() === info.windowEnd;
  const renewalTime =
    !answer || sameWindow
      ? record.status.renewalTime!
      : chooseRenewalTime({
          spec: record.spec,
          notBefore: new Date(notBefore),
          notAfter: new Date(notAfter),
          renewalInfo: { windowStart: answer.windowStart, windowEnd: answer.windowEnd },
          now,
        }).toISOString();
  await updateRecord(deps.inventory, deps.clock, record.name, (r) => ({
    ...r,
    status: {
      ...r.status,
      renewalTime,
      renewalInfo: {
        ...info,
        ...(answer ? { windowStart: answer.windowStart.toISOString(), windowEnd: answer.windowEnd.toISOString() } : {}),
        ...(answer?.explanationUrl ? { explanationUrl: answer.explanationUrl } : {}),
        checkAfter: checkAfter.toISOString(),
      },
    },
  }));
  if (renewalTime === record.status.renewalTime) return 'unchanged';
  const at = new Date(renewalTime);
  await deps.scheduler.schedule(record.name, at, dueExecutionName(record, at), {
    name: record.name,
    reason: Reasons.Renewing,
  });
  logger.info('ari: the CA moved the renewal window', { certificate: record.name, renewalTime });
  return 'moved';
}
