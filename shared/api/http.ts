/** The API's own small HTTP vocabulary, independent of API Gateway or node:http. */
import { AcmeError, CertflowError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { logger } from '../logger.js';

export interface ApiRequest {
  method: string;
  /** Path without stage or query string, e.g. `/certificates/web`. */
  path: string;
  query: Record<string, string | undefined>;
  /** Raw body as received (UTF-8), if any. */
  body?: string;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Bodies larger than this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A client error with its HTTP status and the field it concerns. */
export class HttpError extends CertflowError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body };
}

function problem(status: number, code: string, message: string, field?: string): ApiResponse {
  return json(status, { error: { code, message, ...(field !== undefined ? { field } : {}) } });
}

/**
 * Turns any failure into an answer: the domain's errors become 4xx naming the field; anything
 * else is logged and answered 500 without a stack or internal detail.
 */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof HttpError) return problem(error.status, error.code, error.message, error.field);
  if (error instanceof ValidationError) return problem(400, 'ValidationFailed', error.message, error.field);
  if (error instanceof NotFoundError) return problem(404, 'NotFound', error.message);
  if (error instanceof ConflictError) return problem(409, 'Conflict', error.message);
  // The CA refused (e.g. a revocation): not our failure, and its message is worth showing.
  if (error instanceof AcmeError) return problem(502, 'CertificateAuthorityError', error.message);
  logger.error('api: unexpected failure', {
    error: error instanceof Error ? error.name : typeof error,
    detail: error instanceof Error ? error.message : undefined,
  });
  return problem(500, 'InternalError', 'the request could not be completed; it can be retried');
}
