/**
 * The selfSigned and ca issuers through the synthesized state machine's Sign branch, including
 * cert-manager's bootstrap pattern: a self-signed CA certificate becomes the key pair of a ca issuer.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { getCondition } from '../../shared/domain/status.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import { type Harness, startHarness } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

describe('Integration: selfSigned and ca issuers', { skip }, () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({
      issuers: () => [
        { kind: 'selfSigned', name: 'selfsigned' },
        { kind: 'ca', name: 'internal-ca', certificateName: 'internal-root' },
        { kind: 'ca', name: 'missing-ca', certificateName: 'never-issued' },
      ],
    });
  });
  after(async () => h?.stop());

  it('issues a self-signed certificate with IP, URI and e-mail SANs', async () => {
    const result = await h.issue({
      certificate: {
        name: 'service',
        issuerRef: { name: 'selfsigned' },
        commonName: 'service.internal',
        dnsNames: ['service.internal'],
        ipAddresses: ['10.0.0.7', '2001:db8::7'],
        uris: ['spiffe://cluster.local/ns/prod/sa/service'],
        emailAddresses: ['ops@example.com'],
        duration: '720h',
        usages: ['server auth', 'client auth'],
      },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const stored = await h.deps.store.readCurrent('service');
    const cert = new X509Certificate(stored!['tls.crt']);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.ok(cert.checkPrivateKey(createPrivateKey(stored!['tls.key'])));
    const san = cert.subjectAltName ?? '';
    for (const part of [
      'DNS:service.internal',
      'IP Address:10.0.0.7',
      'URI:spiffe://cluster.local/ns/prod/sa/service',
      'email:ops@example.com',
    ]) {
      assert.ok(san.includes(part), `${part} in ${san}`);
    }
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.equal(Math.round(days), 30);
    assert.equal(stored!['ca.crt'], stored!['tls.crt'], 'a self-signed certificate is its own CA');
    const record = await h.deps.inventory.get('service');
    assert.equal(getCondition(record!.status.conditions, 'Ready')?.status, 'True');
    assert.ok(result.transitions <= 12, `${result.transitions} transitions`);
  });

  it('bootstraps a CA: a self-signed isCA certificate becomes the ca issuer of a leaf', async () => {
    const root = await h.issue({
      certificate: {
        name: 'internal-root',
        issuerRef: { name: 'selfsigned' },
        commonName: 'certflow internal root',
        isCA: true,
        privateKey: { algorithm: 'ECDSA', size: 384 },
      },
    });
    assert.equal(root.status, 'SUCCEEDED', `${root.error}: ${root.cause}`);
    const leaf = await h.issue({
      certificate: {
        name: 'api',
        issuerRef: { name: 'internal-ca' },
        dnsNames: ['api.internal'],
        privateKey: { algorithm: 'RSA', size: 2048 },
      },
    });
    assert.equal(leaf.status, 'SUCCEEDED', `${leaf.error}: ${leaf.cause}`);
    const rootPem = (await h.deps.store.readCurrent('internal-root'))!['tls.crt'];
    const stored = (await h.deps.store.readCurrent('api'))!;
    const [leafPem, chainPem] = stored['tls.crt'].split(/(?=-----BEGIN CERTIFICATE-----)/);
    const rootCert = new X509Certificate(rootPem);
    const leafCert = new X509Certificate(leafPem!);
    assert.ok(rootCert.ca, 'the root is a CA');
    assert.ok(leafCert.checkIssued(rootCert) && leafCert.verify(rootCert.publicKey), 'the leaf is signed by the root');
    assert.equal(
      new X509Certificate(chainPem!).fingerprint256,
      rootCert.fingerprint256,
      'tls.crt carries the CA as chain',
    );
    assert.equal(new X509Certificate(stored['ca.crt']).fingerprint256, rootCert.fingerprint256, 'ca.crt is the CA');
  });

  it("fails clearly, writing nothing, when the ca issuer's certificate was never issued", async () => {
    const result = await h.issue({
      certificate: { name: 'orphan', issuerRef: { name: 'missing-ca' }, dnsNames: ['orphan.internal'] },
    });
    assert.equal(result.status, 'FAILED');
    const record = await h.deps.inventory.get('orphan');
    const ready = getCondition(record!.status.conditions, 'Ready');
    assert.equal(ready?.reason, 'Failed');
    assert.match(ready!.message, /the CA certificate "never-issued" of issuer "missing-ca" is not issued yet/);
    assert.equal(await h.deps.store.readCurrent('orphan'), undefined);
  });

  it('never lets a private key into execution history, logs or events', async () => {
    const keys = await harnessKeyPems(h);
    assert.ok(keys.length >= 3, `found ${keys.length} keys`);
    const haystacks = await harnessHaystacks(h);
    assert.ok(!Object.values(haystacks).some((text) => text.includes('PRIVATE KEY')));
    assertNoKeyMaterial(haystacks, keys);
  });
});
