/** Helpers the steps share: the issuer of an issuance, its solvers, and poll bookkeeping. */
import { type AcmeIssuerConfig, type IssuerConfig, findIssuer } from '../issuers/registry.js';
import { AcmeError, ValidationError } from '../errors.js';
import type { AcmeSession } from '../ports/acme.js';
import type { StepDependencies } from './dependencies.js';
import type { DnsSolver } from '../ports/dns.js';
import type { IssuanceState, PollState } from './state.js';

/** How long a Wait state waits before the next check, when the CA gives no Retry-After. */
export const DEFAULT_DELAYS = {
  propagation: 10,
  authorizations: 3,
  order: 2,
} as const;

/** Bounds on the poll loops, so an issuance that never converges ends with a reason. */
export const MAX_POLLS = {
  propagation: 90,
  authorizations: 100,
  order: 100,
} as const;

/**
 * The longest a Wait state waits between two checks. A CA's Retry-After on a pending
 * authorization or a processing order is advice (RFC 8555 §7.4, §8.2): a longer one is waited
 * only this long, so a CA answering `Retry-After: 86400` cannot hold an execution past the state
 * machine's 2-hour timeout (which ends it without Cleanup and RecordFailure). With every wait at
 * most 20 s, the three loops together wait at most (90 + 100 + 100) checks × 20 s = 5800 s
 * (97 min) < 7200 s, leaving 23 min for the steps themselves; `test/infra/stack.test.ts` checks
 * this against the synthesized `TimeoutSeconds`. (Without a Retry-After the loops wait
 * 90 × 10 + 100 × 3 + 100 × 2 = 1400 s at most.)
 */
export const MAX_POLL_DELAY_SECONDS = 20;

export function issuerOf(deps: Pick<StepDependencies, 'issuers'>, state: Pick<IssuanceState, 'issuer'>): IssuerConfig {
  const issuer = findIssuer(deps.issuers, state.issuer);
  if (!issuer) throw new ValidationError('issuerRef.name', `issuer "${state.issuer}" is not configured`);
  return issuer;
}

export function acmeIssuerOf(
  deps: Pick<StepDependencies, 'issuers'>,
  state: Pick<IssuanceState, 'issuer'>,
): AcmeIssuerConfig {
  const issuer = issuerOf(deps, state);
  if (issuer.kind !== 'acme')
    throw new ValidationError('issuerRef.name', `issuer "${issuer.name}" is not an ACME issuer`);
  return issuer;
}

/** The order of an issuance past CreateOrder, and a session on the account that created it. */
export async function orderSession(
  deps: Pick<StepDependencies, 'issuers' | 'acme'>,
  state: IssuanceState,
  doing: string,
): Promise<{ acme: NonNullable<IssuanceState['acme']>; issuer: AcmeIssuerConfig; session: AcmeSession }> {
  const acme = state.acme;
  if (!acme) throw new AcmeError(`acme: no order to ${doing} for "${state.name}"`);
  const issuer = acmeIssuerOf(deps, state);
  return { acme, issuer, session: await deps.acme.session(issuer, acme.accountUrl) };
}

export function solverAt(deps: Pick<StepDependencies, 'dns'>, issuer: AcmeIssuerConfig, index: number): DnsSolver {
  const config = issuer.solvers[index];
  if (!config) throw new ValidationError('issuerRef.name', `issuer "${issuer.name}" has no solver #${index}`);
  return deps.dns.solverFor(config);
}

/**
 * The next poll state: one more attempt, waiting what the CA asked for, or our default; at least
 * 1 s and at most {@link MAX_POLL_DELAY_SECONDS}.
 */
export function nextPoll(previous: PollState | undefined, done: boolean, delaySeconds: number): PollState {
  return {
    done,
    attempts: (previous?.attempts ?? 0) + 1,
    delaySeconds: Math.min(MAX_POLL_DELAY_SECONDS, Math.max(1, Math.ceil(delaySeconds))),
  };
}

/** Groups items by a numeric key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}
