/**
 * {@link RenewalScheduler} for local mode: one timer per certificate, kept in a JSON file so that
 * a restarted local service re-arms them (a schedule whose time passed fires at once).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IssuanceStarter, RenewalScheduler } from '../ports/executions.js';
import type { ExecutionInput } from '../ports/executions.js';

interface Entry {
  at: string;
  executionName: string;
  input: ExecutionInput;
}

// setTimeout takes at most 2^31-1 ms (~24.8 days); longer waits are re-armed in steps.
const MAX_TIMEOUT = 2 ** 31 - 1;

export class LocalRenewalScheduler implements RenewalScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private starter?: IssuanceStarter;

  constructor(private readonly options: { file?: string } = {}) {
    if (!options.file) return;
    try {
      const saved = JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, Entry>;
      for (const [name, entry] of Object.entries(saved)) this.entries.set(name, entry);
    } catch {
      // no schedules yet
    }
  }

  /** Starts firing schedules into `starter` (restored ones included). */
  attach(starter: IssuanceStarter): void {
    this.starter = starter;
    for (const name of this.entries.keys()) this.arm(name);
  }

  async schedule(name: string, at: Date, executionName: string, input: ExecutionInput): Promise<void> {
    this.entries.set(name, { at: at.toISOString(), executionName, input });
    this.save();
    this.arm(name);
  }

  async cancel(name: string): Promise<void> {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    if (this.entries.delete(name)) this.save();
  }

  /** Schedules as they stand (tests, `GET` views). */
  list(): Record<string, Entry> {
    return Object.fromEntries(this.entries);
  }

  /** Stops every timer (shutdown); the schedules stay saved. */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(name: string): void {
    clearTimeout(this.timers.get(name));
    const entry = this.entries.get(name);
    if (!entry || !this.starter) return;
    const wait = Math.max(0, Date.parse(entry.at) - Date.now());
    const timer = setTimeout(
      () => {
        this.timers.delete(name);
        if (wait > MAX_TIMEOUT) return this.arm(name);
        // A one-time schedule: gone once it fired, as with ActionAfterCompletion DELETE.
        if (this.entries.get(name) === entry) {
          this.entries.delete(name);
          this.save();
        }
        void this.starter?.start(entry.executionName, entry.input).catch(() => undefined);
      },
      Math.min(wait, MAX_TIMEOUT),
    );
    timer.unref();
    this.timers.set(name, timer);
  }

  private save(): void {
    if (!this.options.file) return;
    const temp = `${this.options.file}.tmp`;
    writeFileSync(temp, JSON.stringify(Object.fromEntries(this.entries), null, 2), { mode: 0o600 });
    renameSync(temp, this.options.file);
  }
}
