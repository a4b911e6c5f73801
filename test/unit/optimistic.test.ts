import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import type { CertificateSpec } from '../../shared/domain/spec.js';
import { ConflictError, StoreError } from '../../shared/errors.js';
import { MAX_CONFLICT_RETRIES, optimistically } from '../../shared/inventory/optimistic.js';
import { applySpec, updateRecord } from '../../shared/inventory/records.js';
import type { Clock } from '../../shared/ports/clock.js';

const clock: Clock = { now: () => new Date('2026-03-01T12:00:00.000Z') };

function spec(name: string, dnsName = `${name}.example.com`): CertificateSpec {
  return { name, dnsNames: [dnsName], issuerRef: { name: 'letsencrypt' } } as unknown as CertificateSpec;
}

/** Another writer moves the record just before each of the first `conflicts` writes. */
class ConflictingInventory extends MemoryInventory {
  reads = 0;
  writes = 0;
  constructor(public conflicts: number) {
    super();
  }
  override async get(name: string): Promise<CertificateRecord | undefined> {
    this.reads++;
    return super.get(name);
  }
  override async put(record: CertificateRecord, expectedVersion: number): Promise<void> {
    await this.#race(record.name);
    return super.put(record, expectedVersion);
  }
  override async delete(name: string, expectedVersion: number): Promise<void> {
    await this.#race(name);
    return super.delete(name, expectedVersion);
  }
  async #race(name: string): Promise<void> {
    this.writes++;
    if (this.conflicts === 0) return;
    this.conflicts--;
    const current = await super.get(name);
    if (current) await super.put({ ...current, version: current.version + 1 }, current.version);
    else await super.put({ ...(await this.seed(name)) }, 0);
  }
  async seed(name: string): Promise<CertificateRecord> {
    return {
      name,
      spec: spec(name, `other.${name}.example.com`),
      revision: 1,
      version: 1,
      status: { conditions: [], failedIssuanceAttempts: 0 },
      events: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
  }
}

describe('Function: optimistically', () => {
  it('allows eight retries', () => {
    assert.equal(MAX_CONFLICT_RETRIES, 8);
  });

  it('succeeds on the last allowed attempt after MAX_CONFLICT_RETRIES conflicts', async () => {
    let attempts = 0;
    const result = await optimistically(new MemoryInventory(), 'web', async () => {
      if (++attempts <= MAX_CONFLICT_RETRIES) throw new ConflictError('memory: changed');
      return 'written';
    });
    assert.equal(result, 'written');
    assert.equal(attempts, MAX_CONFLICT_RETRIES + 1);
  });

  it('propagates the conflict after MAX_CONFLICT_RETRIES retries', async () => {
    let attempts = 0;
    await assert.rejects(
      optimistically(new MemoryInventory(), 'web', async () => {
        attempts++;
        throw new ConflictError('memory: changed');
      }),
      ConflictError,
    );
    assert.equal(attempts, MAX_CONFLICT_RETRIES + 1);
  });

  it('propagates any other error without retrying', async () => {
    let attempts = 0;
    await assert.rejects(
      optimistically(new MemoryInventory(), 'web', async () => {
        attempts++;
        throw new StoreError('memory: disk full');
      }),
      StoreError,
    );
    assert.equal(attempts, 1);
  });

  it('reads the record afresh before every attempt', async () => {
    const inventory = new ConflictingInventory(0);
    await inventory.put(await inventory.seed('web'), 0);
    const seen: (number | undefined)[] = [];
    await optimistically(inventory, 'web', async (current) => {
      seen.push(current?.version);
      if (seen.length < 3) {
        await inventory.put({ ...current!, version: current!.version + 1 }, current!.version);
        throw new ConflictError('memory: changed');
      }
    });
    assert.deepEqual(seen, [1, 2, 3]);
  });
});

describe('Function: updateRecord', () => {
  let inventory: ConflictingInventory;

  beforeEach(async () => {
    inventory = new ConflictingInventory(0);
    await inventory.put(await inventory.seed('web'), 0);
    inventory.reads = 0;
    inventory.writes = 0;
  });

  it('writes on a fresh read after MAX_CONFLICT_RETRIES conflicts', async () => {
    inventory.conflicts = MAX_CONFLICT_RETRIES;
    const updated = await updateRecord(inventory, clock, 'web', (r) => ({ ...r, revision: 7 }));
    assert.equal(updated.revision, 7);
    assert.equal(updated.version, 1 + MAX_CONFLICT_RETRIES + 1);
    assert.equal(inventory.reads, MAX_CONFLICT_RETRIES + 1);
    assert.deepEqual(await inventory.get('web'), updated);
  });

  it('gives up with ConflictError after MAX_CONFLICT_RETRIES retries', async () => {
    inventory.conflicts = MAX_CONFLICT_RETRIES + 1;
    await assert.rejects(
      updateRecord(inventory, clock, 'web', (r) => ({ ...r, revision: 7 })),
      ConflictError,
    );
    assert.equal(inventory.writes, MAX_CONFLICT_RETRIES + 1);
  });

  it('fails with NotFoundError for a certificate that does not exist', async () => {
    await assert.rejects(
      updateRecord(inventory, clock, 'api', (r) => r),
      {
        name: 'NotFoundError',
        message: 'inventory: certificate "api" does not exist',
      },
    );
  });
});

describe('Function: applySpec', () => {
  it('applies the spec on a fresh read after a concurrent create', async () => {
    const inventory = new ConflictingInventory(1);
    const { record, changed } = await applySpec(inventory, clock, spec('web'));
    assert.equal(changed, true);
    assert.equal(record.revision, 2, 'the concurrent create was revision 1');
    assert.equal(inventory.reads, 2);
  });

  it('gives up with ConflictError after MAX_CONFLICT_RETRIES retries', async () => {
    const inventory = new ConflictingInventory(MAX_CONFLICT_RETRIES + 1);
    await assert.rejects(applySpec(inventory, clock, spec('web')), ConflictError);
    assert.equal(inventory.writes, MAX_CONFLICT_RETRIES + 1);
    assert.equal(inventory.reads, MAX_CONFLICT_RETRIES + 1);
  });
});
