/**
 * Certificates and pending private keys in AWS Secrets Manager.
 *
 * The certificate secret holds the three keys of a `kubernetes.io/tls` Secret as JSON. A renewal is
 * a new secret version: Secrets Manager moves `AWSCURRENT` to it only once the whole bundle is
 * written, and the version it replaces stays readable as `AWSPREVIOUS`, so a renewal never
 * damages a working certificate.
 */
import { createHash } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  TagResourceCommand,
  type SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { type CertflowError, StoreError, TransientError } from '../../errors.js';
import { type CertificateBundle, parseCertificateBundle, serializeCertificateBundle } from '../../domain/bundle.js';
import type { CertificateStore, StoredCertificate } from '../../ports/certificate-store.js';
import { awsErrorName, translateAwsError } from './aws-errors.js';

/** Options of {@link SecretsManagerCertificateStore}. */
export interface SecretsManagerCertificateStoreOptions {
  client: SecretsManagerClient;
  /** First segment of every secret name, e.g. `certflow`. */
  prefix: string;
  /** The customer managed KMS key that encrypts every secret this store creates. */
  kmsKeyId: string;
}

/** Translates a Secrets Manager failure; Secrets Manager never echoes secret values into messages. */
export function secretsManagerError(action: string, error: unknown): CertflowError {
  return translateAwsError('secretsmanager', action, error, StoreError);
}

/**
 * A ClientRequestToken (Secrets Manager wants 32–64 characters) derived from `seed`: retrying a
 * write with the same seed names the same version, which Secrets Manager then ignores.
 */
export function versionTokenFor(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** {@link CertificateStore} on Secrets Manager: `${prefix}/certificates/${name}` and temporary pending-key secrets. */
export class SecretsManagerCertificateStore implements CertificateStore {
  readonly #client: SecretsManagerClient;
  readonly #prefix: string;
  readonly #kmsKeyId: string;

  constructor(options: SecretsManagerCertificateStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#kmsKeyId = options.kmsKeyId;
  }

  /** Name of the secret that holds certificate `name`. */
  certificateSecretName(name: string): string {
    return `${this.#prefix}/certificates/${name}`;
  }

  /** Name of the temporary secret that holds the private key of one issuance. */
  pendingKeySecretName(name: string, issuanceId: string): string {
    return `${this.#prefix}/pending/${name}/${issuanceId}`;
  }

  async readCurrent(name: string): Promise<StoredCertificate | undefined> {
    const secretName = this.certificateSecretName(name);
    let output;
    try {
      output = await this.#client.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: 'AWSCURRENT' }));
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw secretsManagerError(`reading certificate "${name}"`, error);
    }
    const bundle = parseCertificateBundle(output.SecretString, `secretsmanager: secret "${secretName}"`);
    if (!output.ARN || !output.VersionId) {
      throw new StoreError(`secretsmanager: reading certificate "${name}" returned no ARN or version`);
    }
    return { ...bundle, secretArn: output.ARN, versionId: output.VersionId };
  }

  /**
   * Writes the bundle as the new `AWSCURRENT` version. The version id is derived from
   * `issuanceId`, so a retried Store step makes no second version.
   */
  async putCurrent(
    name: string,
    issuanceId: string,
    bundle: CertificateBundle,
    tags: Record<string, string>,
  ): Promise<{ secretArn: string; versionId: string }> {
    const secretName = this.certificateSecretName(name);
    const token = versionTokenFor(`${issuanceId}:current`);
    const secretString = serializeCertificateBundle(bundle);
    const allTags = toTags({ ...tags, 'certflow:certificate': name });

    // Renewals outnumber first issuances, so try the existing secret first.
    const existing = await this.#putVersion(name, secretName, token, secretString);
    if (existing) {
      await this.#tag(name, existing.secretArn, allTags);
      return existing;
    }
    try {
      const created = await this.#client.send(
        new CreateSecretCommand({
          Name: secretName,
          SecretString: secretString,
          KmsKeyId: this.#kmsKeyId,
          ClientRequestToken: token,
          Tags: allTags,
          Description: `certflow certificate ${name}`,
        }),
      );
      return { secretArn: required(created.ARN, name), versionId: created.VersionId ?? token };
    } catch (error) {
      if (awsErrorName(error) !== 'ResourceExistsException') {
        throw secretsManagerError(`creating certificate secret "${name}"`, error);
      }
    }
    // Another writer created the secret between our two calls: add our version to theirs.
    const raced = await this.#putVersion(name, secretName, token, secretString);
    if (!raced) throw new TransientError(`secretsmanager: certificate secret "${name}" vanished while being created`);
    await this.#tag(name, raced.secretArn, allTags);
    return raced;
  }

  /** Keeps the key of a pending issuance in its own temporary secret. Idempotent per issuance. */
  async putPendingKey(name: string, issuanceId: string, keyPem: string): Promise<void> {
    const secretName = this.pendingKeySecretName(name, issuanceId);
    try {
      await this.#client.send(
        new CreateSecretCommand({
          Name: secretName,
          SecretString: keyPem,
          KmsKeyId: this.#kmsKeyId,
          Tags: toTags({ 'certflow:certificate': name, 'certflow:issuance': issuanceId, 'certflow:pending': 'true' }),
          Description: `certflow pending private key of ${name}`,
        }),
      );
      return;
    } catch (error) {
      if (awsErrorName(error) !== 'ResourceExistsException') {
        throw secretsManagerError(`storing pending key of "${name}"`, error);
      }
    }
    // A retried Finalize generates a fresh key before it calls the CA: the newest key must win.
    const stored = await this.readPendingKey(name, issuanceId);
    if (stored === keyPem) return;
    try {
      await this.#client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: keyPem }));
    } catch (error) {
      throw secretsManagerError(`replacing pending key of "${name}"`, error);
    }
  }

  async readPendingKey(name: string, issuanceId: string): Promise<string | undefined> {
    try {
      const output = await this.#client.send(
        new GetSecretValueCommand({
          SecretId: this.pendingKeySecretName(name, issuanceId),
          VersionStage: 'AWSCURRENT',
        }),
      );
      return output.SecretString;
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw secretsManagerError(`reading pending key of "${name}"`, error);
    }
  }

  /** Deletes the temporary secret at once (no recovery window: the key is useless afterwards). */
  async discardPendingKey(name: string, issuanceId: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteSecretCommand({
          SecretId: this.pendingKeySecretName(name, issuanceId),
          ForceDeleteWithoutRecovery: true,
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return;
      throw secretsManagerError(`discarding pending key of "${name}"`, error);
    }
  }

  /** PutSecretValue with our token; undefined when the secret does not exist yet. */
  async #putVersion(
    name: string,
    secretName: string,
    token: string,
    secretString: string,
  ): Promise<{ secretArn: string; versionId: string } | undefined> {
    try {
      const output = await this.#client.send(
        new PutSecretValueCommand({ SecretId: secretName, SecretString: secretString, ClientRequestToken: token }),
      );
      return { secretArn: required(output.ARN, name), versionId: output.VersionId ?? token };
    } catch (error) {
      const errorName = awsErrorName(error);
      if (errorName === 'ResourceNotFoundException') return undefined;
      if (errorName === 'ResourceExistsException') {
        // Same token, other content: this issuance already stored a different bundle.
        throw new StoreError(
          `secretsmanager: certificate "${name}" already has a different version for this issuance`,
          { cause: error },
        );
      }
      throw secretsManagerError(`writing certificate "${name}"`, error);
    }
  }

  async #tag(name: string, secretArn: string, tags: Tag[]): Promise<void> {
    try {
      await this.#client.send(new TagResourceCommand({ SecretId: secretArn, Tags: tags }));
    } catch (error) {
      throw secretsManagerError(`tagging certificate secret "${name}"`, error);
    }
  }
}

function required(arn: string | undefined, name: string): string {
  if (!arn) throw new StoreError(`secretsmanager: writing certificate "${name}" returned no ARN`);
  return arn;
}
