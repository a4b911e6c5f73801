/**
 * Optimistic concurrency over the inventory: read, decide, write conditionally on the version
 * read; when another writer won the race, read again and decide again.
 */
import type { CertificateRecord } from '../domain/record.js';
import { ConflictError } from '../errors.js';
import type { Inventory } from '../ports/inventory.js';

/**
 * Retries after a `ConflictError`, so at most `MAX_CONFLICT_RETRIES + 1` attempts: enough for
 * the writers one certificate has at once (an issuance's steps, the API, a sweep), and a bound
 * so that a writer that always conflicts surfaces instead of spinning.
 */
export const MAX_CONFLICT_RETRIES = 8;

/**
 * Runs `attempt` with the record as stored now (undefined when there is none), again with a
 * fresh read each time it throws `ConflictError`, up to `MAX_CONFLICT_RETRIES` times. Any other
 * error, and the last conflict, propagate. `attempt` writes conditionally on `current.version`
 * and returns its result.
 */
export async function optimistically<T>(
  inventory: Inventory,
  name: string,
  attempt: (current: CertificateRecord | undefined) => Promise<T>,
): Promise<T> {
  for (let retries = 0; ; retries++) {
    const current = await inventory.get(name);
    try {
      return await attempt(current);
    } catch (error) {
      if (!(error instanceof ConflictError) || retries >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}
