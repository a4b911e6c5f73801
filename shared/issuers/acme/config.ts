/**
 * The `acme` issuer: a CA spoken to with ACME (RFC 8555), each identifier validated with a DNS-01
 * solver. Its configuration and the check that refuses one at synth time, naming the field.
 */
import type { AcmeSolverConfig } from '../../ports/dns.js';
import { checkSolverConfig } from '../../solvers/config.js';

export interface AcmeIssuerConfig {
  kind: 'acme';
  name: string;
  server: string;
  email?: string;
  externalAccountBinding?: { keyId: string; hmacKeySecretArn: string };
  profile?: string;
  preferredChain?: string;
  solvers: AcmeSolverConfig[];
}

/** Throws, naming the field under `at` (`certflow.issuers[i]`), what an ACME issuer cannot work without. */
export function checkAcmeIssuer(issuer: AcmeIssuerConfig, at: string): void {
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
}
