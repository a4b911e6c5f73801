/**
 * The small interfaces the pipeline steps depend on. AWS adapters (shared/adapters/aws) and local
 * adapters (shared/adapters/local) implement them; only the wiring module picks which.
 */
import type { AcmeIssuerConfig, AcmeSolverConfig, IssuerConfig } from '../domain/issuer.js';
import type { CertificateRecord } from '../domain/record.js';
import type { ExecutionInput } from './state.js';

// ─── ACME ────────────────────────────────────────────────────────────────────────────────────

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
  createOrder(request: { identifiers: { type: 'dns'; value: string }[]; profile?: string }): Promise<AcmeOrder>;
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
}

export interface AcmeGateway {
  /**
   * Opens a session for `issuer`. Without `accountUrl`, it finds or registers the account whose
   * key is kept by the account store (created on first use, reused for ever).
   */
  session(issuer: AcmeIssuerConfig, accountUrl?: string): Promise<AcmeSession>;
}

/** Where ACME account keys live (Secrets Manager in AWS). */
export interface AccountKeyStore {
  get(issuerName: string): Promise<{ keyPem: string; accountUrl?: string; server?: string } | undefined>;
  /** Creates the key if none exists; returns whichever key won a concurrent creation. */
  createIfAbsent(issuerName: string, keyPem: string): Promise<{ keyPem: string; accountUrl?: string; server?: string }>;
  setAccountUrl(issuerName: string, server: string, accountUrl: string): Promise<void>;
}

// ─── DNS ─────────────────────────────────────────────────────────────────────────────────────

export interface TxtRecord {
  /** Fully qualified, no trailing dot: `_acme-challenge.example.com`. */
  name: string;
  value: string;
}

/** A DNS-01 solver (cert-manager's Present / CleanUp, plus Check for propagation). */
export interface DnsSolver {
  /** Adds the values, merged with any already there; returns change ids to wait on. */
  present(records: TxtRecord[]): Promise<string[]>;
  /** True when every change is visible on the authoritative servers (Route53: INSYNC). */
  isPropagated(changeIds: string[]): Promise<boolean>;
  /** Removes only these values; removing what is not there is not an error. */
  cleanUp(records: TxtRecord[]): Promise<void>;
}

export interface DnsSolverFactory {
  solverFor(config: AcmeSolverConfig): DnsSolver;
}

// ─── Storage ─────────────────────────────────────────────────────────────────────────────────

/** The three keys of the certificate secret, as in a `kubernetes.io/tls` Secret. */
export interface CertificateBundle {
  'tls.crt': string;
  'tls.key': string;
  'ca.crt': string;
}

export interface StoredCertificate extends CertificateBundle {
  secretArn: string;
  versionId: string;
}

export interface CertificateStore {
  /** The certificate currently served, or undefined if none was ever issued. */
  readCurrent(name: string): Promise<StoredCertificate | undefined>;
  /** Keeps a new private key until its certificate arrives. Idempotent per issuance. */
  putPendingKey(name: string, issuanceId: string, keyPem: string): Promise<void>;
  readPendingKey(name: string, issuanceId: string): Promise<string | undefined>;
  discardPendingKey(name: string, issuanceId: string): Promise<void>;
  /**
   * Writes `bundle` as the new current version; the previous one stays readable. Idempotent per
   * issuance: writing the same issuance twice yields one version.
   */
  putCurrent(
    name: string,
    issuanceId: string,
    bundle: CertificateBundle,
    tags: Record<string, string>,
  ): Promise<{ secretArn: string; versionId: string }>;
}

// ─── Inventory ───────────────────────────────────────────────────────────────────────────────

export interface Inventory {
  get(name: string): Promise<CertificateRecord | undefined>;
  /**
   * Writes `record`. With `expectedVersion`, the write succeeds only if the stored version is
   * that one (0: the record must not exist) and throws `ConflictError` otherwise.
   */
  put(record: CertificateRecord, expectedVersion: number): Promise<void>;
  /**
   * Deletes the record if its stored version is `expectedVersion`; `ConflictError` otherwise.
   * Deleting a record that does not exist is not an error.
   */
  delete(name: string, expectedVersion: number): Promise<void>;
  /** One page of records in name order, through an index (never a Scan). */
  list(options?: { limit?: number; nextToken?: string }): Promise<{ items: CertificateRecord[]; nextToken?: string }>;
}

// ─── Executions ──────────────────────────────────────────────────────────────────────────────

/** Starts issuance executions (Step Functions StartExecution in AWS). */
export interface IssuanceStarter {
  /**
   * Starts an execution named `executionName`. Idempotent: if an execution of that name exists
   * (running or finished), nothing starts and `started` is false.
   */
  start(executionName: string, input: ExecutionInput): Promise<{ started: boolean; executionId?: string }>;
}

/** Revokes a certificate's current version at its CA (`DELETE …?revoke=true`). */
export interface Revoker {
  revoke(name: string): Promise<void>;
}

// ─── Events, clock ───────────────────────────────────────────────────────────────────────────

export type CertificateEventType = 'Certificate Issued' | 'Certificate Renewed' | 'Certificate Issuance Failed';

export interface CertificateEventDetail {
  name: string;
  revision: number;
  issuer: string;
  serialNumber?: string;
  notAfter?: string;
  secretArn?: string;
  reason?: string;
  message?: string;
}

export interface EventPublisher {
  publish(type: CertificateEventType, detail: CertificateEventDetail): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// ─── All of them ─────────────────────────────────────────────────────────────────────────────

export interface Dependencies {
  issuers: readonly IssuerConfig[];
  inventory: Inventory;
  store: CertificateStore;
  acme: AcmeGateway;
  dns: DnsSolverFactory;
  events: EventPublisher;
  clock: Clock;
  issuance: IssuanceStarter;
  revoker: Revoker;
}
