/**
 * The sync as Lambda's SQS event source calls it: a batch of messages in, the ids of those to
 * deliver again out (`reportBatchItemFailures`), so that one failing message is retried alone.
 */
import type { DeliveryTarget } from '../domain/spec.js';
import { messageOf } from '../errors.js';
import { logger } from '../logger.js';
import { parseDeliveryMessage, sameTarget } from './messages.js';
import { type SyncDependencies, handleDeliveryMessage, syncTargets } from './sync.js';

/** The part of an SQS record the sync reads. */
export interface SqsRecord {
  messageId: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string };
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Handles the whole batch at once. `target` messages of one certificate are delivered together;
 * each message that fails (or whose target failed) is reported for redelivery.
 */
export async function syncBatch(event: SqsEvent, deps: SyncDependencies): Promise<SqsBatchResponse> {
  const failed = new Set<string>();
  const fail = (ids: string[], error: unknown) => {
    logger.warn('sync: message will be delivered again', { messageIds: ids, error: messageOf(error) });
    for (const id of ids) failed.add(id);
  };
  const retries = new Map<string, { id: string; target: DeliveryTarget }[]>();
  const work: Promise<void>[] = [];

  for (const record of event.Records) {
    let message;
    try {
      message = parseDeliveryMessage(record.body);
    } catch (error) {
      fail([record.messageId], error);
      continue;
    }
    if (message.kind === 'target') {
      const group = retries.get(message.name) ?? [];
      retries.set(message.name, [...group, { id: record.messageId, target: message.target }]);
    } else {
      work.push(handleDeliveryMessage(message, deps).catch((error) => fail([record.messageId], error)));
    }
  }
  for (const [name, items] of retries) {
    work.push(
      syncTargets(
        name,
        items.map((i) => i.target),
        deps,
      ).then(
        (again) => {
          const ids = items.filter((i) => again.some((t) => sameTarget(t, i.target))).map((i) => i.id);
          if (ids.length > 0) fail(ids, `${again.length} target(s) of "${name}" failed for now`);
        },
        (error) =>
          fail(
            items.map((i) => i.id),
            error,
          ),
      ),
    );
  }
  await Promise.all(work);
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}
