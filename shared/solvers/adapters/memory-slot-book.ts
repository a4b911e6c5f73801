/** {@link SlotBook} in memory: the schedule of one process (local mode, tests). */
import type { Booking, SlotBook } from '../request-pacing.js';

export class MemorySlotBook implements SlotBook {
  private readonly next = new Map<string, number>();

  async reserve(key: string, now: number, intervalMs: number, latest: number): Promise<Booking> {
    const free = Math.max(this.next.get(key) ?? 0, now);
    if (free > latest) return { bookedUntil: free };
    this.next.set(key, free + intervalMs);
    return { at: free };
  }
}
