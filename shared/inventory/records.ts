/**
 * Reading and changing inventory records with optimistic concurrency: every change is a pure
 * function of the current record, retried on `ConflictError` against a fresh read.
 */
import type { CertificateRecord } from '../domain/record.js';
import type { CertificateSpec } from '../domain/spec.js';
import { specsEqual } from '../domain/validate-spec.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Inventory } from '../ports/inventory.js';

const MAX_CONFLICT_RETRIES = 8;

/** Loads a record or fails with `NotFoundError` naming the certificate. */
export async function getRecord(inventory: Inventory, name: string): Promise<CertificateRecord> {
  const record = await inventory.get(name);
  if (!record) throw new NotFoundError(`inventory: certificate "${name}" does not exist`);
  return record;
}

/**
 * Applies `change` to the stored record and writes it back, re-reading and re-applying when
 * another writer won the race. `change` returns undefined when the record already says what it
 * would write (a re-run step), and nothing is written. Returns the record as stored.
 */
export async function updateRecord(
  inventory: Inventory,
  clock: Clock,
  name: string,
  change: (record: CertificateRecord, now: Date) => CertificateRecord | undefined,
): Promise<CertificateRecord> {
  for (let attempt = 0; ; attempt++) {
    const current = await getRecord(inventory, name);
    const now = clock.now();
    const changed = change(current, now);
    if (!changed) return current;
    const next = { ...changed, version: current.version + 1, updatedAt: now.toISOString() };
    try {
      await inventory.put(next, current.version);
      return next;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

/**
 * Creates the record for `spec`, or bumps its revision when the spec changed. Returns the record
 * and whether anything changed (re-applying the same spec is a no-op).
 */
export async function applySpec(
  inventory: Inventory,
  clock: Clock,
  spec: CertificateSpec,
): Promise<{ record: CertificateRecord; changed: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const current = await inventory.get(spec.name);
    const now = clock.now().toISOString();
    if (current && specsEqual(current.spec, spec)) return { record: current, changed: false };
    const next: CertificateRecord = current
      ? { ...current, spec, revision: current.revision + 1, version: current.version + 1, updatedAt: now }
      : {
          name: spec.name,
          spec,
          revision: 1,
          version: 1,
          status: { conditions: [], failedIssuanceAttempts: 0 },
          events: [],
          createdAt: now,
          updatedAt: now,
        };
    try {
      await inventory.put(next, current?.version ?? 0);
      return { record: next, changed: true };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}
