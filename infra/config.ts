/**
 * Deployment configuration: which issuers exist and where they may write DNS records. Read from
 * the `certflow` key of the CDK context (cdk.json or `-c certflow='{…}'`), with presets for
 * Let's Encrypt.
 */
import {
  type AcmeIssuerConfig,
  type AcmeSolverConfig,
  type IssuerConfig,
  type Route53SolverConfig,
  LETS_ENCRYPT_PRODUCTION,
  LETS_ENCRYPT_STAGING,
} from '../shared/issuers/config.js';
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
    issuer.solvers.forEach((solver, j) => {
      checkSolverKind(solver, `${at}.solvers[${j}]`);
      const route53 = solver.dns01?.route53;
      if (route53?.externalId && !route53.roleArn) {
        throw new Error(`${at}.solvers[${j}].dns01.route53.externalId: goes with a roleArn`);
      }
      if (route53?.roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(route53.roleArn)) {
        throw new Error(`${at}.solvers[${j}].dns01.route53.roleArn: "${route53.roleArn}" is not an IAM role ARN`);
      }
      const strategy = solver.dns01?.cnameStrategy;
      if (strategy !== undefined && strategy !== 'None' && strategy !== 'Follow') {
        throw new Error(`${at}.solvers[${j}].dns01.cnameStrategy: must be None or Follow`);
      }
    });
  });
  return issuers;
}

/** A hook's function: a name or full ARN, each optionally with a version or alias. */
const HOOK_FUNCTION =
  /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]{1,128})?$/;

/**
 * A solver writes into exactly one DNS: with two, which one the CA would query is a guess; with
 * none, presenting would fail only at the first issuance.
 */
function checkSolverKind(solver: AcmeSolverConfig, at: string): void {
  const dns01 = solver.dns01 ?? {};
  const kinds = (['route53', 'challtestsrv', 'hook'] as const).filter((kind) => dns01[kind] !== undefined);
  if (kinds.length !== 1) {
    throw new Error(
      `${at}.dns01: needs exactly one of route53, challtestsrv, hook` +
        (kinds.length ? ` (has ${kinds.join(', ')})` : ''),
    );
  }
  if (!dns01.hook) return;
  const functionName: unknown = dns01.hook.functionName;
  if (typeof functionName !== 'string' || functionName === '') {
    throw new Error(`${at}.dns01.hook.functionName: is required`);
  }
  if (!HOOK_FUNCTION.test(functionName)) {
    throw new Error(
      `${at}.dns01.hook.functionName: "${functionName}" is neither a Lambda function name nor a function ARN`,
    );
  }
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
