/** The ACME CA as the issuance steps use it: sessions, orders, authorizations, ARI; and where account keys live. */

/**
 * What the gateway needs of an ACME issuer to find or register its account (an `acme` issuer's
 * configuration is one).
 */
export interface AcmeAccountConfig {
  /** The issuer's name: its account key is kept under it. */
  name: string;
  /** The CA's directory URL. */
  server: string;
  email?: string;
  externalAccountBinding?: { keyId: string; hmacKeySecretArn: string };
}

export type AcmeStatus =
  'pending' | 'ready' | 'processing' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';

export interface AcmeProblem {
  type?: string;
  detail?: string;
}

export interface AcmeOrder {
  url: string;
  status: AcmeStatus;
  authorizations: string[];
  finalize: string;
  certificate?: string;
  error?: AcmeProblem;
  /** Seconds the CA asked us to wait before polling again (Retry-After). */
  retryAfterSeconds?: number;
}

export interface AcmeChallenge {
  type: string;
  url: string;
  token: string;
  status: AcmeStatus;
  error?: AcmeProblem;
}

export interface AcmeAuthorization {
  url: string;
  status: AcmeStatus;
  identifier: { type: string; value: string };
  wildcard: boolean;
  challenges: AcmeChallenge[];
  retryAfterSeconds?: number;
}

/** One logged-in ACME account of one issuer. */
export interface AcmeSession {
  readonly accountUrl: string;
  /**
   * newOrder. `replaces`: the ARI identifier (see `renewalInfo`) of the certificate this order
   * renews (RFC 9773 §5), so the CA can link the two. acme-client passes the body through.
   */
  createOrder(request: AcmeOrderRequest): Promise<AcmeOrder>;
  getOrder(url: string): Promise<AcmeOrder>;
  getAuthorization(url: string): Promise<AcmeAuthorization>;
  /** The TXT value for a dns-01 challenge: base64url(SHA-256(token '.' thumbprint)). */
  dns01TxtValue(challenge: AcmeChallenge): Promise<string>;
  completeChallenge(url: string): Promise<AcmeChallenge>;
  finalize(order: AcmeOrder, csrPem: string): Promise<AcmeOrder>;
  /** Leaf first, then the chain, as PEM. */
  downloadCertificate(order: AcmeOrder, preferredChain?: string): Promise<string>;
  /** Revokes a certificate this account obtained (RFC 8555 §7.6). */
  revoke(certificatePem: string): Promise<void>;
  /**
   * The CA's suggested renewal window for a certificate (ARI, RFC 9773), with the certificate's
   * ARI identifier. Undefined when the CA's directory has no `renewalInfo` (Pebble 2.4) or the CA
   * does not know the certificate.
   */
  renewalInfo(certificatePem: string): Promise<AcmeRenewalInfo | undefined>;
}

export interface AcmeOrderRequest {
  identifiers: { type: 'dns'; value: string }[];
  profile?: string;
  replaces?: string;
}

export interface AcmeRenewalInfo {
  /** RFC 9773 §4.1 identifier: what `createOrder`'s `replaces` takes. */
  certificateId: string;
  /** The unauthenticated GET that answers this (re-checked later without an ACME session). */
  url: string;
  windowStart: Date;
  windowEnd: Date;
  explanationUrl?: string;
  /** When to ask the CA again, in seconds (its Retry-After). */
  retryAfterSeconds?: number;
}

export interface AcmeGateway {
  /**
   * Opens a session for `issuer`. Without `accountUrl`, it finds or registers the account whose
   * key is kept by the account store (created on first use, reused for ever).
   */
  session(issuer: AcmeAccountConfig, accountUrl?: string): Promise<AcmeSession>;
}

/** Reads a secret the operator keeps (the HMAC key of an External Account Binding). */
export interface SecretReader {
  read(secretArn: string): Promise<string>;
}

/** Where ACME account keys live (Secrets Manager in AWS). */
export interface AccountKeyStore {
  get(issuerName: string): Promise<{ keyPem: string; accountUrl?: string; server?: string } | undefined>;
  /** Creates the key if none exists; returns whichever key won a concurrent creation. */
  createIfAbsent(issuerName: string, keyPem: string): Promise<{ keyPem: string; accountUrl?: string; server?: string }>;
  setAccountUrl(issuerName: string, server: string, accountUrl: string): Promise<void>;
}
