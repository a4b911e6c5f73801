/**
 * Cost per certificate at AWS list prices (us-east-1), from counts measured on real local
 * executions. Prices are named constants with their source; they change, so re-check them.
 */
import type { CertflowRun } from './certflow.js';

// https://aws.amazon.com/step-functions/pricing/ (Standard workflows), read 2025.
export const SFN_PER_TRANSITION = 0.025 / 1_000;
// https://aws.amazon.com/lambda/pricing/ (Arm, first 6 billion GB-s tier), read 2025.
export const LAMBDA_ARM_PER_GB_SECOND = 0.0000133334;
// https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests), read 2025.
export const LAMBDA_PER_REQUEST = 0.2 / 1_000_000;
// https://aws.amazon.com/secrets-manager/pricing/ ($0.40 per secret per month), read 2025.
export const SECRETS_PER_SECRET_MONTH = 0.4;
// https://aws.amazon.com/secrets-manager/pricing/ ($0.05 per 10,000 API calls), read 2025.
export const SECRETS_PER_API_CALL = 0.05 / 10_000;
// https://aws.amazon.com/dynamodb/pricing/on-demand/ — the figures the project's brief gives as
// 2025 pricing: $1.25 per million write request units, $0.25 per million read request units. AWS
// announced a 50% cut of on-demand throughput prices in November 2024; if that applies, these are
// an upper bound (DynamoDB is a negligible share of the total either way). Verify before quoting.
export const DYNAMODB_PER_WRITE_UNIT = 1.25 / 1_000_000;
export const DYNAMODB_PER_READ_UNIT = 0.25 / 1_000_000;
// https://aws.amazon.com/eventbridge/pricing/ (Scheduler: $1.00 per million invocations), read 2025.
export const SCHEDULER_PER_INVOCATION = 1 / 1_000_000;
// https://aws.amazon.com/eventbridge/pricing/ (custom events: $1.00 per million), read 2025.
export const EVENTBRIDGE_PER_EVENT = 1 / 1_000_000;
// https://aws.amazon.com/certificate-manager/pricing/ — exportable public certificates, 2025:
// about $15 per fully qualified domain name per issuance (a documented figure, not measured).
export const ACM_EXPORTABLE_PER_FQDN = 15;

/** The memory every certflow function is given (infra/constructs/certflow-function.ts). */
export const LAMBDA_MEMORY_GB = 0.5;
/** Lambda bills in 1 ms increments. */
const billedMs = (ms: number) => Math.max(1, Math.ceil(ms));

export interface IssuanceCost {
  names: number;
  transitions: number;
  invocations: number;
  gbSeconds: number;
  secretsApiCalls: number;
  dynamodbReads: number;
  dynamodbWrites: number;
  events: number;
  usd: {
    stepFunctions: number;
    lambda: number;
    secretsManager: number;
    dynamodb: number;
    eventBridge: number;
    total: number;
  };
}

/**
 * Prices one execution. `minMsPerInvocation` lets a pessimistic line assume each Lambda call is
 * slower in AWS (real network to the CA and to AWS APIs) than in-process locally.
 */
export function issuanceCost(run: CertflowRun, names: number, minMsPerInvocation = 0): IssuanceCost {
  const gbSeconds =
    (run.invocations.reduce((sum, i) => sum + billedMs(Math.max(i.ms, minMsPerInvocation)), 0) / 1000) *
    LAMBDA_MEMORY_GB;
  const c = run.apiCalls;
  const usd = {
    stepFunctions: run.transitions * SFN_PER_TRANSITION,
    lambda: gbSeconds * LAMBDA_ARM_PER_GB_SECOND + run.invocations.length * LAMBDA_PER_REQUEST,
    secretsManager: c.secretsManager * SECRETS_PER_API_CALL,
    // One request unit per call: items are well under 1 KB (write) / 4 KB (read).
    dynamodb: c.dynamodbWrite * DYNAMODB_PER_WRITE_UNIT + c.dynamodbRead * DYNAMODB_PER_READ_UNIT,
    eventBridge: c.eventBridge * EVENTBRIDGE_PER_EVENT,
    total: 0,
  };
  usd.total = usd.stepFunctions + usd.lambda + usd.secretsManager + usd.dynamodb + usd.eventBridge;
  return {
    names,
    transitions: run.transitions,
    invocations: run.invocations.length,
    gbSeconds,
    secretsApiCalls: c.secretsManager,
    dynamodbReads: c.dynamodbRead,
    dynamodbWrites: c.dynamodbWrite,
    events: c.eventBridge,
    usd,
  };
}

/** 90-day certificates renewed at 60 days: issuances per certificate per (average) month. */
export const ISSUANCES_PER_MONTH = 365.25 / 12 / 60;

export interface MonthlyCost {
  certificates: number;
  issuances: number;
  issuanceUsd: number;
  storageUsd: number;
  schedulerUsd: number;
  totalUsd: number;
  acmeExportableUsd: number;
}

/** A month of `certificates` one-name certificates: issuances, one secret each all month, schedules. */
export function monthlyCost(perIssuance: IssuanceCost, certificates = 1_000): MonthlyCost {
  const issuances = certificates * ISSUANCES_PER_MONTH;
  const issuanceUsd = issuances * perIssuance.usd.total;
  const storageUsd = certificates * SECRETS_PER_SECRET_MONTH;
  const schedulerUsd = issuances * SCHEDULER_PER_INVOCATION;
  return {
    certificates,
    issuances,
    issuanceUsd,
    storageUsd,
    schedulerUsd,
    totalUsd: issuanceUsd + storageUsd + schedulerUsd,
    acmeExportableUsd: issuances * perIssuance.names * ACM_EXPORTABLE_PER_FQDN,
  };
}
