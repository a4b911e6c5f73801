/**
 * The small interfaces the pipeline steps depend on. AWS adapters (shared/adapters/aws) and local
 * adapters (shared/adapters/local) implement them; only the wiring module picks which.
 */
import type { AcmeIssuerConfig, AcmeSolverConfig, IssuerConfig } from '../domain/issuer.js';
import type { CertificateRecord } from '../domain/record.js';
import type { DeliveryTarget } from '../domain/spec.js';
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
  session(issuer: AcmeIssuerConfig, accountUrl?: string): Promise<AcmeSession>;
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

/** Looks up CNAME records (CNAME delegation of `_acme-challenge`, cert-manager's `cnameStrategy: Follow`). */
export interface CnameResolver {
  /** The target of `name`'s CNAME (no trailing dot), or undefined when it has none. */
  cnameOf(name: string): Promise<string | undefined>;
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
  /**
   * Records whose due time (see `dueTime` in shared/renewal/policy.ts: renewal time, or the next
   * attempt after a failure) is at or before `before`, earliest first, through an index.
   */
  listDue(
    before: Date,
    options?: { limit?: number; nextToken?: string },
  ): Promise<{ items: CertificateRecord[]; nextToken?: string }>;
  /** Records whose certificate expires at or before `before`, earliest first, through an index. */
  listExpiring(
    before: Date,
    options?: { limit?: number; nextToken?: string },
  ): Promise<{ items: CertificateRecord[]; nextToken?: string }>;
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

/** One future start per certificate: EventBridge Scheduler in AWS. */
export interface RenewalScheduler {
  /** Creates or replaces the schedule of certificate `name`: start `executionName` with `input` at `at`. */
  schedule(name: string, at: Date, executionName: string, input: ExecutionInput): Promise<void>;
  /** Deletes the schedule of `name`; a missing one is fine. */
  cancel(name: string): Promise<void>;
}

/** Revokes a certificate's current version at its CA (`DELETE …?revoke=true`). */
export interface Revoker {
  revoke(name: string): Promise<void>;
}

// ─── Events, clock ───────────────────────────────────────────────────────────────────────────

export type CertificateEventType =
  'Certificate Issued' | 'Certificate Renewed' | 'Certificate Issuance Failed' | 'Certificate Expiring';

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

// ─── Delivery (EKS) ──────────────────────────────────────────────────────────────────────────

/** A Kubernetes Secret: the part of it certflow writes and compares. */
export interface KubernetesSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  type: string;
  /** base64, as the Kubernetes API carries Secret data. */
  data: Record<string, string>;
}

/** Secrets in clusters (the Kubernetes API with an EKS token in AWS). */
export interface ClusterSecretWriter {
  /** The Secret as the cluster has it, or undefined when there is none. */
  read(target: DeliveryTarget): Promise<KubernetesSecret | undefined>;
  /** Server-side apply with certflow's own field manager, taking over conflicting fields. */
  apply(target: DeliveryTarget, secret: KubernetesSecret): Promise<void>;
}

/** Work of the sync: references only, never key material. */
export type DeliveryMessage =
  | { kind: 'certificate'; name: string }
  | { kind: 'target'; name: string; target: DeliveryTarget }
  | { kind: 'reconcile'; nextToken?: string };

/** The sync's queue (SQS in AWS): each message is retried, and dead-lettered, on its own. */
export interface DeliveryQueue {
  send(messages: DeliveryMessage[]): Promise<void>;
  /** Straight to the dead-letter queue, with the reason: failures that no retry can fix. */
  deadLetter(entries: { message: DeliveryMessage; error: string }[]): Promise<void>;
}

// ─── All of them ─────────────────────────────────────────────────────────────────────────────

export interface Dependencies {
  issuers: readonly IssuerConfig[];
  inventory: Inventory;
  store: CertificateStore;
  acme: AcmeGateway;
  dns: DnsSolverFactory;
  cnames: CnameResolver;
  events: EventPublisher;
  clock: Clock;
  issuance: IssuanceStarter;
  revoker: Revoker;
  scheduler: RenewalScheduler;
  /** Only the sync uses these; optional so that the pipeline's wiring need not build them. */
  clusterSecrets?: ClusterSecretWriter;
  deliveryQueue?: DeliveryQueue;
}
