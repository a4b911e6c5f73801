import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsDeliveryQueue } from '../../shared/adapters/aws/sqs-delivery-queue.js';
import { parseDeliveryMessage } from '../../shared/delivery/messages.js';
import { DeliveryError, TransientError } from '../../shared/errors.js';
import type { DeliveryMessage } from '../../shared/ports/delivery.js';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/certflow-sync';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/certflow-sync-dlq';
const target = (i: number) => ({ cluster: 'blue', namespace: `ns${i}`, secretName: 'web-tls' });

describe('Class: SqsDeliveryQueue', () => {
  const sqs = mockClient(SQSClient);
  const queue = new SqsDeliveryQueue({
    client: new SQSClient({ region: 'eu-west-1' }),
    queueUrl: QUEUE,
    deadLetterQueueUrl: DLQ,
  });

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('sends messages as JSON to the queue', async () => {
    const message: DeliveryMessage = { kind: 'target', name: 'web', target: target(1) };
    await queue.send([message]);
    const input = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    assert.equal(input.QueueUrl, QUEUE);
    assert.deepEqual(JSON.parse(input.Entries![0]!.MessageBody!), message);
  });

  it('sends at most ten messages per batch', async () => {
    await queue.send(Array.from({ length: 23 }, (_, i) => ({ kind: 'target', name: 'web', target: target(i) })));
    assert.deepEqual(
      sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length),
      [10, 10, 3],
    );
  });

  it('sends nothing for no messages', async () => {
    await queue.send([]);
    assert.equal(sqs.commandCalls(SendMessageBatchCommand).length, 0);
  });

  it('dead-letters to the dead-letter queue with the reason in the body', async () => {
    await queue.deadLetter([{ message: { kind: 'target', name: 'web', target: target(1) }, error: 'kubernetes: 403' }]);
    const input = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    assert.equal(input.QueueUrl, DLQ);
    assert.equal(JSON.parse(input.Entries![0]!.MessageBody!).error, 'kubernetes: 403');
  });

  it('writes dead letters that the sync still reads after a redrive', async () => {
    const message: DeliveryMessage = { kind: 'target', name: 'web', target: target(1) };
    await queue.deadLetter([{ message, error: 'kubernetes: 403' }]);
    const body = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!.MessageBody!;
    assert.deepEqual(parseDeliveryMessage(body), message);
  });

  it('reports entries SQS refused as TransientError', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await assert.rejects(queue.send([{ kind: 'certificate', name: 'web' }]), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^sqs: queueing failed for 1 of 1 messages: InternalError/);
      return true;
    });
  });

  it('translates throttling into TransientError', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejects(
        Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
      );
    await assert.rejects(queue.send([{ kind: 'certificate', name: 'web' }]), TransientError);
  });

  it('translates a refused request into DeliveryError', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await assert.rejects(queue.send([{ kind: 'certificate', name: 'web' }]), DeliveryError);
  });
});
