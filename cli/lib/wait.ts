/**
 * `apply --wait`: polls the certificate until the applied revision is issued or its issuance
 * fails, reporting new events as they appear. The API has no watch, so this is a poll loop.
 */
import type { CertificateView } from '../../shared/api/views.js';
import { type CertificateEvent, getCondition } from '../../shared/domain/status.js';
import type { ApiClient } from './client.js';

export interface WaitOptions {
  name: string;
  /** The revision `apply` answered; an older certificate that is still Ready does not count. */
  revision: number;
  /**
   * `status.lastFailureTime` when the issuance started: that failure belongs to an earlier
   * attempt. Undefined when nothing was started, so a failure already recorded is the answer.
   */
  staleFailureTime?: string;
  /** Events from this time on are new; without it, the events there at the first poll are old. */
  eventsSince?: string;
  timeoutMs: number;
  intervalMs: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  onEvent: (event: CertificateEvent) => void;
}

export type WaitOutcome = 'ready' | 'failed' | 'timeout';

export interface WaitResult {
  outcome: WaitOutcome;
  view: CertificateView;
  /** Why it failed, from the conditions. */
  message?: string;
}

/** Ready for the applied revision, failed since the wait began, or still going (undefined). */
export function issuanceOutcome(
  view: CertificateView,
  revision: number,
  staleFailureTime: string | undefined,
): { outcome: 'ready' | 'failed'; message?: string } | undefined {
  const ready = getCondition(view.status.conditions, 'Ready');
  const issuing = getCondition(view.status.conditions, 'Issuing');
  if (ready?.status === 'True' && (view.status.revision ?? 0) >= revision) return { outcome: 'ready' };
  const failedReady = ready?.status === 'False' && ready.reason === 'Failed' ? ready : undefined;
  const failedIssuing = issuing?.status === 'False' && issuing.reason === 'Failed' ? issuing : undefined;
  const failure = failedReady ?? failedIssuing;
  const { lastFailureTime } = view.status;
  if (failure && lastFailureTime !== undefined && lastFailureTime !== staleFailureTime) {
    return { outcome: 'failed', message: failure.message };
  }
  return undefined;
}

const eventKey = (event: CertificateEvent) => `${event.time}\u0000${event.reason}\u0000${event.message}`;

/** Polls until the outcome is known or `timeoutMs` has passed. */
export async function waitForIssuance(client: ApiClient, options: WaitOptions): Promise<WaitResult> {
  const deadline = options.now().getTime() + options.timeoutMs;
  const seen = new Set<string>();
  let first = true;
  for (;;) {
    const [{ body: view }, { body: events }] = await Promise.all([
      client.getCertificate(options.name),
      client.getEvents(options.name),
    ]);
    for (const event of events) {
      const key = eventKey(event);
      if (seen.has(key)) continue;
      seen.add(key);
      const isNew = options.eventsSince !== undefined ? event.time >= options.eventsSince : !first;
      if (isNew) options.onEvent(event);
    }
    first = false;
    const result = issuanceOutcome(view, options.revision, options.staleFailureTime);
    if (result) return { ...result, view };
    const remaining = deadline - options.now().getTime();
    if (remaining <= 0) return { outcome: 'timeout', view };
    await options.sleep(Math.min(options.intervalMs, remaining));
  }
}
