/** {@link SecretReader} on Secrets Manager: the operator's secrets, read by ARN, never logged. */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { StoreError } from '../../errors.js';
import type { SecretReader } from '../../ports/acme.js';
import { translateAwsError } from './aws-errors.js';

export class SecretsManagerSecretReader implements SecretReader {
  constructor(private readonly client: SecretsManagerClient) {}

  async read(secretArn: string): Promise<string> {
    let value: string | undefined;
    try {
      value = (await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (error) {
      throw translateAwsError('secretsmanager', `reading ${secretArn}`, error, StoreError);
    }
    if (!value) throw new StoreError(`secretsmanager: ${secretArn} has no string value`);
    return value;
  }
}
