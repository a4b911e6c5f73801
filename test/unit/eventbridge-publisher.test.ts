import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgePublisher } from '../../shared/adapters/aws/eventbridge-publisher.js';
import { LocalEventPublisher } from '../../shared/adapters/local/local-event-publisher.js';
import { StoreError, TransientError } from '../../shared/errors.js';

const detail = {
  name: 'web',
  revision: 2,
  issuer: 'letsencrypt',
  secretArn: 'arn:secret',
  notAfter: '2026-04-01T00:00:00Z',
};

describe('Class: EventBridgePublisher', () => {
  const eb = mockClient(EventBridgeClient);
  const client = new EventBridgeClient({ region: 'eu-west-1' });

  beforeEach(() => {
    eb.reset();
  });

  it('puts one event with source certflow and the event type as detail type', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await new EventBridgePublisher({ client }).publish('Certificate Issued', detail);
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    assert.equal(entry.Source, 'certflow');
    assert.equal(entry.DetailType, 'Certificate Issued');
    assert.equal(entry.EventBusName, 'default');
    assert.deepEqual(JSON.parse(entry.Detail!), detail);
  });

  it('puts the event on the configured bus', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await new EventBridgePublisher({ client, eventBusName: 'certflow-bus' }).publish('Certificate Renewed', detail);
    assert.equal(eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName, 'certflow-bus');
  });

  it('throws TransientError when EventBridge refuses the entry', async () => {
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await assert.rejects(new EventBridgePublisher({ client }).publish('Certificate Issued', detail), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^eventbridge: .*InternalFailure/);
      return true;
    });
  });

  it('translates throttling into TransientError', async () => {
    eb.on(PutEventsCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
    );
    await assert.rejects(new EventBridgePublisher({ client }).publish('Certificate Issued', detail), TransientError);
  });

  it('translates a refused request into StoreError', async () => {
    eb.on(PutEventsCommand).rejects(
      Object.assign(new Error('no such bus'), {
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await assert.rejects(new EventBridgePublisher({ client }).publish('Certificate Issued', detail), StoreError);
  });
});

describe('Class: LocalEventPublisher', () => {
  it('keeps every event with its type, detail and time', async () => {
    const publisher = new LocalEventPublisher({ now: () => new Date('2026-01-01T00:00:00Z') });
    await publisher.publish('Certificate Issued', detail);
    assert.deepEqual(publisher.published, [{ type: 'Certificate Issued', detail, time: '2026-01-01T00:00:00.000Z' }]);
  });

  it('calls onEvent with each event', async () => {
    const seen: string[] = [];
    const publisher = new LocalEventPublisher({ onEvent: (event) => void seen.push(event.type) });
    await publisher.publish('Certificate Issuance Failed', { name: 'web', revision: 1, issuer: 'x', reason: 'Failed' });
    assert.deepEqual(seen, ['Certificate Issuance Failed']);
  });

  it('keeps a copy that later changes to the detail do not affect', async () => {
    const publisher = new LocalEventPublisher();
    const mutable = { ...detail };
    await publisher.publish('Certificate Issued', mutable);
    mutable.name = 'other';
    assert.equal(publisher.published[0]?.detail.name, 'web');
  });
});
