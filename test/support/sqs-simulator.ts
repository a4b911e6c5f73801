/**
 * An SQS queue with a redrive policy, driving a handler the way Lambda's event source mapping
 * does with `reportBatchItemFailures`: batches of up to ten, the reported items come back with
 * their receive count raised, and after `maxReceiveCount` receives they move to the dead-letter
 * queue. It also is the sync's {@link DeliveryQueue}, so what the handler sends lands here.
 */
import { randomUUID } from 'node:crypto';
import type { SqsBatchResponse, SqsEvent } from '../../shared/delivery/sqs-batch.js';
import type { DeliveryMessage, DeliveryQueue } from '../../shared/ports/delivery.js';

interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
}

export class SqsSimulator implements DeliveryQueue {
  /** Bodies in the dead-letter queue: moved by the redrive policy or sent by the handler. */
  readonly deadLetters: string[] = [];
  /** Every body that was ever received, once per receive. */
  readonly received: { body: string; receiveCount: number }[] = [];
  readonly #queue: QueuedMessage[] = [];

  constructor(
    readonly options: { maxReceiveCount: number; batchSize: number } = { maxReceiveCount: 5, batchSize: 10 },
  ) {}

  /** Puts a raw body on the queue, e.g. an EventBridge event as the rule delivers it. */
  enqueue(body: unknown): void {
    this.#queue.push({ messageId: randomUUID(), body: JSON.stringify(body), receiveCount: 0 });
  }

  async send(messages: DeliveryMessage[]): Promise<void> {
    for (const message of messages) this.enqueue(message);
  }

  async deadLetter(entries: { message: DeliveryMessage; error: string }[]): Promise<void> {
    for (const e of entries) this.deadLetters.push(JSON.stringify({ ...e.message, error: e.error }));
  }

  get depth(): number {
    return this.#queue.length;
  }

  /** One invocation: receives a batch, hands it over, settles each message by the answer. */
  async deliverBatch(handler: (event: SqsEvent) => Promise<SqsBatchResponse>): Promise<void> {
    const batch = this.#queue.splice(0, this.options.batchSize);
    for (const m of batch) {
      m.receiveCount++;
      this.received.push({ body: m.body, receiveCount: m.receiveCount });
    }
    const event: SqsEvent = {
      Records: batch.map((m) => ({
        messageId: m.messageId,
        body: m.body,
        attributes: { ApproximateReceiveCount: String(m.receiveCount) },
      })),
    };
    let failed: Set<string>;
    try {
      failed = new Set((await handler(event)).batchItemFailures.map((f) => f.itemIdentifier));
    } catch {
      // A handler that throws fails the whole batch.
      failed = new Set(batch.map((m) => m.messageId));
    }
    for (const m of batch.filter((m) => failed.has(m.messageId))) {
      if (m.receiveCount >= this.options.maxReceiveCount) this.deadLetters.push(m.body);
      else this.#queue.push(m);
    }
  }

  /** Invokes until the queue is empty (or `maxInvocations` is reached, which fails the test). */
  async drain(handler: (event: SqsEvent) => Promise<SqsBatchResponse>, maxInvocations = 100): Promise<number> {
    let invocations = 0;
    while (this.#queue.length > 0) {
      if (++invocations > maxInvocations) throw new Error(`the queue did not drain in ${maxInvocations} invocations`);
      await this.deliverBatch(handler);
    }
    return invocations;
  }
}
