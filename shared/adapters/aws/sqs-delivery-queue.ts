/**
 * The sync's work queue on Amazon SQS: messages go out in batches of ten; dead-lettered ones go
 * to the dead-letter queue with their reason, which is what an operator reads there.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { DeliveryError, TransientError } from '../../errors.js';
import type { DeliveryMessage, DeliveryQueue } from '../../ports/delivery.js';
import { translateAwsError } from './aws-errors.js';

/** Options of {@link SqsDeliveryQueue}. */
export interface SqsDeliveryQueueOptions {
  client: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
}

/** SendMessageBatch takes at most ten entries. */
const BATCH = 10;

/** {@link DeliveryQueue} on SQS. Bodies are JSON of names and targets only. */
export class SqsDeliveryQueue implements DeliveryQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #deadLetterQueueUrl: string;

  constructor(options: SqsDeliveryQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#deadLetterQueueUrl = options.deadLetterQueueUrl;
  }

  send(messages: DeliveryMessage[]): Promise<void> {
    return this.#sendAll(
      this.#queueUrl,
      messages.map((m) => JSON.stringify(m)),
      'queueing',
    );
  }

  deadLetter(entries: { message: DeliveryMessage; error: string }[]): Promise<void> {
    // The reason travels in the body: the dead-letter queue is where someone reads it, and a
    // redrive to the main queue still parses (the parser ignores `error`).
    return this.#sendAll(
      this.#deadLetterQueueUrl,
      entries.map((e) => JSON.stringify({ ...e.message, error: e.error })),
      'dead-lettering',
    );
  }

  async #sendAll(queueUrl: string, bodies: string[], action: string): Promise<void> {
    for (let start = 0; start < bodies.length; start += BATCH) {
      const entries: SendMessageBatchRequestEntry[] = bodies
        .slice(start, start + BATCH)
        .map((body, i) => ({ Id: String(start + i), MessageBody: body }));
      let output;
      try {
        output = await this.#client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      } catch (error) {
        throw translateAwsError('sqs', `${action} ${entries.length} messages`, error, DeliveryError);
      }
      // SendMessageBatch answers 200 even when entries were refused; those say why.
      const failed = output.Failed ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new TransientError(
          `sqs: ${action} failed for ${failed.length} of ${entries.length} messages: ${first.Code}: ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }
}
