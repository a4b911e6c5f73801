import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DescribeTableCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbInventory } from '../../shared/adapters/aws/dynamodb-inventory.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { ConflictError, StoreError } from '../../shared/errors.js';
import { type Dynalite, startDynalite } from '../../scripts/rigs/dynalite.js';

/** A record with every optional part filled in, so a lossy round trip would show. */
function record(name: string, version: number, message = 'issued'): CertificateRecord {
  return {
    name,
    spec: {
      name,
      issuerRef: { name: 'letsencrypt' },
      dnsNames: [`${name}.example.com`, `*.${name}.example.com`],
      ipAddresses: ['192.0.2.1'],
      uris: [],
      emailAddresses: [],
      commonName: `${name}.example.com`,
      subject: { organizations: ['Exämple Ünïcode 株式会社'] },
      duration: '2160h',
      renewBefore: '720h',
      privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS1', rotationPolicy: 'Always' },
      usages: ['digital signature', 'key encipherment'],
      isCA: false,
      secretTemplate: { labels: { app: name }, annotations: { 'example.com/owner': 'team "a"' } },
      targets: [{ cluster: 'prod', namespace: 'default', secretName: `${name}-tls` }],
      additionalOutputFormats: [{ type: 'CombinedPEM' }],
    },
    revision: 3,
    version,
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Ready', message, lastTransitionTime: '2026-01-02T03:04:05.678Z' },
      ],
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2026-04-01T00:00:00.000Z',
      renewalTime: '2026-03-02T00:00:00.000Z',
      serialNumber: '0a1b2c',
      secretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:certflow/${name}-AbCdEf`,
      revision: 3,
      failedIssuanceAttempts: 0,
      lastIssuanceId: 'issuance-1',
    },
    events: [{ time: '2026-01-01T00:00:00.000Z', type: 'Normal', reason: 'Issued', message: 'line one\nline two' }],
    createdAt: '2025-12-31T23:59:59.999Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('Class: DynamoDbInventory', () => {
  let dynamo: Dynalite;

  before(async () => {
    dynamo = await startDynalite();
  });

  after(async () => {
    await dynamo?.close();
  });

  /** Each test gets its own table, so none sees another's records. */
  async function freshInventory(): Promise<DynamoDbInventory> {
    const tableName = `inventory-${randomUUID()}`;
    await dynamo.createInventoryTable(tableName);
    return new DynamoDbInventory({ client: dynamo.client, tableName });
  }

  it('reads back exactly the record it created and then updated', async () => {
    const inventory = await freshInventory();
    await inventory.put(record('web', 1), 0);
    assert.deepEqual(await inventory.get('web'), record('web', 1));
    await inventory.put(record('web', 2, 'renewed'), 1);
    assert.deepEqual(await inventory.get('web'), record('web', 2, 'renewed'));
  });

  it('answers undefined for a certificate it never stored', async () => {
    const inventory = await freshInventory();
    assert.equal(await inventory.get('nope'), undefined);
  });

  it('refuses an update from a stale version', async () => {
    const inventory = await freshInventory();
    await inventory.put(record('web', 1), 0);
    await inventory.put(record('web', 2), 1);
    await assert.rejects(inventory.put(record('web', 2, 'stale'), 1), ConflictError);
    assert.equal((await inventory.get('web'))?.status.conditions[0]?.message, 'issued');
  });

  it('refuses to create a record that already exists', async () => {
    const inventory = await freshInventory();
    await inventory.put(record('web', 1), 0);
    await assert.rejects(inventory.put(record('web', 1, 'again'), 0), ConflictError);
  });

  it('lets exactly one of 20 concurrent creations of one name succeed', async () => {
    const inventory = await freshInventory();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => inventory.put(record('web', 1, `writer ${i}`), 0)),
    );
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(winners.length, 1);
    assert.equal(losers.length, 19);
    for (const loser of losers) assert.ok(loser.reason instanceof ConflictError, String(loser.reason));
    const stored = await inventory.get('web');
    assert.equal(stored?.version, 1);
    assert.equal(stored?.status.conditions[0]?.message, `writer ${outcomes.indexOf(winners[0]!)}`);
  });

  it('lets exactly one of 20 concurrent updates from one version win', async () => {
    const inventory = await freshInventory();
    await inventory.put(record('web', 1), 0);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => inventory.put(record('web', 2, `writer ${i}`), 1)),
    );
    const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof ConflictError);
    assert.deepEqual(await inventory.get('web'), record('web', 2, `writer ${winner}`));
  });

  it('pages through 250 records in name order, 100 at a time, with queries only', async (t) => {
    const inventory = await freshInventory();
    const names = Array.from({ length: 250 }, (_, i) => `cert-${String(i).padStart(3, '0')}`);
    // Written in a scrambled order so that name order can only come from the index.
    const scrambled = names.map((_, i) => names[(i * 97) % names.length]!);
    assert.equal(new Set(scrambled).size, names.length);
    for (let i = 0; i < scrambled.length; i += 25) {
      await Promise.all(scrambled.slice(i, i + 25).map((name) => inventory.put(record(name, 1), 0)));
    }

    const send = t.mock.method(dynamo.client, 'send');
    const pages: { items: CertificateRecord[]; nextToken?: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await inventory.list({ limit: 100, ...(nextToken ? { nextToken } : {}) });
      pages.push(page);
      nextToken = page.nextToken;
    } while (nextToken);

    assert.deepEqual(
      pages.map((p) => p.items.length),
      [100, 100, 50],
    );
    assert.deepEqual(
      pages.flatMap((p) => p.items.map((r) => r.name)),
      names,
    );
    assert.deepEqual(pages[0]!.items[0], record('cert-000', 1));
    const tokens = pages.map((p) => p.nextToken).filter((token) => token !== undefined);
    assert.equal(tokens.length, 2);
    for (const token of tokens) {
      assert.match(token, /^[A-Za-z0-9_-]+$/);
      assert.ok(!token.includes('cert'), `token ${token} shows a name in clear`);
    }
    const commands = send.mock.calls.map((call) => call.arguments[0]);
    assert.equal(commands.length, 3);
    assert.ok(commands.every((command) => command instanceof QueryCommand));
    assert.ok(!commands.some((command) => command instanceof ScanCommand));
  });

  it('uses the default page size of 100 without a limit', async () => {
    const inventory = await freshInventory();
    for (let i = 0; i < 101; i++) await inventory.put(record(`cert-${String(i).padStart(3, '0')}`, 1), 0);
    const page = await inventory.list();
    assert.equal(page.items.length, 100);
    assert.ok(page.nextToken);
    const rest = await inventory.list({ nextToken: page.nextToken });
    assert.deepEqual(
      rest.items.map((r) => r.name),
      ['cert-100'],
    );
  });

  it('resumes after a token whose record was deleted meanwhile', async () => {
    const inventory = await freshInventory();
    for (const name of ['a-cert', 'b-cert', 'c-cert']) await inventory.put(record(name, 1), 0);
    const first = await inventory.list({ limit: 2 });
    assert.deepEqual(
      first.items.map((r) => r.name),
      ['a-cert', 'b-cert'],
    );
    await inventory.delete('b-cert', 1);
    const second = await inventory.list({ limit: 2, nextToken: first.nextToken! });
    assert.deepEqual(
      second.items.map((r) => r.name),
      ['c-cert'],
    );
  });

  it('lists an empty inventory as one empty page', async () => {
    const inventory = await freshInventory();
    assert.deepEqual(await inventory.list(), { items: [] });
  });

  it('deletes a record only at its stored version', async () => {
    const inventory = await freshInventory();
    await inventory.put(record('web', 1), 0);
    await inventory.put(record('web', 2), 1);
    await assert.rejects(inventory.delete('web', 1), (error: Error) => {
      assert.ok(error instanceof ConflictError);
      assert.equal(error.message, 'dynamodb: certificate "web" was changed by someone else');
      return true;
    });
    assert.equal((await inventory.get('web'))?.version, 2);
    await inventory.delete('web', 2);
    assert.equal(await inventory.get('web'), undefined);
    assert.deepEqual(await inventory.list(), { items: [] });
  });

  it('lets a deleted name be created again from version 0', async () => {
    const inventory = await freshInventory();
    await inventory.put(record('web', 1), 0);
    await inventory.delete('web', 1);
    await inventory.put(record('web', 1, 'reborn'), 0);
    assert.deepEqual(await inventory.get('web'), record('web', 1, 'reborn'));
  });

  it('deletes a record that does not exist without complaint', async () => {
    const inventory = await freshInventory();
    await inventory.delete('never-there', 1);
    await inventory.delete('never-there', 0);
    assert.equal(await inventory.get('never-there'), undefined);
  });

  it('reports a malformed table name as a StoreError', async () => {
    const inventory = new DynamoDbInventory({ client: dynamo.client, tableName: 'no spaces allowed!' });
    const isValidationStoreError = (error: Error) =>
      error instanceof StoreError && /^dynamodb: .* failed: ValidationException: /.test(error.message);
    await assert.rejects(inventory.get('web'), isValidationStoreError);
    await assert.rejects(inventory.put(record('web', 1), 0), isValidationStoreError);
    await assert.rejects(inventory.delete('web', 1), isValidationStoreError);
    await assert.rejects(inventory.list(), isValidationStoreError);
  });

  it('reports a table that does not exist as a StoreError', async () => {
    const inventory = new DynamoDbInventory({ client: dynamo.client, tableName: 'certflow-missing' });
    await assert.rejects(
      inventory.get('web'),
      (error: Error) => error instanceof StoreError && error.message.includes('ResourceNotFoundException'),
    );
  });

  it('reports a table without the listing index as a StoreError', async () => {
    const tableName = `bare-${randomUUID()}`;
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
      }),
    );
    while (
      (await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus !== 'ACTIVE'
    ) {
      await sleep(10);
    }
    const inventory = new DynamoDbInventory({ client: dynamo.client, tableName });
    await assert.rejects(
      inventory.list(),
      (error: Error) => error instanceof StoreError && error.message.includes('does not have the specified index'),
    );
  });
});
