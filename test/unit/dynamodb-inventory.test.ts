import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbInventory, INVENTORY_INDEX } from '../../shared/adapters/aws/dynamodb-inventory.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { ConflictError, StoreError, TransientError, ValidationError } from '../../shared/errors.js';

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
  return {
    name: { S: r.name },
    kind: { S: 'certificate' },
    version: { N: String(r.version) },
    record: { S: JSON.stringify(r) },
  };
}

/** The start key DynamoDB returns after `name` in a Query on the index: table key plus index keys. */
function indexKey(name: string) {
  return { name: { S: name }, kind: { S: 'certificate' } };
}

function conditionFailed(old?: CertificateRecord) {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(old ? { Item: item(old) } : {}),
  });
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

  it('tags every item with the kind that puts it in the listing index', async () => {
    ddb.on(PutItemCommand).resolves({});
    await inventory.put(record('web', 1), 0);
    const stored = ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    assert.deepEqual(stored['kind'], { S: 'certificate' });
  });

  it('names the listing index with the values the table is built from', () => {
    assert.deepEqual(INVENTORY_INDEX, { name: 'byName', partitionKey: 'kind', sortKey: 'name', kind: 'certificate' });
  });

  it('lists one page with an eventually consistent Query on the index', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item(record('api', 1)), item(record('web', 2))] });
    const page = await inventory.list();
    assert.deepEqual(page, { items: [record('api', 1), record('web', 2)] });
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    assert.deepEqual(input, {
      TableName: 'certflow-inventory',
      IndexName: 'byName',
      KeyConditionExpression: '#k = :kind',
      ExpressionAttributeNames: { '#k': 'kind' },
      ExpressionAttributeValues: { ':kind': { S: 'certificate' } },
      Limit: 100,
      ExclusiveStartKey: undefined,
    });
  });

  it('passes the requested limit to the Query', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await inventory.list({ limit: 1000 });
    assert.equal(ddb.commandCalls(QueryCommand)[0]!.args[0].input.Limit, 1000);
  });

  it('refuses a limit outside 1 to 1000 without calling DynamoDB', async () => {
    for (const limit of [0, -1, 1001, 2.5, Number.NaN]) {
      await assert.rejects(inventory.list({ limit }), (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, 'limit');
        return true;
      });
    }
    assert.equal(ddb.commandCalls(QueryCommand).length, 0);
  });

  it('turns the last evaluated key into an opaque token that resumes after it', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item(record('api', 1))], LastEvaluatedKey: indexKey('api') })
      .resolvesOnce({ Items: [item(record('web', 1))] });
    const first = await inventory.list({ limit: 1 });
    assert.ok(first.nextToken);
    assert.match(first.nextToken, /^[A-Za-z0-9_-]+$/);
    assert.ok(!first.nextToken.includes('api'), 'the token does not show the key in clear');
    const second = await inventory.list({ limit: 1, nextToken: first.nextToken });
    assert.deepEqual(
      second.items.map((r) => r.name),
      ['web'],
    );
    assert.equal(second.nextToken, undefined);
    const startKeys = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExclusiveStartKey);
    assert.deepEqual(startKeys, [undefined, indexKey('api')]);
  });

  it('refuses a malformed page token without calling DynamoDB', async () => {
    const notJson = Buffer.from('web').toString('base64url');
    const noName = Buffer.from('{"after":42}').toString('base64url');
    for (const nextToken of ['', 'not a token!', 'e30=', notJson, noName, Buffer.from('null').toString('base64url')]) {
      await assert.rejects(inventory.list({ nextToken }), (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.message, 'nextToken: is not a valid page token');
        return true;
      });
    }
    assert.equal(ddb.commandCalls(QueryCommand).length, 0);
  });

  it('translates a failed Query into StoreError', async () => {
    ddb
      .on(QueryCommand)
      .rejects(
        Object.assign(new Error('no index'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
      );
    await assert.rejects(
      inventory.list(),
      (error: Error) => error instanceof StoreError && error.message.startsWith('dynamodb: listing certificates'),
    );
  });

  it('never sends a Scan, whatever it lists', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item(record('api', 1))], LastEvaluatedKey: indexKey('api') })
      .resolvesOnce({ Items: [] });
    const first = await inventory.list({ limit: 1 });
    await inventory.list({ nextToken: first.nextToken! });
    assert.equal(ddb.commandCalls(ScanCommand).length, 0);
    assert.equal(ddb.commandCalls(QueryCommand).length, 2);
  });

  it('deletes a record only if the stored version is the expected one', async () => {
    ddb.on(DeleteItemCommand).resolves({});
    await inventory.delete('web', 3);
    const input = ddb.commandCalls(DeleteItemCommand)[0]!.args[0].input;
    assert.equal(input.TableName, 'certflow-inventory');
    assert.deepEqual(input.Key, { name: { S: 'web' } });
    assert.equal(input.ConditionExpression, '#v = :expected');
    assert.deepEqual(input.ExpressionAttributeNames, { '#v': 'version' });
    assert.deepEqual(input.ExpressionAttributeValues, { ':expected': { N: '3' } });
  });

  it('throws ConflictError when the delete finds another version', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed(record('web', 4)));
    await assert.rejects(inventory.delete('web', 3), (error: Error) => {
      assert.ok(error instanceof ConflictError);
      assert.equal(error.message, 'dynamodb: certificate "web" was changed by someone else');
      return true;
    });
    assert.equal(ddb.commandCalls(GetItemCommand).length, 0, 'the failed condition returned the item');
  });

  it('reads the record back when the failed condition did not return it', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed());
    ddb.on(GetItemCommand).resolves({ Item: item(record('web', 4)) });
    await assert.rejects(inventory.delete('web', 3), ConflictError);
    assert.equal(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead, true);
  });

  it('deletes a record that does not exist without complaint', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed());
    ddb.on(GetItemCommand).resolves({});
    await inventory.delete('gone', 1);
  });

  it('translates throttling on delete into TransientError', async () => {
    ddb
      .on(DeleteItemCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await assert.rejects(inventory.delete('web', 1), TransientError);
  });
});
