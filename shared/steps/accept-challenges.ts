/**
 * AcceptChallenges: tells the CA the TXT records are in place. Re-running is safe: a challenge the
 * CA already moved past `pending` is left alone.
 */
import { AcmeError } from '../errors.js';
import { logger } from '../logger.js';
import { orderSession } from './context.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function acceptChallenges(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'acme'>,
): Promise<IssuanceState> {
  const { acme, session } = await orderSession(deps, state, 'accept challenges');
  for (const challenge of acme.challenges) {
    try {
      await session.completeChallenge(challenge.challengeUrl);
    } catch (error) {
      if (!(error instanceof AcmeError)) throw error;
      // While the CA validates, the authorization stays `pending` but the challenge has moved on.
      const authorization = await session.getAuthorization(challenge.authorizationUrl);
      const current = authorization.challenges.find((c) => c.url === challenge.challengeUrl);
      if (authorization.status === 'pending' && (!current || current.status === 'pending')) throw error;
    }
  }
  logger.info('challenges accepted', { certificate: state.name, challenges: acme.challenges.length });
  const { poll: _poll, ...rest } = state;
  return rest;
}
