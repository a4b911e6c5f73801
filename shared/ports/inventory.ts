/** The certificates' records: spec, status and events (DynamoDB in AWS). */
import type { CertificateRecord } from '../domain/record.js';

export interface Inventory {
  get(name: string): Promise<CertificateRecord | undefined>;
  /**
   * Writes `record`. With `expectedVersion`, the write succeeds only if the stored version is
   * that one (0: the record must not exist) and throws `ConflictError` otherwise.
   */
  put(record: CertificateRecord, expectedVersion: number): Promise<void>;
  /**
   * Deletes the record if its stored version is `expectedVersion`; `ConflictError` otherwise.
   * Deleting a record that does not exist is not an error.
   */
  delete(name: string, expectedVersion: number): Promise<void>;
  /** One page of records in name order, through an index (never a Scan). */
  list(options?: { limit?: number; nextToken?: string }): Promise<{ items: CertificateRecord[]; nextToken?: string }>;
  /**
   * Records whose due time (see `dueTime` in shared/certificates/renewal-policy.ts: renewal time, or the next
   * attempt after a failure) is at or before `before`, earliest first, through an index.
   */
  listDue(
    before: Date,
    options?: { limit?: number; nextToken?: string },
  ): Promise<{ items: CertificateRecord[]; nextToken?: string }>;
  /** Records whose certificate expires at or before `before`, earliest first, through an index. */
  listExpiring(
    before: Date,
    options?: { limit?: number; nextToken?: string },
  ): Promise<{ items: CertificateRecord[]; nextToken?: string }>;
}
