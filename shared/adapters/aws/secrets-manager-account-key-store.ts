/**
 * ACME account keys in AWS Secrets Manager, one secret per issuer. The key is created on first
 * use and kept for ever: a new key would be a new ACME account, losing its rate-limit history.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { StoreError, TransientError } from '../../errors.js';
import type { AccountKeyStore } from '../../ports/acme.js';
import { awsErrorName } from './aws-errors.js';
import { secretsManagerError } from './secrets-manager-certificate-store.js';

/** Options of {@link SecretsManagerAccountKeyStore}. */
export interface SecretsManagerAccountKeyStoreOptions {
  client: SecretsManagerClient;
  /** First segment of every secret name, e.g. `certflow`. */
  prefix: string;
  /** The customer managed KMS key that encrypts the account secrets. */
  kmsKeyId: string;
}

/** What the account secret holds, as JSON. */
export interface AccountKeyRecord {
  keyPem: string;
  accountUrl?: string;
  server?: string;
}

function serialize(record: AccountKeyRecord): string {
  const out: AccountKeyRecord = { keyPem: record.keyPem };
  if (record.accountUrl !== undefined) out.accountUrl = record.accountUrl;
  if (record.server !== undefined) out.server = record.server;
  return JSON.stringify(out);
}

function parse(issuerName: string, secretString: string | undefined): AccountKeyRecord {
  let value: unknown;
  try {
    value = secretString === undefined ? undefined : JSON.parse(secretString);
  } catch {
    // The parser's message may quote the key: say only that the secret is malformed.
  }
  const v = value as Partial<Record<keyof AccountKeyRecord, unknown>> | undefined;
  if (typeof v !== 'object' || v === null || typeof v.keyPem !== 'string') {
    throw new StoreError(`secretsmanager: account secret of issuer "${issuerName}" is malformed`);
  }
  const record: AccountKeyRecord = { keyPem: v.keyPem };
  if (typeof v.accountUrl === 'string') record.accountUrl = v.accountUrl;
  if (typeof v.server === 'string') record.server = v.server;
  return record;
}

/** {@link AccountKeyStore} on Secrets Manager: secret `${prefix}/acme-accounts/${issuerName}`. */
export class SecretsManagerAccountKeyStore implements AccountKeyStore {
  readonly #client: SecretsManagerClient;
  readonly #prefix: string;
  readonly #kmsKeyId: string;

  constructor(options: SecretsManagerAccountKeyStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#kmsKeyId = options.kmsKeyId;
  }

  /** Name of the secret that holds the account of `issuerName`. */
  secretName(issuerName: string): string {
    return `${this.#prefix}/acme-accounts/${issuerName}`;
  }

  async get(issuerName: string): Promise<AccountKeyRecord | undefined> {
    let output;
    try {
      output = await this.#client.send(
        new GetSecretValueCommand({ SecretId: this.secretName(issuerName), VersionStage: 'AWSCURRENT' }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw secretsManagerError(`reading account of issuer "${issuerName}"`, error);
    }
    return parse(issuerName, output.SecretString);
  }

  /** Creates the secret; when another creator won, returns its key so both use one account. */
  async createIfAbsent(issuerName: string, keyPem: string): Promise<AccountKeyRecord> {
    try {
      await this.#client.send(
        new CreateSecretCommand({
          Name: this.secretName(issuerName),
          SecretString: serialize({ keyPem }),
          KmsKeyId: this.#kmsKeyId,
          Tags: [{ Key: 'certflow:issuer', Value: issuerName }],
          Description: `certflow ACME account key of issuer ${issuerName}`,
        }),
      );
      return { keyPem };
    } catch (error) {
      if (awsErrorName(error) !== 'ResourceExistsException') {
        throw secretsManagerError(`creating account of issuer "${issuerName}"`, error);
      }
    }
    const existing = await this.get(issuerName);
    if (!existing) {
      throw new TransientError(
        `secretsmanager: account secret of issuer "${issuerName}" exists but cannot be read yet`,
      );
    }
    return existing;
  }

  /** Records the account URL next to the key; a no-op when it is already there. */
  async setAccountUrl(issuerName: string, server: string, accountUrl: string): Promise<void> {
    const existing = await this.get(issuerName);
    if (!existing) throw new StoreError(`secretsmanager: issuer "${issuerName}" has no account key`);
    if (existing.server === server && existing.accountUrl === accountUrl) return;
    try {
      await this.#client.send(
        new PutSecretValueCommand({
          SecretId: this.secretName(issuerName),
          SecretString: serialize({ keyPem: existing.keyPem, accountUrl, server }),
        }),
      );
    } catch (error) {
      throw secretsManagerError(`saving account URL of issuer "${issuerName}"`, error);
    }
  }
}
