import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';

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
    assert.deepEqual(await inventory.list(), { items: [record('api', 1), record('web', 1)] });
  });

  it('sorts names by their UTF-8 bytes, as DynamoDB does', async () => {
    for (const name of ['\u{1F600}', '\uFF21', 'b', 'B']) await inventory.put(record(name, 1), 0);
    assert.deepEqual(
      (await inventory.list()).items.map((r) => r.name),
      ['B', 'b', '\uFF21', '\u{1F600}'],
    );
  });

  it('returns 100 records per page by default', async () => {
    for (let i = 0; i < 101; i++) await inventory.put(record(`cert-${String(i).padStart(3, '0')}`, 1), 0);
    const page = await inventory.list();
    assert.equal(page.items.length, 100);
    assert.ok(page.nextToken);
  });

  it('pages through every record with opaque tokens', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `cert-${String(i).padStart(2, '0')}`);
    for (const name of [...names].reverse()) await inventory.put(record(name, 1), 0);
    const seen: string[] = [];
    const tokens: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await inventory.list({ limit: 10, ...(nextToken ? { nextToken } : {}) });
      seen.push(...page.items.map((r) => r.name));
      nextToken = page.nextToken;
      if (nextToken) tokens.push(nextToken);
    } while (nextToken);
    assert.deepEqual(seen, names);
    assert.equal(tokens.length, 2);
    for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.ok(
      tokens.every((token) => !token.includes('cert')),
      'tokens do not show names in clear',
    );
  });

  it('leaves out the token on a page that reaches the end', async () => {
    await inventory.put(record('api', 1), 0);
    await inventory.put(record('web', 1), 0);
    assert.equal((await inventory.list({ limit: 2 })).nextToken, undefined);
  });

  it('resumes after the token name even when that record was deleted meanwhile', async () => {
    for (const name of ['a', 'b', 'c']) await inventory.put(record(name, 1), 0);
    const first = await inventory.list({ limit: 2 });
    await inventory.delete('b', 1);
    const second = await inventory.list({ limit: 2, nextToken: first.nextToken! });
    assert.deepEqual(
      second.items.map((r) => r.name),
      ['c'],
    );
  });

  it('refuses a limit outside 1 to 1000', async () => {
    for (const limit of [0, 1001, 1.5]) {
      await assert.rejects(
        inventory.list({ limit }),
        (error: Error) => error instanceof ValidationError && error.field === 'limit',
      );
    }
  });

  it('refuses a malformed page token', async () => {
    for (const nextToken of ['', '!!', 'e30', Buffer.from('{"after":1}').toString('base64url')]) {
      await assert.rejects(inventory.list({ nextToken }), (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.message, 'nextToken: is not a valid page token');
        return true;
      });
    }
  });

  it('deletes a record at the expected version', async () => {
    await inventory.put(record('web', 1), 0);
    await inventory.delete('web', 1);
    assert.equal(await inventory.get('web'), undefined);
  });

  it('refuses to delete a record from a stale version', async () => {
    await inventory.put(record('web', 1), 0);
    await inventory.put(record('web', 2), 1);
    await assert.rejects(inventory.delete('web', 1), ConflictError);
    assert.equal((await inventory.get('web'))?.version, 2);
  });

  it('deletes a record that does not exist without complaint', async () => {
    await inventory.delete('gone', 1);
  });

  it('lets a deleted name be created again from version 0', async () => {
    await inventory.put(record('web', 1), 0);
    await inventory.delete('web', 1);
    await inventory.put(record('web', 1), 0);
    assert.equal((await inventory.get('web'))?.version, 1);
  });

  it('saves deletions to its file', async () => {
    const file = join(dir, 'inventory.json');
    const first = new MemoryInventory({ file });
    await first.put(record('web', 1), 0);
    await first.put(record('api', 1), 0);
    await first.delete('web', 1);
    const restarted = new MemoryInventory({ file });
    assert.deepEqual(
      (await restarted.list()).items.map((r) => r.name),
      ['api'],
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
    assert.deepEqual(await fresh.list(), { items: [] });
  });
});
