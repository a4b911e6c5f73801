/**
 * The slot book's DynamoDB path as DynamoDB answers it: a failed condition carries the item
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so no read follows. dynalite ignores that
 * option, so test/integration/request-pacing.test.ts covers only the GetItem fallback.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbSlotBook } from '../../shared/solvers/adapters/dynamodb-slot-book.js';
import { StoreError, TransientError } from '../../shared/errors.js';

const failed = (next: number) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: { key: { S: 'route53:self' }, next: { N: String(next) } },
  });

describe('Class: DynamoDbSlotBook (DynamoDB answers)', () => {
  const ddb = mockClient(DynamoDBClient);
  let book: DynamoDbSlotBook;
  beforeEach(() => {
    ddb.reset();
    book = new DynamoDbSlotBook({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: 'slots' });
  });

  it('takes now when the schedule is idle: one write', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: { next: { N: '1250' } } });
    assert.deepEqual(await book.reserve('route53:self', 1_000, 250, 5_000), { at: 1_000 });
    const [call] = ddb.commandCalls(UpdateItemCommand);
    assert.equal(call!.args[0].input.UpdateExpression, 'SET #next = :slotEnd');
    assert.equal(call!.args[0].input.ReturnValuesOnConditionCheckFailure, 'ALL_OLD');
  });

  it('takes `next` when busy, reading it from the failed condition, not with a GetItem', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(failed(3_000))
      .resolvesOnce({ Attributes: { next: { N: '3250' } } });
    assert.deepEqual(await book.reserve('route53:self', 1_000, 250, 5_000), { at: 3_000 });
    assert.equal(ddb.commandCalls(UpdateItemCommand).length, 2);
    assert.equal(ddb.commandCalls(GetItemCommand).length, 0);
  });

  it('refuses without booking when `next` is past latest', async () => {
    ddb.on(UpdateItemCommand).rejects(failed(9_000));
    assert.deepEqual(await book.reserve('route53:self', 1_000, 250, 5_000), { bookedUntil: 9_000 });
    assert.equal(ddb.commandCalls(UpdateItemCommand).length, 1, 'the busy write is not even tried');
  });

  it('refuses when the schedule filled past latest between its two writes', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(failed(4_900)).rejectsOnce(failed(5_100));
    assert.deepEqual(await book.reserve('route53:self', 1_000, 250, 5_000), { bookedUntil: 5_100 });
  });

  it('translates throttling as transient and other failures as store errors', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await assert.rejects(book.reserve('k', 0, 250, 1_000), TransientError);
    ddb.reset();
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await assert.rejects(book.reserve('k', 0, 250, 1_000), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match((error as Error).message, /booking a slot of "k" failed: AccessDeniedException/);
      return true;
    });
  });
});
