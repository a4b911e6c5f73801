import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileAccountKeyStore, FileCertificateStore } from '../../shared/adapters/local/file-certificate-store.js';
import { assertNoKeyMaterial, findKeyMaterial, storedKeyPems } from '../support/key-material.js';

const ec = (type: 'pkcs8' | 'sec1') =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type, format: 'pem' }).toString();
const rsa = (type: 'pkcs8' | 'pkcs1') =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type, format: 'pem' }).toString();
const ed25519 = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A log line as the service writes it, with `value` inside. */
const logLine = (value: unknown) => `${JSON.stringify({ level: 'INFO', message: 'done', detail: value })}\n`;

describe('Module: key-material', () => {
  const kinds: [string, () => string][] = [
    ['an EC key in PKCS#8', () => ec('pkcs8')],
    ['an EC key in SEC1', () => ec('sec1')],
    ['an RSA key in PKCS#1', () => rsa('pkcs1')],
    ['an RSA key in PKCS#8', () => rsa('pkcs8')],
    ['an Ed25519 key', ed25519],
  ];

  for (const [label, generate] of kinds) {
    const pem = generate();

    it(`finds ${label} quoted in a JSON log line`, () => {
      assert.equal(findKeyMaterial([`started\n${logLine(pem)}stopped`], [pem]).length, 1);
    });

    it(`finds ${label} as the private member of its JWK`, () => {
      const jwk = createPrivateKey(pem).export({ format: 'jwk' });
      assert.equal(findKeyMaterial([logLine({ key: jwk.d })], [pem]).length, 1);
    });

    it(`finds ${label} as the hex of its private scalar`, () => {
      const d = Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).d!, 'base64url').toString('hex');
      assert.equal(findKeyMaterial([`d=${d}`], [pem]).length, 1);
    });

    it(`finds ${label} base64-encoded, as in a Kubernetes Secret`, () => {
      const secret = { data: { 'tls.key': Buffer.from(pem).toString('base64') } };
      const [finding] = findKeyMaterial({ events: JSON.stringify(secret) }, [pem]);
      assert.equal(finding?.haystack, 'events (base64-decoded)');
    });

    it(`does not mistake the public half of ${label}, or another key of its kind, for it`, () => {
      const key = createPrivateKey(pem);
      const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
      const publicJwk = createPublicKey(key).export({ format: 'jwk' });
      const haystack = logLine({ publicPem, publicJwk, other: generate(), header: 'PRIVATE KEY' });
      assert.deepEqual(findKeyMaterial([haystack], [pem]), []);
    });
  }

  it('finds the DER inside a longer base64 text at every byte alignment', () => {
    const pem = ec('pkcs8');
    const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    for (const prefix of ['', 'a', 'ab']) {
      const text = Buffer.concat([Buffer.from(prefix), der, Buffer.from('trailer')]).toString('base64');
      assert.equal(findKeyMaterial([text.replace(/.{60}/g, '$&\n')], [pem]).length, 1, `prefix "${prefix}"`);
    }
  });

  it('finds a key whose log line was cut short', () => {
    const pem = rsa('pkcs1');
    const body = pem.replace(/-----[^-]+-----|\s/g, '');
    assert.equal(findKeyMaterial([logLine(`${body.slice(0, 800)}…`)], [pem]).length, 1);
  });

  it('names the key and the haystack on failure, never the key itself', () => {
    const pem = ec('pkcs8');
    const middle = pem.split('\n')[2]!;
    assert.throws(
      () => assertNoKeyMaterial({ logs: logLine(pem) }, [{ source: 'certificate web', pem }]),
      (error: Error) => {
        assert.match(error.message, /certificate web \(ec prime256v1, spki sha256 [0-9a-f]{16}\) found in logs as/);
        assert.ok(!error.message.includes(middle), 'the message carries no key material');
        return true;
      },
    );
  });

  it('refuses to prove anything without a key to look for', () => {
    assert.throws(() => assertNoKeyMaterial(['anything'], []), /no private key to search for/);
  });

  it('collects every stored version, pending key and account key of a state directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certflow-keys-'));
    try {
      const store = new FileCertificateStore({ dir });
      const bundle = (key: string) => ({ 'tls.crt': 'crt', 'tls.key': key, 'ca.crt': '' });
      const [first, second, pending, account] = [ec('pkcs8'), ec('sec1'), ec('pkcs8'), ec('pkcs8')];
      await store.putCurrent('web', 'run-1', bundle(first), {});
      await store.putCurrent('web', 'run-2', bundle(second), {});
      await store.putPendingKey('web', 'run-3', pending);
      await new FileAccountKeyStore({ dir }).createIfAbsent('letsencrypt', account);
      const found = await storedKeyPems(dir);
      assert.deepEqual(
        found.map((k) => k.source),
        [
          'certificate web version 0001',
          'certificate web version 0002',
          'pending key of web (run-3)',
          'ACME account key of letsencrypt',
        ],
      );
      assert.deepEqual(
        found.map((k) => k.pem),
        [first, second, pending, account],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
