/**
 * Certificate events on Amazon EventBridge (`Source: certflow`, `DetailType`: the event type), the
 * trigger of the cluster sync and of any user rule.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CertflowError, StoreError, TransientError } from '../../errors.js';
import { translateAwsError } from './aws-errors.js';
import type { CertificateEventDetail, CertificateEventType, EventPublisher } from '../../ports/events.js';

/** Options of {@link EventBridgePublisher}. */
export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  /** Name or ARN of the bus; `default` when omitted. */
  eventBusName?: string;
  /** The event source; `certflow` when omitted. */
  source?: string;
}

function eventBridgeError(action: string, error: unknown): CertflowError {
  return translateAwsError('eventbridge', action, error, StoreError, ['ConcurrentModificationException']);
}

/** {@link EventPublisher} on EventBridge PutEvents. The detail carries references only, never key material. */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #eventBusName: string;
  readonly #source: string;

  constructor(options: EventBridgePublisherOptions) {
    this.#client = options.client;
    this.#eventBusName = options.eventBusName ?? 'default';
    this.#source = options.source ?? 'certflow';
  }

  async publish(type: CertificateEventType, detail: CertificateEventDetail): Promise<void> {
    let output;
    try {
      output = await this.#client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: this.#source,
              DetailType: type,
              Detail: JSON.stringify(detail),
              EventBusName: this.#eventBusName,
              Resources: detail.secretArn ? [detail.secretArn] : undefined,
            },
          ],
        }),
      );
    } catch (error) {
      throw eventBridgeError(`publishing "${type}" for "${detail.name}"`, error);
    }
    // PutEvents answers 200 even when an entry was refused; the entry says why.
    if ((output.FailedEntryCount ?? 0) > 0) {
      const entry = output.Entries?.find((e) => e.ErrorCode);
      const why = entry ? `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`.trim() : 'unknown error';
      throw new TransientError(`eventbridge: publishing "${type}" for "${detail.name}" failed: ${why}`);
    }
  }
}
