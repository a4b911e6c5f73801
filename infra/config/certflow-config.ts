/**
 * Deployment configuration: which issuers exist and where they may write DNS records. Read from
 * the `certflow` key of the CDK context (cdk.json or `-c certflow='{…}'`), with presets for
 * Let's Encrypt.
 */
import {
  type AcmeIssuerConfig,
  type IssuerConfig,
  LETS_ENCRYPT_PRODUCTION,
  LETS_ENCRYPT_STAGING,
} from '../../shared/issuers/config.js';
import type { Route53SolverConfig } from '../../shared/ports/dns.js';
import { checkSolverConfig } from '../../shared/solvers/config.js';
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

/** Let's Encrypt (production and staging) with the ambient Route53 solver, for `email`. */
export function letsEncryptIssuers(email?: string, hostedZoneId?: string): AcmeIssuerConfig[] {
  const solvers = [{ dns01: { route53: hostedZoneId ? { hostedZoneId } : {} } }];
  return [
    { kind: 'acme', name: 'letsencrypt', server: LETS_ENCRYPT_PRODUCTION, ...(email ? { email } : {}), solvers },
    { kind: 'acme', name: 'letsencrypt-staging', server: LETS_ENCRYPT_STAGING, ...(email ? { email } : {}), solvers },
  ];
}

export const ZEROSSL = 'https://acme.zerossl.com/v2/DV90';

/** ZeroSSL requires External Account Binding: its EAB key id and the secret holding its HMAC key. */
export function zeroSslIssuer(options: {
  keyId: string;
  hmacKeySecretArn: string;
  email?: string;
  hostedZoneId?: string;
}): AcmeIssuerConfig {
  return {
    kind: 'acme',
    name: 'zerossl',
    server: ZEROSSL,
    ...(options.email ? { email: options.email } : {}),
    externalAccountBinding: { keyId: options.keyId, hmacKeySecretArn: options.hmacKeySecretArn },
    solvers: [{ dns01: { route53: options.hostedZoneId ? { hostedZoneId: options.hostedZoneId } : {} } }],
  };
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

/**
 * Refuses, at synth time, issuer options that are declared in the types but not implemented yet:
 * silently ignoring them would, for a cross-account `roleArn`, write into the wrong account.
 */
export function checkIssuers(issuers: IssuerConfig[]): IssuerConfig[] {
  const names = new Set<string>();
  issuers.forEach((issuer, i) => {
    const at = `certflow.issuers[${i}]`;
    if (!['acme', 'selfSigned', 'ca'].includes(issuer.kind))
      throw new Error(`${at}.kind: "${issuer.kind}" is not an issuer kind (acme, selfSigned, ca)`);
    if (!issuer.name) throw new Error(`${at}.name: is required`);
    if (names.has(issuer.name)) throw new Error(`${at}.name: "${issuer.name}" is declared twice`);
    names.add(issuer.name);
    if (issuer.kind === 'ca' && !issuer.certificateName)
      throw new Error(`${at}.certificateName: is required for a ca issuer`);
    if (issuer.kind !== 'acme') return;
    if (!issuer.server) throw new Error(`${at}.server: is required for an acme issuer`);
    const eab = issuer.externalAccountBinding;
    if (eab && !eab.keyId) throw new Error(`${at}.externalAccountBinding.keyId: is required`);
    if (eab && !/^arn:aws[a-z-]*:secretsmanager:/.test(eab.hmacKeySecretArn ?? '')) {
      throw new Error(
        `${at}.externalAccountBinding.hmacKeySecretArn: must be the ARN of a Secrets Manager secret holding the HMAC key`,
      );
    }
    if (!issuer.solvers?.length) throw new Error(`${at}.solvers: an acme issuer needs at least one DNS-01 solver`);
    issuer.solvers.forEach((solver, j) => checkSolverConfig(solver, `${at}.solvers[${j}]`));
  });
  return issuers;
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
