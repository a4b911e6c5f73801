/**
 * The issuer registry: every issuer kind, its configuration type and check, and how it issues.
 * Issuers are declared in infrastructure code (CDK props or `cdk.json` context), never through the
 * API; the Lambdas receive them as JSON in `CERTFLOW_ISSUERS`. A new kind (`awsPca`, Vault) is a
 * folder beside `acme/`, `ca/` and `self-signed/` and one entry in {@link ISSUER_KINDS}.
 *
 * This module holds configurations only; the signing code of the kinds that sign is in
 * `signing.ts`, so that the functions that only read configurations do not bundle X.509 code.
 */
import { type AcmeIssuerConfig, checkAcmeIssuer } from './acme/config.js';
import { type CaIssuerConfig, checkCaIssuer } from './ca/config.js';
import { type SelfSignedIssuerConfig, checkSelfSignedIssuer } from './self-signed/config.js';

export type { AcmeIssuerConfig } from './acme/config.js';
export type { CaIssuerConfig } from './ca/config.js';
export type { SelfSignedIssuerConfig } from './self-signed/config.js';

export type IssuerConfig = AcmeIssuerConfig | SelfSignedIssuerConfig | CaIssuerConfig;
export type IssuerKind = IssuerConfig['kind'];

/**
 * How each kind issues: `order` at a CA (the state machine's CreateOrder … PollOrder branch) or
 * `sign` at once (its Sign state); and the check of its configuration.
 */
export const ISSUER_KINDS: {
  [K in IssuerKind]: {
    issuedBy: 'order' | 'sign';
    check(issuer: Extract<IssuerConfig, { kind: K }>, at: string): void;
  };
} = {
  acme: { issuedBy: 'order', check: checkAcmeIssuer },
  selfSigned: { issuedBy: 'sign', check: checkSelfSignedIssuer },
  ca: { issuedBy: 'sign', check: checkCaIssuer },
};

/** The kinds issued by an order at a CA. */
export const ORDERING_KINDS = (Object.keys(ISSUER_KINDS) as IssuerKind[]).filter(
  (kind) => ISSUER_KINDS[kind].issuedBy === 'order',
);

/** Finds an issuer by name. */
export function findIssuer(issuers: readonly IssuerConfig[], name: string): IssuerConfig | undefined {
  return issuers.find((issuer) => issuer.name === name);
}

/**
 * Refuses, at synth time, an issuer list that could only fail later: an unknown kind, a missing
 * or repeated name, or what the kind's own check refuses. Errors name the field
 * (`certflow.issuers[i].…`). Returns the list unchanged.
 */
export function checkIssuers(issuers: IssuerConfig[]): IssuerConfig[] {
  const kinds = Object.keys(ISSUER_KINDS);
  const names = new Set<string>();
  issuers.forEach((issuer, i) => {
    const at = `certflow.issuers[${i}]`;
    if (!kinds.includes(issuer.kind))
      throw new Error(`${at}.kind: "${issuer.kind}" is not an issuer kind (${kinds.join(', ')})`);
    if (!issuer.name) throw new Error(`${at}.name: is required`);
    if (names.has(issuer.name)) throw new Error(`${at}.name: "${issuer.name}" is declared twice`);
    names.add(issuer.name);
    (ISSUER_KINDS[issuer.kind].check as (issuer: IssuerConfig, at: string) => void)(issuer, at);
  });
  return issuers;
}
