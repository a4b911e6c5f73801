/** PollAuthorizations: have all authorizations become valid? An invalid one ends the issuance. */
import { AcmeError } from '../errors.js';
import { DEFAULT_DELAYS, MAX_POLLS, nextPoll, orderSession } from './context.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function pollAuthorizations(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'acme'>,
): Promise<IssuanceState> {
  const { acme, session } = await orderSession(deps, state, 'poll');
  let done = true;
  let delay: number = DEFAULT_DELAYS.authorizations;
  for (const url of acme.authorizationUrls) {
    const authorization = await session.getAuthorization(url);
    if (authorization.status === 'valid') continue;
    const name = authorization.identifier.value;
    if (authorization.status !== 'pending') {
      const problem = authorization.challenges.find((c) => c.error)?.error;
      const detail = problem?.detail ?? `authorization is ${authorization.status}`;
      throw new AcmeError(`acme: validation of "${name}" failed: ${detail}`, problem?.type);
    }
    done = false;
    delay = authorization.retryAfterSeconds ?? delay;
  }
  const poll = nextPoll(state.poll, done, delay);
  if (!done && poll.attempts >= MAX_POLLS.authorizations) {
    throw new AcmeError(`acme: authorizations of "${state.name}" still pending after ${poll.attempts} checks`);
  }
  return { ...state, poll };
}
