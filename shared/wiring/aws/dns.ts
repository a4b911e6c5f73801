import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { assumeRole } from '../../adapters/aws/assume-role-credentials.js';
import { LambdaDnsHookSolver } from '../../adapters/aws/lambda-dns-hook-solver.js';
import { Route53DnsSolver } from '../../adapters/aws/route53-dns-solver.js';
import type { Route53SolverConfig } from '../../domain/issuer.js';
import { DnsError } from '../../errors.js';
import { SolverCache } from '../solver-cache.js';
import { lazy } from './config.js';

const route53Clients = new Map<string, Route53Client>();
const sts = lazy(() => new STSClient({}));

/**
 * One Route53 client per region and role: the function's own role, or, for a zone in another
 * account, the role the solver names (assumed with its external id).
 */
export function route53ClientFor(config: Route53SolverConfig): Route53Client {
  // Route53's API is global and answers in us-east-1 whatever the stack's region.
  const region = config.region ?? 'us-east-1';
  const key = `${region}|${config.roleArn ?? ''}|${config.externalId ?? ''}`;
  let client = route53Clients.get(key);
  if (!client) {
    const credentials = config.roleArn
      ? assumeRole({ sts: sts(), roleArn: config.roleArn, externalId: config.externalId })
      : undefined;
    client = new Route53Client({ region, ...(credentials ? { credentials } : {}) });
    route53Clients.set(key, client);
  }
  return client;
}

const lambdaClients = new Map<string, LambdaClient>();

/**
 * The Lambda client for a hook: Invoke only reaches functions in the client's region, so a hook
 * named by ARN is invoked in the ARN's region; a bare name is in the function's own region.
 */
export function lambdaClientFor(functionName: string): LambdaClient {
  const region = /^arn:[^:]+:lambda:([^:]+):/.exec(functionName)?.[1] ?? '';
  let client = lambdaClients.get(region);
  if (!client) {
    client = new LambdaClient(region ? { region } : {});
    lambdaClients.set(region, client);
  }
  return client;
}

/** DNS-01 solvers for Lambda: one solver per configuration, kept for the container's life. */
export const dnsSolvers = lazy(
  () =>
    new SolverCache((solver) => {
      const hook = solver.dns01.hook;
      if (hook)
        return new LambdaDnsHookSolver({ client: lambdaClientFor(hook.functionName), functionName: hook.functionName });
      const route53 = solver.dns01.route53;
      if (!route53)
        throw new DnsError('dns: in AWS a solver needs a route53 or hook provider (challtestsrv is for local mode)');
      return new Route53DnsSolver({ client: route53ClientFor(route53), hostedZoneId: route53.hostedZoneId });
    }),
);
