import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerAccountKeyStore } from '../../shared/adapters/aws/secrets-manager-account-key-store.js';
import { StoreError, TransientError } from '../../shared/errors.js';

const MINE = '-----BEGIN EC PRIVATE KEY-----\nmine\n-----END EC PRIVATE KEY-----\n';
const THEIRS = '-----BEGIN EC PRIVATE KEY-----\ntheirs\n-----END EC PRIVATE KEY-----\n';
const SECRET = 'certflow/acme-accounts/letsencrypt';

describe('Class: SecretsManagerAccountKeyStore', () => {
  const sm = mockClient(SecretsManagerClient);
  let store: SecretsManagerAccountKeyStore;

  beforeEach(() => {
    sm.reset();
    store = new SecretsManagerAccountKeyStore({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      prefix: 'certflow',
      kmsKeyId: 'alias/certflow',
    });
  });

  it('creates the account secret with the KMS key when none exists', async () => {
    sm.on(CreateSecretCommand).resolves({ ARN: 'arn:account' });
    const account = await store.createIfAbsent('letsencrypt', MINE);
    assert.deepEqual(account, { keyPem: MINE });
    const input = sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
    assert.equal(input.Name, SECRET);
    assert.equal(input.KmsKeyId, 'alias/certflow');
    assert.deepEqual(JSON.parse(input.SecretString!), { keyPem: MINE });
  });

  it('returns the key of whoever created the secret first', async () => {
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ keyPem: THEIRS, accountUrl: 'https://ca/acct/1', server: 'https://ca/dir' }),
    });
    const account = await store.createIfAbsent('letsencrypt', MINE);
    assert.deepEqual(account, { keyPem: THEIRS, accountUrl: 'https://ca/acct/1', server: 'https://ca/dir' });
  });

  it('answers undefined for an issuer without an account', async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    assert.equal(await store.get('letsencrypt'), undefined);
  });

  it('records the account URL next to the existing key', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ keyPem: MINE }) });
    sm.on(PutSecretValueCommand).resolves({});
    await store.setAccountUrl('letsencrypt', 'https://ca/dir', 'https://ca/acct/7');
    const input = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    assert.equal(input.SecretId, SECRET);
    assert.deepEqual(JSON.parse(input.SecretString!), {
      keyPem: MINE,
      accountUrl: 'https://ca/acct/7',
      server: 'https://ca/dir',
    });
  });

  it('skips the write when the account URL is already recorded', async () => {
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ keyPem: MINE, accountUrl: 'https://ca/acct/7', server: 'https://ca/dir' }),
    });
    await store.setAccountUrl('letsencrypt', 'https://ca/dir', 'https://ca/acct/7');
    assert.equal(sm.commandCalls(PutSecretValueCommand).length, 0);
  });

  it('refuses to record an account URL for an issuer without a key', async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await assert.rejects(store.setAccountUrl('letsencrypt', 'https://ca/dir', 'https://ca/acct/7'), StoreError);
  });

  it('translates throttling into TransientError', async () => {
    sm.on(CreateSecretCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
    );
    await assert.rejects(store.createIfAbsent('letsencrypt', MINE), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^secretsmanager: /);
      assert.doesNotMatch(error.message, /mine/);
      return true;
    });
  });
});
