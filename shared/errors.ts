/**
 * certflow's error vocabulary.
 *
 * The state machine decides what to do with a failed step by the error's `name`:
 * `TransientError` and `RateLimitedError` are retried by the step's `Retry`; everything else is
 * terminal and caught into Cleanup → RecordFailure. The Lambda runtime reports `name` as the
 * error type, and the local runner does the same, so every class sets `name` explicitly.
 * Messages start with the component that failed (`route53: …`, `acme: …`).
 */
export class CertflowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertflowError';
  }
}

/** A failure that is expected to go away by itself: retried by the state machine with backoff. */
export class TransientError extends CertflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** The CA said `rateLimited`; `retryAfterSeconds` is its Retry-After, when it sent one. */
export class RateLimitedError extends CertflowError {
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Input that breaks the certificate spec; `field` is the JSON path of the offending value. */
export class ValidationError extends CertflowError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ValidationError';
    this.field = field;
  }
}

/** The CA refused something for good (invalid authorization, rejected CSR, unauthorized…). */
export class AcmeError extends CertflowError {
  readonly problemType: string | undefined;
  constructor(message: string, problemType?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AcmeError';
    this.problemType = problemType;
  }
}

/** DNS could not be prepared for a challenge (no hosted zone, refused change…). */
export class DnsError extends CertflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsError';
  }
}

/** Storage refused or lost something it must have (pending key missing, key/certificate mismatch). */
export class StoreError extends CertflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** A cluster refused a delivery for good (unauthorized, forbidden, invalid); no retry can fix it. */
export class DeliveryError extends CertflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** A named thing (certificate, issuer) does not exist. */
export class NotFoundError extends CertflowError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Another writer changed the record first; the caller may re-read and try again. */
export class ConflictError extends CertflowError {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Error names the state machine retries. Kept here so the CDK construct and tests agree. */
export const RETRYABLE_ERRORS = ['TransientError'] as const;
export const RATE_LIMITED_ERRORS = ['RateLimitedError'] as const;

/**
 * A rate limit longer than the state machine's `RateLimitedError` retrier covers is not waited
 * out inside an execution: it ends the issuance as an `AcmeError` with this message, naming when
 * the CA allows the next request, and RecordFailure schedules the retry for then (see
 * {@link rateLimitedUntil}). The time travels in the message because the message is all that
 * crosses the state machine's Catch (Lambda's `Cause` is `{errorType, errorMessage}`).
 */
export function rateLimitedUntilMessage(until: Date, detail: string): string {
  return `acme: rate limited until ${until.toISOString()}: ${detail}`;
}

const RATE_LIMITED_UNTIL = /^acme: rate limited until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)(?::|$)/;

/**
 * The CA's time in a message made by {@link rateLimitedUntilMessage}; undefined for any other
 * message (only its start is read, so a CA detail that quotes the phrase does not count).
 */
export function rateLimitedUntil(message: string): Date | undefined {
  const iso = RATE_LIMITED_UNTIL.exec(message)?.[1];
  const time = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** The message of an unknown thrown value, without its stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
