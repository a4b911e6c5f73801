/** The `selfSigned` issuer: each certificate is signed with its own key (cert-manager's `selfSigned`). */
export interface SelfSignedIssuerConfig {
  kind: 'selfSigned';
  name: string;
}

/** A selfSigned issuer has nothing to configure beyond its name. */
export function checkSelfSignedIssuer(_issuer: SelfSignedIssuerConfig, _at: string): void {}
