import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describePrivateKey, generatePrivateKey } from '../../shared/domain/keys.js';
import type { KeyAlgorithm, KeyEncoding } from '../../shared/domain/spec.js';
import { CertflowError, ValidationError } from '../../shared/errors.js';

const spec = (algorithm: KeyAlgorithm, size: number, encoding: KeyEncoding) =>
  ({ algorithm, size, encoding, rotationPolicy: 'Always' }) as const;

function header(pem: string): string {
  return pem.split('\n')[0] ?? '';
}

describe('Module: keys', () => {
  const cases: Array<[KeyAlgorithm, number, KeyEncoding, string]> = [
    ['RSA', 2048, 'PKCS1', '-----BEGIN RSA PRIVATE KEY-----'],
    ['RSA', 2048, 'PKCS8', '-----BEGIN PRIVATE KEY-----'],
    ['ECDSA', 256, 'PKCS1', '-----BEGIN EC PRIVATE KEY-----'],
    ['ECDSA', 256, 'PKCS8', '-----BEGIN PRIVATE KEY-----'],
    ['ECDSA', 384, 'PKCS1', '-----BEGIN EC PRIVATE KEY-----'],
    ['ECDSA', 384, 'PKCS8', '-----BEGIN PRIVATE KEY-----'],
    ['ECDSA', 521, 'PKCS1', '-----BEGIN EC PRIVATE KEY-----'],
    ['ECDSA', 521, 'PKCS8', '-----BEGIN PRIVATE KEY-----'],
    ['Ed25519', 0, 'PKCS8', '-----BEGIN PRIVATE KEY-----'],
  ];

  for (const [algorithm, size, encoding, expected] of cases) {
    it(`writes a ${algorithm} ${size || ''} key in ${encoding} with the ${expected} header`, async () => {
      const pem = await generatePrivateKey(spec(algorithm, size, encoding));
      assert.equal(header(pem), expected);
      assert.match(pem, /-----END [A-Z ]*PRIVATE KEY-----\n$/);
    });

    it(`describes a generated ${algorithm} ${size || ''} ${encoding} key by its algorithm and size`, async () => {
      const pem = await generatePrivateKey(spec(algorithm, size, encoding));
      assert.deepEqual(describePrivateKey(pem), { algorithm, size });
    });
  }

  it('writes Ed25519 keys as PKCS8 even when PKCS1 is asked for', async () => {
    const pem = await generatePrivateKey(spec('Ed25519', 0, 'PKCS1'));
    assert.equal(header(pem), '-----BEGIN PRIVATE KEY-----');
    assert.deepEqual(describePrivateKey(pem), { algorithm: 'Ed25519', size: 0 });
  });

  it('generates a 3072-bit RSA key', async () => {
    const pem = await generatePrivateKey(spec('RSA', 3072, 'PKCS8'));
    assert.equal(header(pem), '-----BEGIN PRIVATE KEY-----');
    assert.deepEqual(describePrivateKey(pem), { algorithm: 'RSA', size: 3072 });
  });

  it('generates a 4096-bit RSA key', async () => {
    const pem = await generatePrivateKey(spec('RSA', 4096, 'PKCS1'));
    assert.equal(header(pem), '-----BEGIN RSA PRIVATE KEY-----');
    assert.deepEqual(describePrivateKey(pem), { algorithm: 'RSA', size: 4096 });
  });

  it('generates a different key every time', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => generatePrivateKey(spec('ECDSA', 256, 'PKCS8'))));
    assert.notEqual(a, b);
  });

  it('rejects a size the algorithm does not allow', async () => {
    await assert.rejects(generatePrivateKey(spec('ECDSA', 2048, 'PKCS1')), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, 'privateKey.size');
      return true;
    });
  });

  it('rejects an unknown algorithm instead of hanging', async () => {
    const bad = { ...spec('RSA', 2048, 'PKCS1'), algorithm: 'DSA' as KeyAlgorithm };
    await assert.rejects(generatePrivateKey(bad), ValidationError);
  });

  it('refuses to describe something that is not a private key', () => {
    assert.throws(
      () => describePrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      CertflowError,
    );
  });
});
