/**
 * Pacing of a rate-limited API shared by every execution (Route53: five requests per second per
 * account, whatever made them). Every request books its own slot in one shared schedule before it
 * is sent: slots are `1 / requestsPerSecond` apart, handed out in booking order, so the rate is
 * bounded by construction, not by retrying what the API refused. A request whose slot would be
 * further away than `maxWaitMs` books nothing and fails with a TransientError, which the state
 * machine retries later; so no function waits past its timeout.
 */
import { TransientError } from '../errors.js';

/** The outcome of a booking: the slot's start, or how far the schedule is already booked. */
export type Booking = { at: number } | { bookedUntil: number };

/**
 * The shared schedule (DynamoDB in AWS, memory locally). For `key`, it holds the time at which the
 * next slot is free; `reserve` takes the first free slot at or after `now`, if it starts no later
 * than `latest`, and moves the free time on by `intervalMs`. Times are milliseconds since epoch.
 * Two reservations never get slots closer than `intervalMs`, however many callers race.
 */
export interface SlotBook {
  reserve(key: string, now: number, intervalMs: number, latest: number): Promise<Booking>;
}

export interface RequestPacerOptions {
  book: SlotBook;
  /** The budget's name: one per API and account (`route53:self`, `route53:123456789012`). */
  key: string;
  requestsPerSecond: number;
  /** The longest a request waits for its slot before giving up (and booking nothing). */
  maxWaitMs: number;
  /** What is paced, for the error message (`route53`). */
  label?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What a pacer did, for the bench and the logs. */
export interface PacerStats {
  /** Requests let through, each in its slot. */
  requests: number;
  waitedMs: number;
  longestWaitMs: number;
  /** Requests refused because the schedule was full past the longest wait. */
  refused: number;
  /** Slots missed (woken too late) and booked again. */
  missed: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for a request's turn in the shared schedule. */
export class RequestPacer {
  readonly intervalMs: number;
  readonly stats: PacerStats = { requests: 0, waitedMs: 0, longestWaitMs: 0, refused: 0, missed: 0 };
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RequestPacerOptions) {
    if (!(options.requestsPerSecond > 0)) {
      throw new RangeError(`pacing: requestsPerSecond must be positive, not ${options.requestsPerSecond}`);
    }
    this.intervalMs = Math.ceil(1000 / options.requestsPerSecond);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Resolves when this request may be sent; throws a TransientError when the schedule is full.
   * A request that wakes more than half an interval after its slot (its process was busy) does
   * not go late, crowding the slots after it: it books another. So every request leaves within
   * half an interval of its own slot, and no second holds more than `rate + 1` of them.
   */
  async turn(): Promise<void> {
    for (;;) {
      const now = this.now();
      const booking = await this.options.book.reserve(
        this.options.key,
        now,
        this.intervalMs,
        now + this.options.maxWaitMs,
      );
      if ('bookedUntil' in booking) {
        this.stats.refused++;
        const ahead = Math.ceil((booking.bookedUntil - now) / 1000);
        throw new TransientError(
          `${this.options.label ?? 'pacing'}: the shared budget of ${this.options.requestsPerSecond} requests/s is ` +
            `booked ${ahead} s ahead; trying again later`,
        );
      }
      const wait = booking.at - this.now();
      if (wait > 0) {
        this.stats.waitedMs += wait;
        this.stats.longestWaitMs = Math.max(this.stats.longestWaitMs, wait);
        await this.sleep(wait);
      }
      if (this.now() - booking.at <= this.intervalMs / 2) {
        this.stats.requests++;
        return;
      }
      this.stats.missed++;
    }
  }
}
