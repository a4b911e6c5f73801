import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { ConflictError } from '../../shared/errors.js';

function record(name: string, version: number): CertificateRecord {
  return {
    name,
    spec: {
      name,
      dnsNames: [`${name}.example.com`],
      issuerRef: { name: 'selfsigned' },
    } as unknown as CertificateRecord['spec'],
    revision: 1,
    version,
    status: { conditions: [], failedIssuanceAttempts: 0 },
    events: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('Class: MemoryInventory', () => {
  let dir: string;
  let inventory: MemoryInventory;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certflow-inventory-'));
    inventory = new MemoryInventory();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a new record when expected version is 0', async () => {
    await inventory.put(record('web', 1), 0);
    assert.deepEqual(await inventory.get('web'), record('web', 1));
  });

  it('refuses to create a record that already exists', async () => {
    await inventory.put(record('web', 1), 0);
    await assert.rejects(inventory.put(record('web', 1), 0), ConflictError);
  });

  it('refuses an update from a stale version', async () => {
    await inventory.put(record('web', 1), 0);
    await inventory.put(record('web', 2), 1);
    await assert.rejects(inventory.put(record('web', 2), 1), ConflictError);
  });

  it('refuses an update of a record that does not exist', async () => {
    await assert.rejects(inventory.put(record('web', 2), 1), ConflictError);
  });

  it('lets exactly one of two concurrent writers win', async () => {
    await inventory.put(record('web', 1), 0);
    const outcomes = await Promise.allSettled([inventory.put(record('web', 2), 1), inventory.put(record('web', 2), 1)]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
  });

  it('stores the version after the expected one', async () => {
    await inventory.put(record('web', 7), 0);
    assert.equal((await inventory.get('web'))?.version, 1);
  });

  it('keeps stored state out of reach of callers', async () => {
    const written = record('web', 1);
    await inventory.put(written, 0);
    written.status.conditions.push({
      type: 'Ready',
      status: 'True',
      reason: 'Ready',
      message: '',
      lastTransitionTime: '',
    });
    const read = await inventory.get('web');
    read!.events.push({ time: '', type: 'Normal', reason: 'Issued', message: '' });
    const again = await inventory.get('web');
    assert.deepEqual(again?.status.conditions, []);
    assert.deepEqual(again?.events, []);
  });

  it('lists records sorted by name', async () => {
    await inventory.put(record('web', 1), 0);
    await inventory.put(record('api', 1), 0);
    assert.deepEqual(
      (await inventory.list()).map((r) => r.name),
      ['api', 'web'],
    );
  });

  it('keeps its records across restarts when given a file', async () => {
    const file = join(dir, 'state', 'inventory.json');
    const first = new MemoryInventory({ file });
    await first.put(record('web', 1), 0);
    await first.put(record('web', 2), 1);
    const restarted = new MemoryInventory({ file });
    assert.equal((await restarted.get('web'))?.version, 2);
    await assert.rejects(restarted.put(record('web', 2), 1), ConflictError);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).length, 1);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('starts empty when its file does not exist yet', async () => {
    const fresh = new MemoryInventory({ file: join(dir, 'missing.json') });
    assert.deepEqual(await fresh.list(), []);
  });
});
