import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53DnsSolver } from '../../adapters/aws/route53-dns-solver.js';
import { DnsError } from '../../errors.js';
import { SolverCache } from '../solver-cache.js';
import { lazy } from './config.js';

const route53Clients = new Map<string, Route53Client>();

/** DNS-01 solvers for Lambda: Route53, one client per region, one solver per configuration. */
export const dnsSolvers = lazy(
  () =>
    new SolverCache((solver) => {
      const route53 = solver.dns01.route53;
      if (!route53) throw new DnsError('dns: this deployment supports route53 solvers only');
      // Route53's API is global and answers in us-east-1 whatever the stack's region.
      const region = route53.region ?? 'us-east-1';
      let client = route53Clients.get(region);
      if (!client) route53Clients.set(region, (client = new Route53Client({ region })));
      return new Route53DnsSolver({ client, hostedZoneId: route53.hostedZoneId });
    }),
);
