/** Environment variables, read once into named constants; a missing one names itself. */
import type { IssuerConfig } from '../domain/issuer.js';
import { CertflowError } from '../errors.js';

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
