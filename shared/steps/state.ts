/**
 * What travels through the state machine between steps. References only: names, URLs, ids and
 * public TXT values. A private key never appears here (the Finalize step writes it to the store
 * and the Store step reads it back inside its own Lambda).
 */
import type { IssuerKind } from '../issuers/registry.js';
import type { CertificateSpec } from '../domain/spec.js';
import type { ExecutionInput } from '../ports/executions.js';
import type { QuietEnd } from '../certificates/lease.js';

/** Prepare's input: the execution input plus the execution's name, from the context object. */
export interface PrepareInput {
  input: ExecutionInput;
  executionName: string;
}

export interface ChallengeRef {
  /** The DNS name being validated (without `*.`). */
  identifier: string;
  wildcard: boolean;
  authorizationUrl: string;
  challengeUrl: string;
  /** `_acme-challenge.<identifier>` */
  recordName: string;
  /** Public TXT value (a digest of the key authorization, not a secret). */
  value: string;
  /** Index of the issuer's solver chosen for this name. */
  solver: number;
}

export interface PollState {
  done: boolean;
  attempts: number;
  /** How long the next Wait state waits (Wait states read it through `SecondsPath`). */
  delaySeconds: number;
}

export interface IssuanceState {
  name: string;
  revision: number;
  /** Unique per execution; keys pending material and makes secret writes idempotent. */
  issuanceId: string;
  /**
   * The record's `createdAt` when Prepare took the lease: Store and RecordFailure act only on the
   * same record (a certificate deleted and applied again is another). Absent in executions that
   * started before leases existed.
   */
  generation?: string;
  /** Set when the issuance ends without a certificate and without a failure (see lease.ts). */
  ended?: QuietEnd;
  /** When Prepare ran: the issuance duration metric counts from here. */
  startedAt?: string;
  issuer: string;
  issuerKind: IssuerKind;
  reason: string;
  /** A certificate was already issued: this one replaces it (`Certificate Renewed`). */
  renewal: boolean;
  /** ARI (RFC 9773): the identifier of the certificate this order replaces, when the CA has ARI. */
  replaces?: string;
  spec: CertificateSpec;
  acme?: {
    accountUrl: string;
    orderUrl: string;
    /** Every authorization of the order (reused ones included). */
    authorizationUrls: string[];
    /** Only the challenges this issuance must solve (reused valid authorizations have none). */
    challenges: ChallengeRef[];
  };
  /** From Sign (selfSigned and ca issuers): the new certificate and its CA. Public data. */
  signed?: { certificatePem: string; caPem: string };
  /** Change ids per solver index, from PresentChallenges. */
  dns?: { solver: number; changeIds: string[] }[];
  poll?: PollState;
  result?: {
    serialNumber: string;
    notBefore: string;
    notAfter: string;
    secretArn: string;
    versionId: string;
    /** When the next renewal is due (from the spec, or the CA's ARI window). */
    renewalTime: string;
  };
  /** Set by a Catch: `Error` is the error name, `Cause` its message (or Lambda's JSON). */
  error?: { Error: string; Cause: string };
}

/** Prepare's answer when another issuance of the same revision holds the certificate. */
export interface BusyState {
  name: string;
  ended: 'busy';
  /** The execution that holds the lease. */
  holder: string;
}
