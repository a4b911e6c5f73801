import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerAccountKeyStore } from '../../adapters/aws/secrets-manager-account-key-store.js';
import { SecretsManagerCertificateStore } from '../../adapters/aws/secrets-manager-certificate-store.js';
import { SecretsManagerSecretReader } from '../../adapters/aws/secrets-manager-secret-reader.js';
import { awsConfig, lazy } from './config.js';

const client = lazy(() => new SecretsManagerClient({}));

/** Certificates, keys and pending keys in Secrets Manager, under the deployment's prefix. */
export const certificateStore = lazy(
  () =>
    new SecretsManagerCertificateStore({
      client: client(),
      prefix: awsConfig().secretPrefix,
      kmsKeyId: awsConfig().kmsKeyId,
    }),
);

/** ACME account keys in Secrets Manager. */
export const accountKeyStore = lazy(
  () =>
    new SecretsManagerAccountKeyStore({
      client: client(),
      prefix: awsConfig().secretPrefix,
      kmsKeyId: awsConfig().kmsKeyId,
    }),
);

/** The operator's own secrets (EAB HMAC keys), read by ARN. */
export const secretReader = lazy(() => new SecretsManagerSecretReader(client()));
