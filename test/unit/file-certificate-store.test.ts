import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FileAccountKeyStore, FileCertificateStore } from '../../shared/adapters/local/file-certificate-store.js';
import { StoreError } from '../../shared/errors.js';

const bundle = (n: number) => ({ 'tls.crt': `CERT ${n}`, 'tls.key': `KEY ${n}`, 'ca.crt': `CA ${n}` });

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('Class: FileCertificateStore', () => {
  let dir: string;
  let store: FileCertificateStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certflow-file-store-'));
    store = new FileCertificateStore({ dir });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers undefined before the first issuance', async () => {
    assert.equal(await store.readCurrent('web'), undefined);
    assert.deepEqual(await store.listVersions('web'), []);
  });

  it('writes the bundle as the current version with a file:// reference', async () => {
    const result = await store.putCurrent('web', 'exec-1', bundle(1), { 'certflow:notAfter': 'x' });
    const certDir = join(dir, 'certificates', 'web');
    assert.deepEqual(result, { secretArn: `file://${certDir}`, versionId: '0001' });
    assert.deepEqual(await store.readCurrent('web'), { ...bundle(1), ...result });
    assert.equal(await readFile(join(certDir, 'versions', '0001', 'issuance-id'), 'utf8'), 'exec-1');
  });

  it('creates key files 0600 and the directories that hold them 0700', async () => {
    await store.putCurrent('web', 'exec-1', bundle(1), {});
    await store.putPendingKey('web', 'exec-2', 'PENDING');
    const certDir = join(dir, 'certificates', 'web');
    assert.equal(await modeOf(join(certDir, 'versions', '0001', 'tls.key')), 0o600);
    assert.equal(await modeOf(join(certDir, 'versions', '0001')), 0o700);
    assert.equal(await modeOf(join(certDir, 'versions')), 0o700);
    assert.equal(await modeOf(join(dir, 'pending', 'web', 'exec-2.key')), 0o600);
    assert.equal(await modeOf(join(dir, 'pending', 'web')), 0o700);
  });

  it('keeps the previous version readable after a renewal', async () => {
    await store.putCurrent('web', 'exec-1', bundle(1), {});
    const renewed = await store.putCurrent('web', 'exec-2', bundle(2), {});
    assert.equal(renewed.versionId, '0002');
    assert.equal((await store.readCurrent('web'))?.['tls.crt'], 'CERT 2');
    assert.equal((await store.readVersion('web', '0001'))?.['tls.key'], 'KEY 1');
    assert.deepEqual(await store.listVersions('web'), ['0001', '0002']);
  });

  it('makes one version when the same issuance is stored twice', async () => {
    const first = await store.putCurrent('web', 'exec-1', bundle(1), {});
    const again = await store.putCurrent('web', 'exec-1', bundle(1), {});
    assert.deepEqual(again, first);
    assert.deepEqual(await store.listVersions('web'), ['0001']);
  });

  it('does not roll back a later issuance when an earlier one is retried', async () => {
    await store.putCurrent('web', 'exec-1', bundle(1), {});
    await store.putCurrent('web', 'exec-2', bundle(2), {});
    const retried = await store.putCurrent('web', 'exec-1', bundle(1), {});
    assert.equal(retried.versionId, '0001');
    assert.equal((await store.readCurrent('web'))?.versionId, '0002');
  });

  it('gives concurrent issuances distinct versions', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => store.putCurrent('web', `exec-${n}`, bundle(n), {})));
    assert.deepEqual(results.map((r) => r.versionId).sort(), ['0001', '0002', '0003']);
  });

  it('round-trips a pending key and discards it', async () => {
    await store.putPendingKey('web', 'exec-1', 'FIRST');
    await store.putPendingKey('web', 'exec-1', 'SECOND');
    assert.equal(await store.readPendingKey('web', 'exec-1'), 'SECOND');
    await store.discardPendingKey('web', 'exec-1');
    assert.equal(await store.readPendingKey('web', 'exec-1'), undefined);
    await store.discardPendingKey('web', 'exec-1');
  });

  it('refuses names that would escape its directory', async () => {
    await assert.rejects(store.putPendingKey('../web', 'exec-1', 'KEY'), StoreError);
    await assert.rejects(store.readPendingKey('web', '..'), StoreError);
    await assert.rejects(store.putCurrent('a/b', 'exec-1', bundle(1), {}), StoreError);
  });
});

describe('Class: FileAccountKeyStore', () => {
  let dir: string;
  let store: FileAccountKeyStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certflow-account-store-'));
    store = new FileAccountKeyStore({ dir });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the account file 0600 in a 0700 directory', async () => {
    assert.deepEqual(await store.createIfAbsent('letsencrypt', 'KEY'), { keyPem: 'KEY' });
    assert.equal(await modeOf(join(dir, 'acme-accounts', 'letsencrypt.json')), 0o600);
    assert.equal(await modeOf(join(dir, 'acme-accounts')), 0o700);
    assert.deepEqual(await store.get('letsencrypt'), { keyPem: 'KEY' });
  });

  it('lets concurrent creators agree on one key', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => new FileAccountKeyStore({ dir }).createIfAbsent('letsencrypt', `KEY ${i}`)),
    );
    const keys = new Set(results.map((r) => r.keyPem));
    assert.equal(keys.size, 1);
    assert.deepEqual(await store.get('letsencrypt'), results[0]);
  });

  it('records the account URL next to the key', async () => {
    await store.createIfAbsent('letsencrypt', 'KEY');
    await store.setAccountUrl('letsencrypt', 'https://ca/dir', 'https://ca/acct/1');
    assert.deepEqual(await store.get('letsencrypt'), {
      keyPem: 'KEY',
      accountUrl: 'https://ca/acct/1',
      server: 'https://ca/dir',
    });
    assert.equal(await modeOf(join(dir, 'acme-accounts', 'letsencrypt.json')), 0o600);
  });

  it('answers undefined for an issuer without an account', async () => {
    assert.equal(await store.get('letsencrypt'), undefined);
  });
});
