/**
 * Cleanup: removes this issuance's TXT values and its temporary key, on success and on failure
 * alike. Both are idempotent, so a retried or repeated Cleanup is harmless.
 */
import { logger } from '../logger.js';
import { acmeIssuerOf, groupBy, solverAt } from './context.js';
import type { StepDependencies } from './dependencies.js';
import type { ChallengeRef, IssuanceState } from './state.js';

/** What Cleanup reads: the step's state, or what a lease names (steps/ended-issuance.ts). */
export type CleanupInput = Partial<Pick<IssuanceState, 'name' | 'issuanceId'>> &
  Pick<IssuanceState, 'issuer'> & {
    acme?: { challenges: Pick<ChallengeRef, 'recordName' | 'value' | 'solver'>[] };
  };

export async function cleanup<S extends CleanupInput>(
  state: S,
  deps: Pick<StepDependencies, 'issuers' | 'dns' | 'store'>,
): Promise<S> {
  const challenges = state.acme?.challenges ?? [];
  try {
    if (challenges.length) {
      const issuer = acmeIssuerOf(deps, state);
      for (const [solver, group] of groupBy(challenges, (c) => c.solver)) {
        await solverAt(deps, issuer, solver).cleanUp(group.map((c) => ({ name: c.recordName, value: c.value })));
      }
    }
  } finally {
    // Even when the DNS refuses for good: the key of a failed issuance must not outlive it.
    if (state.name && state.issuanceId) await deps.store.discardPendingKey(state.name, state.issuanceId);
  }
  logger.info('cleaned up', { certificate: state.name, records: challenges.length });
  return state;
}
