/** PresentChallenges: writes every TXT value, one batch per solver (the solver batches per zone). */
import { logger } from '../logger.js';
import { acmeIssuerOf, groupBy, solverAt } from './context.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function presentChallenges(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'dns'>,
): Promise<IssuanceState> {
  const issuer = acmeIssuerOf(deps, state);
  const dns: NonNullable<IssuanceState['dns']> = [];
  for (const [solver, challenges] of groupBy(state.acme?.challenges ?? [], (c) => c.solver)) {
    const changeIds = await solverAt(deps, issuer, solver).present(
      challenges.map((c) => ({ name: c.recordName, value: c.value })),
    );
    dns.push({ solver, changeIds });
  }
  logger.info('challenges presented', { certificate: state.name, records: state.acme?.challenges.length ?? 0 });
  const { poll: _poll, ...rest } = state;
  return { ...rest, dns };
}
