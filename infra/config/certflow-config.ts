/**
 * Deployment configuration: which issuers exist and where they may write DNS records. Read from
 * the `certflow` key of the CDK context (cdk.json or `-c certflow='{…}'`), with the presets of
 * `shared/issuers/acme/presets.ts` (Let's Encrypt, ZeroSSL); each issuer is checked by the registry.
 */
import { letsEncryptIssuers, zeroSslIssuer } from '../../shared/issuers/acme/presets.js';
import { type IssuerConfig, checkIssuers } from '../../shared/issuers/registry.js';
import type { Route53SolverConfig } from '../../shared/ports/dns.js';
import { type DeliveryConfig, parseDeliveryConfig } from './delivery-config.js';

export interface CertflowConfig {
  issuers: IssuerConfig[];
  /** Prefix of every secret the service writes; IAM is scoped to it. */
  secretPrefix: string;
  /** Expiry alerts: who is mailed, and how many days ahead (20 by default, as the seed's alert). */
  alerts?: { email?: string; expiryWarningDays?: number };
  /** EKS delivery: clusters, IRSA pull access, VPC placement (optional). */
  delivery?: DeliveryConfig;
  /**
   * Route53's request budget: every Route53 request of every execution books a slot in it, so all
   * of them together make at most this many requests per second (4 by default; Route53 allows 5
   * per account, shared with whatever else calls it there).
   */
  route53?: { requestsPerSecond?: number };
}

/** Builds the configuration from the context value (an object, or its JSON). */
export function loadConfig(context: unknown): CertflowConfig {
  const raw = (typeof context === 'string' ? JSON.parse(context) : (context ?? {})) as Partial<CertflowConfig> & {
    email?: string;
    hostedZoneId?: string;
    zerossl?: { keyId: string; hmacKeySecretArn: string };
  };
  const presets = [
    ...letsEncryptIssuers(raw.email, raw.hostedZoneId),
    ...(raw.zerossl ? [zeroSslIssuer({ ...raw.zerossl, email: raw.email, hostedZoneId: raw.hostedZoneId })] : []),
  ];
  return {
    issuers: checkIssuers(raw.issuers ?? presets),
    secretPrefix: raw.secretPrefix ?? 'certflow',
    ...(raw.alerts ? { alerts: raw.alerts } : {}),
    ...(raw.delivery !== undefined ? { delivery: parseDeliveryConfig(raw.delivery) } : {}),
    ...(raw.route53 !== undefined ? { route53: checkRoute53(raw.route53) } : {}),
  };
}

/** Route53 allows five requests per second per account: a budget above that would be throttled. */
function checkRoute53(route53: unknown): { requestsPerSecond?: number } {
  if (typeof route53 !== 'object' || route53 === null || Array.isArray(route53)) {
    throw new Error('certflow.route53: must be an object ({ "requestsPerSecond": 4 })');
  }
  const rps = (route53 as { requestsPerSecond?: unknown }).requestsPerSecond;
  if (rps === undefined) return {};
  if (typeof rps !== 'number' || !(rps > 0) || rps > 5) {
    throw new Error(
      `certflow.route53.requestsPerSecond: must be a number above 0 and at most 5 (Route53's limit per account), not ${JSON.stringify(rps)}`,
    );
  }
  return { requestsPerSecond: rps };
}

/** The hook functions of every ACME solver, as configured (names or ARNs), each once. */
export function hookFunctions(issuers: readonly IssuerConfig[]): string[] {
  const names = issuers.flatMap((issuer) =>
    issuer.kind === 'acme' ? issuer.solvers.flatMap((s) => (s.dns01.hook ? [s.dns01.hook.functionName] : [])) : [],
  );
  return [...new Set(names)];
}

/** The Route53 configurations of every ACME solver. */
export function route53Solvers(issuers: readonly IssuerConfig[]): Route53SolverConfig[] {
  return issuers.flatMap((issuer) =>
    issuer.kind === 'acme' ? issuer.solvers.flatMap((s) => (s.dns01.route53 ? [s.dns01.route53] : [])) : [],
  );
}

/** Route53 solvers that use the function's own role (not a role in another account). */
export function ownAccountRoute53Solvers(issuers: readonly IssuerConfig[]): Route53SolverConfig[] {
  return route53Solvers(issuers).filter((r) => !r.roleArn);
}

/** The roles in other accounts that solvers assume for their zones. */
export function crossAccountRoles(issuers: readonly IssuerConfig[]): string[] {
  return [...new Set(route53Solvers(issuers).flatMap((r) => (r.roleArn ? [r.roleArn] : [])))];
}

/** Hosted zones named by the solvers that write with the function's own role. */
export function configuredZoneIds(issuers: readonly IssuerConfig[]): string[] {
  const ids = ownAccountRoute53Solvers(issuers).map((r) => r.hostedZoneId);
  return [...new Set(ids.filter((id): id is string => Boolean(id)))].map((id) => id.replace(/^\/?hostedzone\//, ''));
}

/** True when some solver looks its zone up (so the policy must allow any zone). */
export function usesZoneLookup(issuers: readonly IssuerConfig[]): boolean {
  return ownAccountRoute53Solvers(issuers).some((r) => !r.hostedZoneId);
}
