/**
 * How the AWS adapters tell a passing failure (retried by the state machine) from a final one.
 * One list for every service, so throttling means the same thing in Route53, Secrets Manager,
 * DynamoDB and EventBridge.
 */
import { CertflowError, TransientError } from '../../errors.js';

const TRANSIENT_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'InternalServiceError',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function shape(error: unknown): AwsErrorShape {
  return (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
}

/** The SDK error's `name` (`ResourceNotFoundException`…), or undefined for non-errors. */
export function awsErrorName(error: unknown): string | undefined {
  return shape(error).name;
}

/** Throttling, server faults, 5xx/429 and network failures; `alsoTransient` adds service-specific names. */
export function isTransientAwsError(error: unknown, alsoTransient: readonly string[] = []): boolean {
  const e = shape(error);
  const status = e.$metadata?.httpStatusCode;
  return (
    (e.name !== undefined && (TRANSIENT_NAMES.has(e.name) || alsoTransient.includes(e.name))) ||
    (e.code !== undefined && NETWORK_CODES.has(e.code)) ||
    e.$fault === 'server' ||
    Boolean(e.$retryable) ||
    (status !== undefined && (status >= 500 || status === 429))
  );
}

/**
 * Translates an SDK failure into `TransientError` or the adapter's terminal error. The message is
 * `<component>: <action> failed: <name>: <AWS message>`; the request is never included, so no
 * secret value can leak into it.
 */
export function translateAwsError(
  component: string,
  action: string,
  error: unknown,
  terminal: new (message: string, options?: { cause?: unknown }) => CertflowError,
  alsoTransient: readonly string[] = [],
): CertflowError {
  if (error instanceof CertflowError) return error;
  const e = shape(error);
  const message = `${component}: ${action} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  return isTransientAwsError(error, alsoTransient)
    ? new TransientError(message, { cause: error })
    : new terminal(message, { cause: error });
}
