/**
 * Reading and changing inventory records with optimistic concurrency: every change is a pure
 * function of the current record, retried on `ConflictError` against a fresh read (`optimistically`).
 */
import type { CertificateRecord } from '../domain/record.js';
import type { CertificateSpec } from '../domain/spec.js';
import { specsEqual } from '../domain/validate-spec.js';
import { NotFoundError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Inventory } from '../ports/inventory.js';
import { optimistically } from './optimistic.js';

/** Loads a record or fails with `NotFoundError` naming the certificate. */
export async function getRecord(inventory: Inventory, name: string): Promise<CertificateRecord> {
  return found(await inventory.get(name), name);
}

function found(record: CertificateRecord | undefined, name: string): CertificateRecord {
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
  return optimistically(inventory, name, async (stored) => {
    const current = found(stored, name);
    const now = clock.now();
    const changed = change(current, now);
    if (!changed) return current;
    const next = { ...changed, version: current.version + 1, updatedAt: now.toISOString() };
    await inventory.put(next, current.version);
    return next;
  });
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
  return optimistically(inventory, spec.name, async (current) => {
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
    await inventory.put(next, current?.version ?? 0);
    return { record: next, changed: true };
  });
}

/** Deletes whatever version is stored now, re-reading when a concurrent write moved it; none is fine. */
export async function deleteLatest(inventory: Inventory, name: string): Promise<void> {
  await optimistically(inventory, name, async (current) => {
    if (current) await inventory.delete(name, current.version);
  });
}
