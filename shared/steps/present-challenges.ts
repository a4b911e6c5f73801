/**
 * PresentChallenges: writes every TXT value, one batch per solver (the solver batches per zone).
 * The values are first named in the issuance's lease, so that if the execution dies before its
 * Cleanup (timed out, aborted), whoever ends it (the execution-ended rule, the sweep) can remove them.
 */
import { presenting } from '../certificates/status.js';
import { NotFoundError } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import { acmeIssuerOf, groupBy, solverAt } from './context.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function presentChallenges(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'dns' | 'inventory' | 'clock'>,
): Promise<IssuanceState> {
  const issuer = acmeIssuerOf(deps, state);
  const records = (state.acme?.challenges ?? []).map(({ recordName, value, solver }) => ({
    recordName,
    value,
    solver,
  }));
  if (records.length) {
    await updateRecord(deps.inventory, deps.clock, state.name, (record) =>
      presenting(record, state.issuanceId, records),
    ).catch((error: unknown) => {
      // Deleted meanwhile: Store will find the issuance superseded, and Cleanup removes the values.
      if (!(error instanceof NotFoundError)) throw error;
    });
  }
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
