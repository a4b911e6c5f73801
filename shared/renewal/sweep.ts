/**
 * The daily sweep: the safety net under the per-certificate schedules.
 *
 * 1. It starts every certificate whose due time has passed (renewal, or retry after the failure
 *    backoff), reading only the `listDue` index, earliest first: its cost grows with what is due,
 *    never with the inventory.
 * 2. It warns about every certificate close to expiry (`listExpiring`): one `Certificate Expiring`
 *    event each, and the `CertificatesExpiringSoon` count the alarm watches, zero included.
 * 3. A record whose lease outlived the state machine's timeout (the due index puts it there) has
 *    an execution that ended without releasing it, its status-change event lost: the sweep asks
 *    for the execution (`describe`) and, once it is over, cleans up after it, records the failure
 *    and starts the certificate again under a new name (steps/ended-issuance.ts, through the
 *    `abandoned` port). TXT values a failed
 *    Cleanup left (`status.leftovers`, which put the record in the due index at once) are removed.
 *
 * A missing schedule is harmless by design, and the sweep is what makes it so. It does not
 * recreate schedules: it starts the execution the schedule would have started, under the same
 * name (`dueExecutionName`), and that execution's Publish (or RecordFailure) step writes the
 * certificate's next schedule. So a lost, deleted or never-written schedule costs at most a day's
 * delay, and a schedule that fires after the sweep finds its execution name taken.
 */
import type { HttpGet } from '../issuers/acme/ari.js';
import { dueExecutionName } from '../certificates/executions.js';
import { dueForRecheck, recheckRenewalInfo } from './ari-recheck.js';
import { liveLease } from '../certificates/lease.js';
import type { IssuanceLease } from '../domain/status.js';
import type { CertificateRecord } from '../domain/record.js';
import { Reasons } from '../domain/status.js';
import { messageOf } from '../errors.js';
import { logger } from '../logger.js';
import { recordExpiring, recordSweep } from '../monitoring/metrics.js';
import type { Clock } from '../ports/clock.js';
import type { EventPublisher } from '../ports/events.js';
import type { AbandonedIssuances, IssuanceStarter, RenewalScheduler } from '../ports/executions.js';
import type { Inventory } from '../ports/inventory.js';
import type { ExecutionInput } from '../ports/executions.js';
import { classify, daysToExpiry, dueTime, nextAttemptTime } from '../certificates/renewal-policy.js';

const DAY_MS = 86_400_000;
/** Records per index page; DynamoDB returns at most 1 MB per page anyway. */
const PAGE_SIZE = 100;
/** Starts in flight at once: well under Step Functions' StartExecution rate, fast enough for thousands. */
const CONCURRENCY = 8;

/** What the sweep reads and writes through. */
export type SweepDependencies = {
  inventory: Inventory;
  issuance: IssuanceStarter;
  events: EventPublisher;
  clock: Clock;
  scheduler: RenewalScheduler;
  /** Settles issuances that ended still holding their lease, and removes leftovers. */
  abandoned: AbandonedIssuances;
} & {
  /** The ARI re-check's GET (global fetch by default). */
  get?: HttpGet;
};

/** Options of {@link sweep} (the deployed sweep's come from `readSweepOptions` in shared/wiring/environment.ts). */
export interface SweepOptions {
  /** Certificates that expire within this many days are reported as expiring. */
  expiryWarningDays: number;
  pageSize?: number;
  concurrency?: number;
}

/** What one sweep did. */
export interface SweepReport {
  /** Due records found and acted on: started, or found already started. */
  due: number;
  /** Records due only for an ARI re-check: the CA's window asked again, nothing renewed. */
  rechecked: number;
  started: number;
  /** The schedule (or another sweep) had already started that due time. */
  alreadyStarted: number;
  /** Read from the due index but not to be started: backing off, or their due time moved. */
  skipped: number;
  /** Certificates within the warning window, expired ones included. */
  expiring: number;
  /** Of those, the ones already past `notAfter`. */
  expired: number;
  /** Issuances whose execution ended still holding the lease: cleaned up after, failure recorded, started again. */
  abandoned: number;
  /** TXT values left behind by failed Cleanups, removed. */
  leftoversRemoved: number;
  /** Starts or events that failed; the next sweep tries again. */
  errors: number;
  pages: number;
  recordsRead: number;
}

/**
 * The due time the sweep acts on, named as the schedule the pipeline wrote for it: the index key
 * itself (`dueTime`): the end of the backoff after a failure (RecordFailure schedules it),
 * otherwise the renewal time (Publish schedules it). Older records that failed before
 * `nextAttemptTime` existed get their backoff computed from the last failure.
 */
export function actionableDueTime(status: CertificateRecord['status']): Date | undefined {
  if (status.failedIssuanceAttempts > 0 && !status.nextAttemptTime && status.lastFailureTime) {
    return nextAttemptTime(new Date(status.lastFailureTime), status.failedIssuanceAttempts);
  }
  const due = dueTime(status);
  return due === undefined ? undefined : new Date(due);
}

/**
 * A certificate inside the warning window whose renewal is still ahead (or just started) is on
 * schedule: short-lived certificates (6 days, say) live their whole life inside a 20-day window,
 * and must not raise the expiry alarm unless their renewal is late. Late means past the renewal
 * time by an hour, or by a quarter of what was left then, whichever is shorter.
 */
export function renewalOnSchedule(status: CertificateRecord['status'], now: Date): boolean {
  if (!status.renewalTime || !status.notAfter) return false;
  const renewAt = Date.parse(status.renewalTime);
  const grace = Math.min(3_600_000, (Date.parse(status.notAfter) - renewAt) / 4);
  return now.getTime() < renewAt + grace;
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Pages through one index query until its end. */
async function eachPage(
  list: (nextToken?: string) => Promise<{ items: CertificateRecord[]; nextToken?: string }>,
  report: SweepReport,
  visit: (items: CertificateRecord[]) => Promise<void>,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await list(nextToken);
    report.pages++;
    report.recordsRead += page.items.length;
    await visit(page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
}

/**
 * Starts what is due and reports what expires soon. Safe to run twice at once: each due time has
 * one execution name, and Step Functions starts a name once.
 */
export async function sweep(deps: SweepDependencies, options: SweepOptions): Promise<SweepReport> {
  const now = deps.clock.now();
  const limit = options.pageSize ?? PAGE_SIZE;
  const concurrency = options.concurrency ?? CONCURRENCY;
  const report: SweepReport = {
    due: 0,
    rechecked: 0,
    started: 0,
    alreadyStarted: 0,
    skipped: 0,
    expiring: 0,
    expired: 0,
    abandoned: 0,
    leftoversRemoved: 0,
    errors: 0,
    pages: 0,
    recordsRead: 0,
  };

  /** An issuance past its lease: settled and restarted once its execution is over. */
  const abandoned = async (record: CertificateRecord, lease: IssuanceLease) => {
    try {
      const execution = await deps.issuance.describe(lease.id);
      if (execution.status === 'RUNNING') {
        // Cannot outlive the state machine's timeout; a clock that disagrees: look again tomorrow.
        report.skipped++;
        logger.warn('sweep: an execution past its lease still runs', { certificate: record.name, executionName: lease.id });
        return;
      }
      const outcome = await deps.abandoned.restart(record.name, { executionName: lease.id, ...execution });
      if (!outcome.settled) {
        report.skipped++;
        return;
      }
      report.abandoned++;
      report.due++;
      if (outcome.started) report.started++;
      else report.alreadyStarted++;
    } catch (error) {
      report.errors++;
      logger.error('sweep: cannot settle an abandoned issuance', {
        certificate: record.name,
        executionName: lease.id,
        error: messageOf(error),
      });
    }
  };

  const start = async (record: CertificateRecord) => {
    if (record.status.leftovers?.length) {
      try {
        const { removed, failed } = await deps.abandoned.removeLeftovers(record);
        report.leftoversRemoved += removed;
        report.errors += failed;
      } catch (error) {
        report.errors++;
        logger.error('sweep: cannot remove leftovers', { certificate: record.name, error: messageOf(error) });
      }
    }
    const lease = record.status.issuance;
    if (lease) {
      if (liveLease(record, now)) report.skipped++;
      else await abandoned(record, lease);
      return;
    }
    const due = actionableDueTime(record.status);
    // Re-checked on the record as read: a backoff that has not ended, or a due time that moved
    // (the index may lag the table), is not due.
    if (!due || due.getTime() > now.getTime()) {
      report.skipped++;
      return;
    }
    if (dueForRecheck(record, now)) {
      // Due only for the ARI re-check: ask the CA's window again, renew nothing.
      report.rechecked++;
      if ((await recheckRenewalInfo(record, deps)) === 'failed') report.errors++;
      return;
    }
    report.due++;
    const state = classify(record.status, now, { expiryWarningDays: options.expiryWarningDays });
    const retrying = record.status.failedIssuanceAttempts > 0;
    // Same input as the schedule's, so that a start racing a running execution is a no-op.
    const input: ExecutionInput = { name: record.name, reason: retrying ? 'Retrying' : Reasons.Renewing };
    const executionName = dueExecutionName(record, due);
    try {
      const { started } = await deps.issuance.start(executionName, input);
      if (started) report.started++;
      else report.alreadyStarted++;
      // Started by the sweep a day late: the schedule is missing or failed (see the DLQ alarm).
      if (started && (state === 'Overdue' || state === 'Expired')) {
        logger.warn('sweep: started an overdue certificate', { certificate: record.name, state, executionName });
      }
    } catch (error) {
      report.errors++;
      logger.error('sweep: cannot start a due certificate', {
        certificate: record.name,
        executionName,
        error: messageOf(error),
      });
    }
  };

  const warn = async (record: CertificateRecord) => {
    const days = daysToExpiry(record.status, now);
    if (days === undefined || !record.status.notAfter) return;
    const expired = days <= 0;
    if (!expired && renewalOnSchedule(record.status, now)) return;
    report.expiring++;
    if (expired) report.expired++;
    recordExpiring({ name: record.name, notAfter: record.status.notAfter, daysToExpiry: Math.round(days * 10) / 10 });
    try {
      await deps.events.publish('Certificate Expiring', {
        name: record.name,
        revision: record.status.revision ?? record.revision,
        issuer: record.spec.issuerRef.name,
        ...(record.status.serialNumber ? { serialNumber: record.status.serialNumber } : {}),
        notAfter: record.status.notAfter,
        ...(record.status.secretArn ? { secretArn: record.status.secretArn } : {}),
        reason: expired ? Reasons.Expired : 'Expiring',
        message: expired ? `expired at ${record.status.notAfter}` : `${Math.floor(days)} days left`,
      });
    } catch (error) {
      report.errors++;
      logger.error('sweep: cannot publish an expiry warning', { certificate: record.name, error: messageOf(error) });
    }
  };

  await eachPage(
    (nextToken) => deps.inventory.listDue(now, { limit, ...(nextToken ? { nextToken } : {}) }),
    report,
    (items) => eachLimited(items, concurrency, start),
  );
  const warnBefore = new Date(now.getTime() + options.expiryWarningDays * DAY_MS);
  await eachPage(
    (nextToken) => deps.inventory.listExpiring(warnBefore, { limit, ...(nextToken ? { nextToken } : {}) }),
    report,
    (items) => eachLimited(items, concurrency, warn),
  );

  recordSweep({ due: report.due, expiring: report.expiring, errors: report.errors });
  logger.info('sweep done', { ...report });
  return report;
}
