/**
 * The `ca` issuer: signs with a CA key pair kept by certflow, the certificate `certificateName`
 * (issued by certflow, typically by a `selfSigned` issuer with `isCA: true`: cert-manager's
 * bootstrap pattern).
 */
export interface CaIssuerConfig {
  kind: 'ca';
  name: string;
  certificateName: string;
}

/** Throws, naming the field under `at` (`certflow.issuers[i]`), when the CA certificate is not named. */
export function checkCaIssuer(issuer: CaIssuerConfig, at: string): void {
  if (!issuer.certificateName) throw new Error(`${at}.certificateName: is required for a ca issuer`);
}
