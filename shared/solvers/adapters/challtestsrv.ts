/**
 * DNS-01 against pebble-challtestsrv, for local mode and tests. Its API can only append a value
 * or clear a whole name, so removing one value means clearing the name and re-adding the others;
 * that needs to know every value on the name, including those of other issuances in this process.
 */
import { DnsError, TransientError, messageOf } from '../../errors.js';
import type { DnsSolver, TxtRecord } from '../../ports/dns.js';

export interface ChalltestsrvDnsSolverOptions {
  /** The management API, e.g. `http://127.0.0.1:8055`. */
  managementUrl: string;
}

interface ServerState {
  /** Values per canonical name, as this process wrote them. */
  values: Map<string, Set<string>>;
  /** Per name, the tail of the operations queued on it: clear + re-add must not interleave. */
  queues: Map<string, Promise<unknown>>;
}

/**
 * One state per challtestsrv, shared by every solver instance in the process, because concurrent
 * issuances each build their own solver yet write to the same server.
 */
const servers = new Map<string, ServerState>();

function stateOf(managementUrl: string): ServerState {
  let state = servers.get(managementUrl);
  if (!state) {
    state = { values: new Map(), queues: new Map() };
    servers.set(managementUrl, state);
  }
  return state;
}

function canonical(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** pebble-challtestsrv TXT records through its management API. */
export class ChalltestsrvDnsSolver implements DnsSolver {
  private readonly managementUrl: string;
  private readonly state: ServerState;

  constructor(options: ChalltestsrvDnsSolverOptions) {
    this.managementUrl = options.managementUrl.replace(/\/+$/, '');
    this.state = stateOf(this.managementUrl);
  }

  /** challtestsrv answers with new values at once, so there is nothing to wait for. */
  async present(records: TxtRecord[]): Promise<string[]> {
    await Promise.all(
      [...group(records)].map(([name, values]) =>
        this.serialized(name, async () => {
          const current = this.state.values.get(name) ?? new Set<string>();
          for (const value of values) {
            if (current.has(value)) continue;
            await this.post('/set-txt', { host: `${name}.`, value });
            current.add(value);
            this.state.values.set(name, current);
          }
        }),
      ),
    );
    return [];
  }

  async isPropagated(): Promise<boolean> {
    return true;
  }

  async cleanUp(records: TxtRecord[]): Promise<void> {
    await Promise.all(
      [...group(records)].map(([name, values]) =>
        this.serialized(name, async () => {
          const current = this.state.values.get(name);
          if (!current || ![...values].some((value) => current.has(value))) return;
          const rest = [...current].filter((value) => !values.has(value));
          await this.post('/clear-txt', { host: `${name}.` });
          // From here on the server holds none of the values; keep the registry in step with it
          // so that a failed re-add is retried by the next present rather than assumed done.
          this.state.values.set(name, new Set());
          for (const value of rest) {
            await this.post('/set-txt', { host: `${name}.`, value });
            this.state.values.get(name)?.add(value);
          }
          if (this.state.values.get(name)?.size === 0) this.state.values.delete(name);
        }),
      ),
    );
  }

  private serialized(name: string, work: () => Promise<void>): Promise<void> {
    const previous = this.state.queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.state.queues.set(name, next);
    void next
      .finally(() => {
        if (this.state.queues.get(name) === next) this.state.queues.delete(name);
      })
      .catch(() => undefined);
    return next;
  }

  private async post(path: string, body: { host: string; value?: string }): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.managementUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new TransientError(`challtestsrv: ${path} for "${body.host}" failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new DnsError(`challtestsrv: ${path} for "${body.host}" answered ${response.status}: ${text}`.trim());
    }
    await response.body?.cancel();
  }
}

function group(records: TxtRecord[]): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  for (const record of records) {
    const name = canonical(record.name);
    byName.set(name, (byName.get(name) ?? new Set<string>()).add(record.value));
  }
  return byName;
}
