/** Environment variables, read once into named constants; a missing one names itself. */
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../certificates/renewal-policy.js';
import type { IssuerConfig } from '../issuers/registry.js';
import { CertflowError } from '../errors.js';
import type { SweepOptions } from '../renewal/sweep.js';

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new CertflowError(`config: environment variable ${name} is not set`);
  return value;
}

export function parseIssuers(json: string, source = 'CERTFLOW_ISSUERS'): IssuerConfig[] {
  try {
    const issuers = JSON.parse(json) as unknown;
    if (!Array.isArray(issuers)) throw new Error('not an array');
    return issuers as IssuerConfig[];
  } catch (error) {
    throw new CertflowError(`config: ${source} is not a JSON array of issuers: ${(error as Error).message}`);
  }
}

export interface AwsEnvironment {
  issuers: IssuerConfig[];
  tableName: string;
  secretPrefix: string;
  kmsKeyId: string;
  eventBusName: string;
}

export function readAwsEnvironment(env: NodeJS.ProcessEnv = process.env): AwsEnvironment {
  return {
    issuers: parseIssuers(requireEnv('CERTFLOW_ISSUERS', env)),
    tableName: requireEnv('CERTFLOW_TABLE', env),
    secretPrefix: requireEnv('CERTFLOW_SECRET_PREFIX', env),
    kmsKeyId: requireEnv('CERTFLOW_KMS_KEY_ID', env),
    eventBusName: env.CERTFLOW_EVENT_BUS ?? 'default',
  };
}

/** Route53's API allows five requests per second per account; certflow keeps one in reserve. */
export const DEFAULT_ROUTE53_REQUESTS_PER_SECOND = 4;
/**
 * How long a Route53 request may wait for its slot. An execution has at most one Route53 request
 * waiting, so the queue is (executions in a Route53 step) / rate long: 120 s at 4/s holds 480
 * executions at once. The functions that call Route53 run up to 15 minutes.
 */
export const DEFAULT_ROUTE53_MAX_WAIT_SECONDS = 120;

export interface PacingEnvironment {
  /** The DynamoDB table of request slots. */
  slotTable: string;
  requestsPerSecond: number;
  maxWaitSeconds: number;
}

/** `env[name]` as a positive number (of `unit`, when given), `fallback` when unset or empty. */
function positiveNumber(name: string, fallback: number, env: NodeJS.ProcessEnv, unit?: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new CertflowError(`config: ${name} must be a positive number${unit ? ` of ${unit}` : ''}, not "${raw}"`);
  }
  return value;
}

/** The Route53 request budget of the functions that call Route53. */
export function readRoute53Pacing(env: NodeJS.ProcessEnv = process.env): PacingEnvironment {
  return {
    slotTable: requireEnv('CERTFLOW_SLOT_TABLE', env),
    requestsPerSecond: positiveNumber('CERTFLOW_ROUTE53_REQUESTS_PER_SECOND', DEFAULT_ROUTE53_REQUESTS_PER_SECOND, env),
    maxWaitSeconds: positiveNumber('CERTFLOW_ROUTE53_MAX_WAIT_SECONDS', DEFAULT_ROUTE53_MAX_WAIT_SECONDS, env),
  };
}

/** The sweep's configuration, checked once at cold start; a bad value names its variable. */
export function readSweepOptions(env: NodeJS.ProcessEnv = process.env): SweepOptions {
  return {
    expiryWarningDays: positiveNumber('CERTFLOW_EXPIRY_WARNING_DAYS', DEFAULT_EXPIRY_WARNING_DAYS, env, 'days'),
  };
}
