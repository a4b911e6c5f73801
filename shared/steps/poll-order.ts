/** PollOrder: has the CA issued the certificate? An invalid order ends the issuance. */
import { AcmeError } from '../errors.js';
import { DEFAULT_DELAYS, MAX_POLLS, nextPoll, orderSession } from './context.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function pollOrder(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'acme'>,
): Promise<IssuanceState> {
  const { acme, session } = await orderSession(deps, state, 'poll');
  const order = await session.getOrder(acme.orderUrl);
  if (order.status !== 'valid' && order.status !== 'processing') {
    const detail = order.error?.detail ?? `order is ${order.status}`;
    throw new AcmeError(`acme: the order of "${state.name}" failed: ${detail}`, order.error?.type);
  }
  const done = order.status === 'valid';
  const poll = nextPoll(state.poll, done, order.retryAfterSeconds ?? DEFAULT_DELAYS.order);
  if (!done && poll.attempts >= MAX_POLLS.order) {
    throw new AcmeError(`acme: the order of "${state.name}" is still processing after ${poll.attempts} checks`);
  }
  return { ...state, poll };
}
