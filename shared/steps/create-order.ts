/**
 * CreateOrder: opens the issuer's account (created on first use), creates the order and reads
 * its authorizations. Authorizations the CA already holds as valid need no challenge.
 */
import { challengeRecordName } from '../domain/identifiers.js';
import { selectSolver } from '../solvers/selection.js';
import { AcmeError, DnsError } from '../errors.js';
import { logger } from '../logger.js';

const ALREADY_REPLACED = 'urn:ietf:params:acme:error:alreadyReplaced';
import { acmeIssuerOf } from './context.js';
import type { AcmeSolverConfig } from '../ports/dns.js';
import { followCnames } from '../solvers/cname.js';
import type { CnameResolver } from '../ports/dns.js';
import type { StepDependencies } from './dependencies.js';
import type { ChallengeRef, IssuanceState } from './state.js';

export async function createOrder(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'acme' | 'cnames'>,
): Promise<IssuanceState> {
  const issuer = acmeIssuerOf(deps, state);
  const session = await deps.acme.session(issuer);
  const request = {
    identifiers: state.spec.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...(issuer.profile ? { profile: issuer.profile } : {}),
  };
  let order;
  try {
    // ARI (RFC 9773 §5): naming the certificate being replaced lets the CA exempt it from limits.
    order = await session.createOrder(state.replaces ? { ...request, replaces: state.replaces } : request);
  } catch (error) {
    // Replaced already (say, by a manual renewal): order without the hint rather than fail.
    if (!(error instanceof AcmeError) || error.problemType !== ALREADY_REPLACED || !state.replaces) throw error;
    order = await session.createOrder(request);
  }
  const challenges: ChallengeRef[] = [];
  for (const url of order.authorizations) {
    const authorization = await session.getAuthorization(url);
    if (authorization.status === 'valid') continue;
    const identifier = authorization.identifier.value;
    if (authorization.status !== 'pending') {
      throw new AcmeError(`acme: authorization for "${identifier}" is ${authorization.status}`);
    }
    const challenge = authorization.challenges.find((c) => c.type === 'dns-01');
    if (!challenge) throw new AcmeError(`acme: the CA offers no dns-01 challenge for "${identifier}"`);
    const specName = authorization.wildcard ? `*.${identifier}` : identifier;
    const solver = selectSolver(issuer.solvers, specName);
    if (solver < 0) throw new DnsError(`dns: no solver of issuer "${issuer.name}" matches "${specName}"`);
    challenges.push({
      identifier,
      wildcard: authorization.wildcard,
      authorizationUrl: url,
      challengeUrl: challenge.url,
      recordName: await recordNameFor(identifier, issuer.solvers[solver]!, deps.cnames),
      value: await session.dns01TxtValue(challenge),
      solver,
    });
  }
  logger.info('order created', {
    certificate: state.name,
    order: order.url,
    authorizations: order.authorizations.length,
    challenges: challenges.length,
  });
  return {
    ...state,
    acme: {
      accountUrl: session.accountUrl,
      orderUrl: order.url,
      authorizationUrls: order.authorizations,
      challenges,
    },
  };
}

/** `_acme-challenge.<name>`, or where its CNAME chain ends when the solver follows CNAMEs. */
async function recordNameFor(identifier: string, solver: AcmeSolverConfig, cnames: CnameResolver): Promise<string> {
  const name = challengeRecordName(identifier);
  return solver.dns01.cnameStrategy === 'Follow' ? followCnames(cnames, name) : name;
}
