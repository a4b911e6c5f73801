/**
 * AcceptChallenges: tells the CA the TXT records are in place. Re-running is safe: a challenge the
 * CA already moved past `pending` is left alone.
 */
import { AcmeError } from '../../errors.js';
import { logger } from '../../logger.js';
import { acmeIssuerOf } from '../context.js';
import type { Dependencies } from '../ports.js';
import type { IssuanceState } from '../state.js';

export async function acceptChallenges(state: IssuanceState, deps: Pick<Dependencies, 'issuers' | 'acme'>): Promise<IssuanceState> {
  const acme = state.acme;
  if (!acme) throw new AcmeError('acme: no order to accept challenges for');
  const session = await deps.acme.session(acmeIssuerOf(deps, state), acme.accountUrl);
  for (const challenge of acme.challenges) {
    try {
      await session.completeChallenge(challenge.challengeUrl);
    } catch (error) {
      if (!(error instanceof AcmeError)) throw error;
      const authorization = await session.getAuthorization(challenge.authorizationUrl);
      if (authorization.status === 'pending') throw error;
    }
  }
  logger.info('challenges accepted', { certificate: state.name, challenges: acme.challenges.length });
  const { poll: _poll, ...rest } = state;
  return rest;
}
