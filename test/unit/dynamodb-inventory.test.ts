import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbInventory } from '../../shared/adapters/aws/dynamodb-inventory.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { ConflictError, StoreError, TransientError } from '../../shared/errors.js';

function record(name: string, version: number, status: Partial<CertificateRecord['status']> = {}): CertificateRecord {
  return {
    name,
    spec: {
      name,
      dnsNames: [`${name}.example.com`],
      issuerRef: { name: 'letsencrypt' },
    } as unknown as CertificateRecord['spec'],
    revision: 1,
    version,
    status: { conditions: [], failedIssuanceAttempts: 0, ...status },
    events: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

function item(r: CertificateRecord) {
  return { name: { S: r.name }, version: { N: String(r.version) }, record: { S: JSON.stringify(r) } };
}

describe('Class: DynamoDbInventory', () => {
  const ddb = mockClient(DynamoDBClient);
  let inventory: DynamoDbInventory;

  beforeEach(() => {
    ddb.reset();
    inventory = new DynamoDbInventory({
      client: new DynamoDBClient({ region: 'eu-west-1' }),
      tableName: 'certflow-inventory',
    });
  });

  it('creates a record only if none exists', async () => {
    ddb.on(PutItemCommand).resolves({});
    await inventory.put(record('web', 1), 0);
    const input = ddb.commandCalls(PutItemCommand)[0]!.args[0].input;
    assert.equal(input.TableName, 'certflow-inventory');
    assert.equal(input.ConditionExpression, 'attribute_not_exists(#n)');
    assert.deepEqual(input.ExpressionAttributeNames, { '#n': 'name' });
    assert.equal(input.ExpressionAttributeValues, undefined);
    assert.deepEqual(input.Item?.['name'], { S: 'web' });
    assert.deepEqual(input.Item?.['version'], { N: '1' });
  });

  it('updates a record only if the stored version is the expected one', async () => {
    ddb.on(PutItemCommand).resolves({});
    await inventory.put(record('web', 4), 3);
    const input = ddb.commandCalls(PutItemCommand)[0]!.args[0].input;
    assert.equal(input.ConditionExpression, '#v = :expected');
    assert.deepEqual(input.ExpressionAttributeNames, { '#v': 'version' });
    assert.deepEqual(input.ExpressionAttributeValues, { ':expected': { N: '3' } });
  });

  it('stores the version after the expected one whatever the record says', async () => {
    ddb.on(PutItemCommand).resolves({});
    const stale = record('web', 3);
    await inventory.put(stale, 3);
    const input = ddb.commandCalls(PutItemCommand)[0]!.args[0].input;
    assert.deepEqual(input.Item?.['version'], { N: '4' });
    assert.equal(JSON.parse(input.Item!['record']!.S!).version, 4);
    assert.equal(stale.version, 3, 'the caller’s object is left alone');
  });

  it('copies notAfter and renewalTime out of the record for later indexes', async () => {
    ddb.on(PutItemCommand).resolves({});
    await inventory.put(record('web', 1, { notAfter: '2026-04-01T00:00:00Z', renewalTime: '2026-03-02T00:00:00Z' }), 0);
    const stored = ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    assert.deepEqual(stored['notAfter'], { S: '2026-04-01T00:00:00Z' });
    assert.deepEqual(stored['renewalTime'], { S: '2026-03-02T00:00:00Z' });
  });

  it('leaves notAfter and renewalTime out while the certificate has none', async () => {
    ddb.on(PutItemCommand).resolves({});
    await inventory.put(record('web', 1), 0);
    const stored = ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    assert.equal('notAfter' in stored, false);
    assert.equal('renewalTime' in stored, false);
  });

  it('throws ConflictError when the condition fails', async () => {
    ddb
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await assert.rejects(inventory.put(record('web', 2), 1), (error: Error) => {
      assert.ok(error instanceof ConflictError);
      assert.equal(error.message, 'dynamodb: certificate "web" was changed by someone else');
      return true;
    });
  });

  it('translates throughput exhaustion into TransientError', async () => {
    ddb.on(PutItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await assert.rejects(inventory.put(record('web', 2), 1), TransientError);
  });

  it('translates an internal server error into TransientError', async () => {
    ddb.on(GetItemCommand).rejects(new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }));
    await assert.rejects(inventory.get('web'), TransientError);
  });

  it('translates a validation failure into StoreError naming dynamodb', async () => {
    ddb
      .on(GetItemCommand)
      .rejects(
        Object.assign(new Error('bad key'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
      );
    await assert.rejects(
      inventory.get('web'),
      (error: Error) => error instanceof StoreError && error.message.startsWith('dynamodb: '),
    );
  });

  it('reads a record with a strongly consistent GetItem', async () => {
    const stored = record('web', 2);
    ddb.on(GetItemCommand).resolves({ Item: item(stored) });
    assert.deepEqual(await inventory.get('web'), stored);
    const input = ddb.commandCalls(GetItemCommand)[0]!.args[0].input;
    assert.deepEqual(input, { TableName: 'certflow-inventory', Key: { name: { S: 'web' } }, ConsistentRead: true });
  });

  it('answers undefined for an unknown certificate', async () => {
    ddb.on(GetItemCommand).resolves({});
    assert.equal(await inventory.get('nope'), undefined);
  });

  it('lists every page of the scan', async () => {
    ddb
      .on(ScanCommand)
      .resolvesOnce({ Items: [item(record('web', 1))], LastEvaluatedKey: { name: { S: 'web' } } })
      .resolvesOnce({ Items: [item(record('api', 1))] });
    const names = (await inventory.list()).map((r) => r.name);
    assert.deepEqual(names, ['api', 'web']);
    const calls = ddb.commandCalls(ScanCommand).map((c) => c.args[0].input.ExclusiveStartKey);
    assert.deepEqual(calls, [undefined, { name: { S: 'web' } }]);
  });
});
