/** ACME issuers ready to use: Let's Encrypt (production and staging) and ZeroSSL. */
import type { AcmeIssuerConfig } from './config.js';

export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';
export const ZEROSSL = 'https://acme.zerossl.com/v2/DV90';

/** Let's Encrypt (production and staging) with the ambient Route53 solver, for `email`. */
export function letsEncryptIssuers(email?: string, hostedZoneId?: string): AcmeIssuerConfig[] {
  const solvers = [{ dns01: { route53: hostedZoneId ? { hostedZoneId } : {} } }];
  return [
    { kind: 'acme', name: 'letsencrypt', server: LETS_ENCRYPT_PRODUCTION, ...(email ? { email } : {}), solvers },
    { kind: 'acme', name: 'letsencrypt-staging', server: LETS_ENCRYPT_STAGING, ...(email ? { email } : {}), solvers },
  ];
}

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
