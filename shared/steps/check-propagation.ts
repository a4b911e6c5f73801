/** CheckPropagation: are the TXT changes on the authoritative servers yet (Route53: INSYNC)? */
import { DnsError } from '../errors.js';
import { DEFAULT_DELAYS, MAX_POLLS, acmeIssuerOf, nextPoll, solverAt } from './context.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function checkPropagation(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'dns'>,
): Promise<IssuanceState> {
  const issuer = acmeIssuerOf(deps, state);
  let done = true;
  for (const { solver, changeIds } of state.dns ?? []) {
    if (changeIds.length && !(await solverAt(deps, issuer, solver).isPropagated(changeIds))) {
      done = false;
      break;
    }
  }
  const poll = nextPoll(state.poll, done, DEFAULT_DELAYS.propagation);
  if (!done && poll.attempts >= MAX_POLLS.propagation) {
    throw new DnsError(`dns: TXT records for "${state.name}" did not propagate after ${poll.attempts} checks`);
  }
  return { ...state, poll };
}
