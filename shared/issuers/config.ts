/**
 * Issuers are declared in infrastructure code (CDK props or `cdk.json` context), never through the
 * API. The Lambdas receive them as JSON in `CERTFLOW_ISSUERS`. The registry is keyed by `kind` so
 * that `ca`, `selfSigned`, `awsPca` and Vault can join without touching the ACME path.
 */
import type { AcmeSolverConfig } from '../ports/dns.js';

export interface AcmeIssuerConfig {
  kind: 'acme';
  name: string;
  server: string;
  email?: string;
  externalAccountBinding?: { keyId: string; hmacKeySecretArn: string };
  profile?: string;
  preferredChain?: string;
  solvers: AcmeSolverConfig[];
  /** PEM of a CA to trust for the ACME server's TLS (local Pebble only). */
  caBundlePem?: string;
}

/** Signs each certificate with its own key (cert-manager's `selfSigned`). */
export interface SelfSignedIssuerConfig {
  kind: 'selfSigned';
  name: string;
}

/**
 * Signs with a CA key pair kept by certflow: the certificate `certificateName` (issued by certflow,
 * typically by a `selfSigned` issuer with `isCA: true` — cert-manager's bootstrap pattern).
 */
export interface CaIssuerConfig {
  kind: 'ca';
  name: string;
  certificateName: string;
}

export type IssuerConfig = AcmeIssuerConfig | SelfSignedIssuerConfig | CaIssuerConfig;
export type IssuerKind = IssuerConfig['kind'];

export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/** Finds an issuer by name; the error names the spec field that referenced it. */
export function findIssuer(issuers: readonly IssuerConfig[], name: string): IssuerConfig | undefined {
  return issuers.find((issuer) => issuer.name === name);
}
