/**
 * The certificate inventory in memory for local mode and tests, with the same optimistic
 * concurrency as the DynamoDB table. With `file`, every write is also saved as JSON so that local
 * mode keeps its certificates across restarts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConflictError, StoreError, ValidationError, messageOf } from '../../errors.js';
import type { CertificateRecord } from '../../domain/record.js';
import type { Inventory } from '../../ports/inventory.js';
import { decodePageToken, encodePageToken, listLimit } from '../../inventory/page-token.js';
import { indexDueTime } from '../../certificates/renewal-policy.js';

/** Options of {@link MemoryInventory}. */
export interface MemoryInventoryOptions {
  /** JSON file to load at first use and rewrite (atomically) after each put or delete. */
  file?: string;
}

/** DynamoDB orders string keys by their UTF-8 bytes, which `<` on UTF-16 does not always agree with. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** {@link Inventory} in a Map; reads and writes copy, so callers cannot change stored state. */
export class MemoryInventory implements Inventory {
  readonly #records = new Map<string, CertificateRecord>();
  readonly #file: string | undefined;
  #loaded: Promise<void> | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(options: MemoryInventoryOptions = {}) {
    this.#file = options.file;
  }

  async get(name: string): Promise<CertificateRecord | undefined> {
    await this.#load();
    const record = this.#records.get(name);
    return record ? structuredClone(record) : undefined;
  }

  /**
   * Writes `record` if the stored version is `expectedVersion` (0: absent). As in DynamoDB, the
   * stored version is `expectedVersion + 1` whatever `record.version` says.
   */
  async put(record: CertificateRecord, expectedVersion: number): Promise<void> {
    await this.#load();
    // No await between the check and the set: that is what makes the write conditional.
    const current = this.#records.get(record.name);
    const matches = expectedVersion === 0 ? current === undefined : current?.version === expectedVersion;
    if (!matches) throw new ConflictError(`memory: certificate "${record.name}" was changed by someone else`);
    this.#records.set(record.name, { ...structuredClone(record), version: expectedVersion + 1 });
    await this.#save();
  }

  /**
   * Deletes the record if its stored version is `expectedVersion`; a record that is already gone
   * is not an error.
   */
  async delete(name: string, expectedVersion: number): Promise<void> {
    await this.#load();
    // No await between the check and the delete, as in put.
    const current = this.#records.get(name);
    if (current === undefined) return;
    if (current.version !== expectedVersion) {
      throw new ConflictError(`memory: certificate "${name}" was changed by someone else`);
    }
    this.#records.delete(name);
    await this.#save();
  }

  /**
   * One page of records in name order, continuing after the name in `nextToken`. Unlike a
   * DynamoDB Query, a full last page carries no `nextToken`; callers must accept either.
   */
  async list(options: { limit?: number; nextToken?: string } = {}): Promise<{
    items: CertificateRecord[];
    nextToken?: string;
  }> {
    const limit = listLimit(options.limit);
    const after = options.nextToken === undefined ? undefined : decodePageToken(options.nextToken).after;
    await this.#load();
    const names = [...this.#records.keys()]
      .filter((name) => after === undefined || compareNames(name, after) > 0)
      .sort(compareNames);
    const items = names.slice(0, limit).map((name) => structuredClone(this.#records.get(name)!));
    return names.length > limit ? { items, nextToken: encodePageToken({ after: names[limit - 1]! }) } : { items };
  }

  #load(): Promise<void> {
    this.#loaded ??= this.#readFile();
    return this.#loaded;
  }

  async #readFile(): Promise<void> {
    if (!this.#file) return;
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StoreError(`memory: cannot read inventory file ${this.#file}: ${messageOf(error)}`, { cause: error });
    }
    let records: unknown;
    try {
      records = JSON.parse(text);
    } catch (error) {
      throw new StoreError(`memory: inventory file ${this.#file} is not valid JSON: ${messageOf(error)}`);
    }
    if (!Array.isArray(records)) throw new StoreError(`memory: inventory file ${this.#file} is not a JSON array`);
    for (const record of records as CertificateRecord[]) this.#records.set(record.name, record);
  }

  listDue(before: Date, options: { limit?: number; nextToken?: string } = {}) {
    return this.#until((r) => indexDueTime(r.status), before, options);
  }

  listExpiring(before: Date, options: { limit?: number; nextToken?: string } = {}) {
    return this.#until((r) => r.status.notAfter, before, options);
  }

  /** Records whose `timeOf` is at or before `before`, earliest first (then by name), paged. */
  async #until(
    timeOf: (record: CertificateRecord) => string | undefined,
    before: Date,
    options: { limit?: number; nextToken?: string },
  ): Promise<{ items: CertificateRecord[]; nextToken?: string }> {
    await this.#load();
    const limit = listLimit(options.limit);
    const token = options.nextToken === undefined ? undefined : decodePageToken(options.nextToken);
    if (token && token.at === undefined) throw new ValidationError('nextToken', 'is not a valid page token');
    const from = token as { after: string; at: string } | undefined;
    const limitTime = before.toISOString();
    const entries = [...this.#records.values()]
      .map((record) => ({ record, at: timeOf(record) }))
      .filter((e): e is { record: CertificateRecord; at: string } => e.at !== undefined && e.at <= limitTime)
      .sort((a, b) => (a.at === b.at ? compareNames(a.record.name, b.record.name) : a.at < b.at ? -1 : 1))
      .filter((e) => !from || e.at > from.at || (e.at === from.at && compareNames(e.record.name, from.after) > 0));
    const page = entries.slice(0, limit);
    const items = page.map((e) => structuredClone(e.record));
    const last = page.at(-1);
    return entries.length > limit && last
      ? { items, nextToken: encodePageToken({ after: last.record.name, at: last.at }) }
      : { items };
  }

  /** Chained so that saves land in order; each one writes the state as it is when it runs. */
  #save(): Promise<void> {
    const file = this.#file;
    if (!file) return Promise.resolve();
    const next = this.#saving
      .catch(() => undefined)
      .then(async () => {
        const text = JSON.stringify([...this.#records.values()], null, 2);
        const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
        try {
          await mkdir(dirname(file), { recursive: true, mode: 0o700 });
          await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
          await rename(temp, file);
        } catch (error) {
          await rm(temp, { force: true });
          throw new StoreError(`memory: cannot save inventory file ${file}: ${messageOf(error)}`, { cause: error });
        }
      });
    this.#saving = next;
    return next;
  }
}
