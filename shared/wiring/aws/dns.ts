import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { assumeRole } from '../../adapters/aws/assume-role-credentials.js';
import { DynamoDbSlotBook } from '../../solvers/adapters/dynamodb-slot-book.js';
import { paceRequests } from '../../solvers/adapters/sdk-request-pacing.js';
import { LambdaDnsHookSolver } from '../../solvers/adapters/hook.js';
import { Route53DnsSolver } from '../../solvers/adapters/route53.js';
import type { Route53SolverConfig } from '../../ports/dns.js';
import { RequestPacer } from '../../solvers/request-pacing.js';
import { readRoute53Pacing } from '../environment.js';
import { SolverDispatcher } from '../../solvers/dispatcher.js';
import { lazy } from './config.js';

const route53Clients = new Map<string, Route53Client>();
const sts = lazy(() => new STSClient({}));
const pacing = lazy(() => {
  const config = readRoute53Pacing();
  return { ...config, book: new DynamoDbSlotBook({ client: new DynamoDBClient({}), tableName: config.slotTable }) };
});
const pacers = new Map<string, RequestPacer>();

/**
 * The pacer of the account whose Route53 a client calls: Route53's limit is per account, so a
 * role in another account has a budget of its own, shared by every client calling through it.
 */
export function route53PacerFor(roleArn: string | undefined): RequestPacer {
  const account = roleArn ? (/^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? roleArn) : 'self';
  const key = `route53:${account}`;
  let pacer = pacers.get(key);
  if (!pacer) {
    const { book, requestsPerSecond, maxWaitSeconds } = pacing();
    pacer = new RequestPacer({ book, key, requestsPerSecond, maxWaitMs: maxWaitSeconds * 1000, label: 'route53' });
    pacers.set(key, pacer);
  }
  return pacer;
}

/**
 * One Route53 client per region and role: the function's own role, or, for a zone in another
 * account, the role the solver names (assumed with its external id). Every request it sends
 * waits for its slot in the account's Route53 budget.
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
    client = paceRequests(
      new Route53Client({ region, ...(credentials ? { credentials } : {}) }),
      route53PacerFor(config.roleArn),
    );
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

/** DNS-01 solvers for Lambda (Route53 and hooks): one solver per configuration, kept for the container's life. */
export const dnsSolvers = lazy(
  () =>
    new SolverDispatcher(
      {
        hook: ({ functionName }) => new LambdaDnsHookSolver({ client: lambdaClientFor(functionName), functionName }),
        route53: (route53) =>
          new Route53DnsSolver({ client: route53ClientFor(route53), hostedZoneId: route53.hostedZoneId }),
      },
      'dns: in AWS a solver needs a route53 or hook provider (challtestsrv is for local mode)',
    ),
);
