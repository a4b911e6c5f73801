/** Certificate events kept in memory for local mode and tests, where no EventBridge bus exists. */
import type { CertificateEventDetail, CertificateEventType, EventPublisher } from '../../ports/events.js';

/** One event as {@link LocalEventPublisher} recorded it. */
export interface PublishedEvent {
  type: CertificateEventType;
  detail: CertificateEventDetail;
  /** ISO time of publication. */
  time: string;
}

/** Options of {@link LocalEventPublisher}. */
export interface LocalEventPublisherOptions {
  /** Called after each event is recorded (e.g. to run the local sync). Its failure fails `publish`. */
  onEvent?: (event: PublishedEvent) => void | Promise<void>;
  /** Clock for `time`; the system clock when omitted. */
  now?: () => Date;
}

/** {@link EventPublisher} that appends every event to {@link LocalEventPublisher.published}. */
export class LocalEventPublisher implements EventPublisher {
  /** Every event published so far, oldest first. */
  readonly published: PublishedEvent[] = [];
  readonly #onEvent: LocalEventPublisherOptions['onEvent'];
  readonly #now: () => Date;

  constructor(options: LocalEventPublisherOptions = {}) {
    this.#onEvent = options.onEvent;
    this.#now = options.now ?? (() => new Date());
  }

  async publish(type: CertificateEventType, detail: CertificateEventDetail): Promise<void> {
    // A copy, so that later changes by the caller do not rewrite history.
    const event: PublishedEvent = { type, detail: structuredClone(detail), time: this.#now().toISOString() };
    this.published.push(event);
    await this.#onEvent?.(event);
  }
}
