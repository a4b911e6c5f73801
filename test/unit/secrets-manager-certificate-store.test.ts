import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  SecretsManagerCertificateStore,
  versionTokenFor,
} from '../../shared/adapters/aws/secrets-manager-certificate-store.js';
import { StoreError, TransientError } from '../../shared/errors.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certflow/certificates/web-AbCdEf';
const KEY = '-----BEGIN EC PRIVATE KEY-----\nsecret-key-material\n-----END EC PRIVATE KEY-----\n';
const bundle = { 'tls.crt': 'CERT', 'tls.key': KEY, 'ca.crt': 'CA' };
const notFound = () =>
  new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
const exists = () => new ResourceExistsException({ message: 'The secret already exists.', $metadata: {} });
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

describe('Class: SecretsManagerCertificateStore', () => {
  const sm = mockClient(SecretsManagerClient);
  let store: SecretsManagerCertificateStore;

  beforeEach(() => {
    sm.reset();
    store = new SecretsManagerCertificateStore({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      prefix: 'certflow',
      kmsKeyId: 'alias/certflow',
    });
  });

  it('derives a UUID-shaped ClientRequestToken that depends only on the issuance', () => {
    const token = versionTokenFor('exec-1:current');
    assert.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(versionTokenFor('exec-1:current'), token);
    assert.notEqual(versionTokenFor('exec-2:current'), token);
  });

  it('creates the secret with the KMS key, the tags and the derived token on first issuance', async () => {
    sm.on(PutSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ ARN, VersionId: versionTokenFor('exec-1:current') });
    const result = await store.putCurrent('web', 'exec-1', bundle, { 'certflow:notAfter': '2026-04-01T00:00:00Z' });
    const input = sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
    assert.equal(input.Name, 'certflow/certificates/web');
    assert.equal(input.KmsKeyId, 'alias/certflow');
    assert.equal(input.ClientRequestToken, versionTokenFor('exec-1:current'));
    assert.deepEqual(JSON.parse(input.SecretString!), bundle);
    assert.deepEqual(input.Tags, [
      { Key: 'certflow:notAfter', Value: '2026-04-01T00:00:00Z' },
      { Key: 'certflow:certificate', Value: 'web' },
    ]);
    assert.deepEqual(result, { secretArn: ARN, versionId: versionTokenFor('exec-1:current') });
  });

  it('adds a version with the derived token and tags the secret on renewal', async () => {
    sm.on(PutSecretValueCommand).resolves({ ARN, VersionId: versionTokenFor('exec-2:current') });
    sm.on(TagResourceCommand).resolves({});
    const result = await store.putCurrent('web', 'exec-2', bundle, { 'certflow:notAfter': 'x' });
    assert.equal(sm.commandCalls(CreateSecretCommand).length, 0);
    const put = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    assert.equal(put.SecretId, 'certflow/certificates/web');
    assert.equal(put.ClientRequestToken, versionTokenFor('exec-2:current'));
    assert.equal(put.VersionStages, undefined, 'no stages: Secrets Manager moves AWSCURRENT and keeps AWSPREVIOUS');
    const tag = sm.commandCalls(TagResourceCommand)[0]!.args[0].input;
    assert.equal(tag.SecretId, ARN);
    assert.deepEqual(tag.Tags, [
      { Key: 'certflow:notAfter', Value: 'x' },
      { Key: 'certflow:certificate', Value: 'web' },
    ]);
    assert.equal(result.versionId, versionTokenFor('exec-2:current'));
  });

  it('sends identical requests when a Store step is retried', async () => {
    sm.on(PutSecretValueCommand).resolves({ ARN, VersionId: versionTokenFor('exec-2:current') });
    sm.on(TagResourceCommand).resolves({});
    await store.putCurrent('web', 'exec-2', bundle, {});
    await store.putCurrent('web', 'exec-2', { ...bundle }, {});
    const [first, second] = sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input);
    assert.deepEqual(first, second);
  });

  it('falls back to PutSecretValue when another writer created the secret first', async () => {
    sm.on(PutSecretValueCommand)
      .rejectsOnce(notFound())
      .resolves({ ARN, VersionId: versionTokenFor('exec-1:current') });
    sm.on(CreateSecretCommand).rejects(exists());
    sm.on(TagResourceCommand).resolves({});
    const result = await store.putCurrent('web', 'exec-1', bundle, {});
    assert.equal(sm.commandCalls(PutSecretValueCommand).length, 2);
    assert.equal(sm.commandCalls(TagResourceCommand).length, 1);
    assert.deepEqual(result, { secretArn: ARN, versionId: versionTokenFor('exec-1:current') });
  });

  it('refuses to store a different bundle under an issuance that already stored one', async () => {
    sm.on(PutSecretValueCommand).rejects(exists());
    await assert.rejects(store.putCurrent('web', 'exec-1', bundle, {}), StoreError);
  });

  it('reads the AWSCURRENT version with its ARN and version id', async () => {
    sm.on(GetSecretValueCommand).resolves({ ARN, VersionId: 'v1', SecretString: JSON.stringify(bundle) });
    const current = await store.readCurrent('web');
    assert.deepEqual(current, { ...bundle, secretArn: ARN, versionId: 'v1' });
    const input = sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input;
    assert.deepEqual(input, { SecretId: 'certflow/certificates/web', VersionStage: 'AWSCURRENT' });
  });

  it('answers undefined when the certificate was never issued', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    assert.equal(await store.readCurrent('web'), undefined);
  });

  it('reports a malformed secret without quoting its content', async () => {
    sm.on(GetSecretValueCommand).resolves({ ARN, VersionId: 'v1', SecretString: `{"tls.key":"${'x'.repeat(8)}` });
    await assert.rejects(store.readCurrent('web'), (error: Error) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /^secretsmanager: /);
      assert.doesNotMatch(error.message, /xxxxxxxx/);
      return true;
    });
  });

  it('names the secret that is not a certificate bundle', async () => {
    sm.on(GetSecretValueCommand).resolves({
      ARN,
      VersionId: 'v1',
      SecretString: JSON.stringify({ 'tls.crt': 'CERT' }),
    });
    await assert.rejects(store.readCurrent('web'), {
      name: 'StoreError',
      message: 'secretsmanager: secret "certflow/certificates/web" is not a certificate bundle',
    });
  });

  it('translates throttling into TransientError', async () => {
    sm.on(GetSecretValueCommand).rejects(throttled());
    await assert.rejects(store.readCurrent('web'), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^secretsmanager: /);
      return true;
    });
  });

  it('translates an internal service error into TransientError', async () => {
    sm.on(PutSecretValueCommand).rejects(
      new InternalServiceError({ message: 'oops', $metadata: { httpStatusCode: 500 } }),
    );
    await assert.rejects(store.putCurrent('web', 'exec-1', bundle, {}), TransientError);
  });

  it('translates an access denial into StoreError', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
    );
    await assert.rejects(store.readCurrent('web'), /^StoreError: secretsmanager: reading certificate "web" failed/);
  });

  it('stores a pending key in its own temporary secret encrypted with the KMS key', async () => {
    sm.on(CreateSecretCommand).resolves({ ARN: 'arn:pending' });
    await store.putPendingKey('web', 'exec-1', KEY);
    const input = sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
    assert.equal(input.Name, 'certflow/pending/web/exec-1');
    assert.equal(input.KmsKeyId, 'alias/certflow');
    assert.equal(input.SecretString, KEY);
    assert.ok(input.Tags?.some((t) => t.Key === 'certflow:issuance' && t.Value === 'exec-1'));
  });

  it('leaves an existing pending key alone when it holds the same key', async () => {
    sm.on(CreateSecretCommand).rejects(exists());
    sm.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    await store.putPendingKey('web', 'exec-1', KEY);
    assert.equal(sm.commandCalls(PutSecretValueCommand).length, 0);
  });

  it('replaces an existing pending key that holds another key', async () => {
    sm.on(CreateSecretCommand).rejects(exists());
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'older key' });
    sm.on(PutSecretValueCommand).resolves({});
    await store.putPendingKey('web', 'exec-1', KEY);
    const put = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    assert.equal(put.SecretId, 'certflow/pending/web/exec-1');
    assert.equal(put.SecretString, KEY);
  });

  it('reads a pending key, or undefined when there is none', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'certflow/pending/web/exec-1' }).resolves({ SecretString: KEY });
    sm.on(GetSecretValueCommand, { SecretId: 'certflow/pending/web/exec-2' }).rejects(notFound());
    assert.equal(await store.readPendingKey('web', 'exec-1'), KEY);
    assert.equal(await store.readPendingKey('web', 'exec-2'), undefined);
  });

  it('discards a pending key without a recovery window', async () => {
    sm.on(DeleteSecretCommand).resolves({});
    await store.discardPendingKey('web', 'exec-1');
    const input = sm.commandCalls(DeleteSecretCommand)[0]!.args[0].input;
    assert.deepEqual(input, { SecretId: 'certflow/pending/web/exec-1', ForceDeleteWithoutRecovery: true });
  });

  it('treats discarding a pending key that is already gone as done', async () => {
    sm.on(DeleteSecretCommand).rejects(notFound());
    await store.discardPendingKey('web', 'exec-1');
  });

  it('never puts the key into an error message', async () => {
    sm.on(CreateSecretCommand).rejects(throttled());
    await assert.rejects(store.putPendingKey('web', 'exec-1', KEY), (error: Error) => {
      assert.doesNotMatch(error.message, /secret-key-material/);
      return true;
    });
  });
});
