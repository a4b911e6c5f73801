// @peculiar/x509 2.x needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { generatePrivateKey } from '../../shared/domain/keys.js';
import { parseCertificate } from '../../shared/domain/certificate-info.js';
import type { CertificateSpec, KeyAlgorithm } from '../../shared/domain/spec.js';
import { ValidationError } from '../../shared/errors.js';
import { signCertificate } from '../../shared/issuers/x509/sign-certificate.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const SPIFFE = 'spiffe://cluster.local/ns/a/sa/b';

function certificateSpec(overrides: Partial<CertificateSpec> = {}): CertificateSpec {
  return {
    name: 'web',
    issuerRef: { name: 'selfsigned' },
    dnsNames: ['example.com', '*.example.com'],
    ipAddresses: ['192.0.2.10', '2001:db8::1'],
    uris: [SPIFFE],
    emailAddresses: ['admin@example.com'],
    commonName: 'example.com',
    subject: { organizations: ['Example Org'], countries: ['DE'] },
    duration: '2160h',
    privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS1', rotationPolicy: 'Always' },
    usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
    isCA: false,
    targets: [],
    additionalOutputFormats: [],
    ...overrides,
  };
}

const keyCache = new Map<string, Promise<string>>();
function keyFor(algorithm: KeyAlgorithm, size: number, slot = ''): Promise<string> {
  const id = `${algorithm}/${size}/${slot}`;
  let key = keyCache.get(id);
  if (!key) {
    key = generatePrivateKey({ algorithm, size, encoding: 'PKCS8', rotationPolicy: 'Always' });
    keyCache.set(id, key);
  }
  return key;
}

async function selfSigned(overrides: Partial<CertificateSpec> = {}, keyPem?: string) {
  const signed = await signCertificate({
    spec: certificateSpec(overrides),
    keyPem: keyPem ?? (await keyFor('ECDSA', 256)),
    signer: 'self',
    now: NOW,
  });
  return { ...signed, cert: new X509Certificate(signed.certificatePem) };
}

async function rootCa(overrides: Partial<CertificateSpec> = {}, now = NOW) {
  const keyPem = await keyFor('ECDSA', 384, 'root');
  const spec = certificateSpec({
    name: 'root',
    commonName: 'certflow test root',
    dnsNames: [],
    ipAddresses: [],
    uris: [],
    emailAddresses: [],
    usages: [],
    isCA: true,
    duration: '720h',
    ...overrides,
  });
  const { certificatePem } = await signCertificate({ spec, keyPem, signer: 'self', now });
  return { certificatePem, keyPem, cert: new X509Certificate(certificatePem) };
}

async function leafFrom(root: { certificatePem: string; keyPem: string }, keyPem?: string) {
  const signed = await signCertificate({
    spec: certificateSpec({ issuerRef: { name: 'root-ca' } }),
    keyPem: keyPem ?? (await keyFor('ECDSA', 256)),
    signer: { certificatePem: root.certificatePem, keyPem: root.keyPem },
    now: NOW,
  });
  return { ...signed, cert: new X509Certificate(signed.certificatePem) };
}

function keyUsages(pem: string): { usages: number; critical: boolean } {
  const extension = new x509.X509Certificate(pem).getExtension(x509.KeyUsagesExtension);
  assert.ok(extension, 'no KeyUsage extension');
  return { usages: extension.usages, critical: extension.critical };
}

describe('Module: sign-certificate', () => {
  const keyCases: Array<[string, KeyAlgorithm, number, string]> = [
    ['ECDSA P-256', 'ECDSA', 256, 'SHA-256'],
    ['ECDSA P-384', 'ECDSA', 384, 'SHA-384'],
    ['ECDSA P-521', 'ECDSA', 521, 'SHA-512'],
    ['RSA 2048', 'RSA', 2048, 'SHA-256'],
  ];
  for (const [label, algorithm, size, hash] of keyCases) {
    it(`signs a self-signed ${label} leaf with ${hash} that verifies with its own public key`, async () => {
      const { cert, certificatePem } = await selfSigned({}, await keyFor(algorithm, size));
      assert.equal(cert.verify(cert.publicKey), true);
      const signature = new x509.X509Certificate(certificatePem).signatureAlgorithm as { hash?: { name: string } };
      assert.equal(signature.hash?.name, hash);
    });
  }

  it('signs a self-signed Ed25519 leaf that verifies with its own public key', async () => {
    const { cert } = await selfSigned({}, await keyFor('Ed25519', 0));
    assert.equal(cert.publicKey.asymmetricKeyType, 'ed25519');
    assert.equal(cert.verify(cert.publicKey), true);
  });

  it('puts the DNS, IP, URI and e-mail SANs in the certificate as their own name types', async () => {
    const { certificatePem } = await selfSigned();
    const info = parseCertificate(certificatePem);
    assert.deepEqual(info.dnsNames, ['example.com', '*.example.com']);
    assert.deepEqual(info.ipAddresses, ['192.0.2.10', '2001:db8::1']);
    assert.deepEqual(info.uris, [SPIFFE]);
    assert.deepEqual(info.emailAddresses, ['admin@example.com']);
  });

  it('writes the common name and subject fields, and names itself as issuer', async () => {
    const { cert } = await selfSigned({
      subject: { organizations: ['Example Org'], countries: ['DE'], serialNumber: 'ABC-1' },
    });
    assert.equal(cert.subject, 'C=DE\nO=Example Org\nCN=example.com\nserialNumber=ABC-1');
    assert.equal(cert.issuer, cert.subject);
  });

  it('does not make up a common name from the DNS names', async () => {
    const { cert } = await selfSigned({ commonName: undefined });
    assert.equal(cert.subject, 'C=DE\nO=Example Org');
  });

  it('makes the SAN extension critical when the subject is empty', async () => {
    const { certificatePem } = await selfSigned({ commonName: undefined, subject: undefined });
    const parsed = new x509.X509Certificate(certificatePem);
    assert.equal(parsed.subject, '');
    assert.equal(parsed.getExtension(x509.SubjectAlternativeNameExtension)?.critical, true);
  });

  it('runs the validity from now for the duration', async () => {
    const { cert, notBefore, notAfter } = await selfSigned({ duration: '1h30m' });
    assert.equal(notBefore, NOW.toISOString());
    assert.equal(notAfter, new Date(NOW.getTime() + 1.5 * HOUR).toISOString());
    assert.equal(new Date(cert.validFrom).toISOString(), notBefore);
    assert.equal(new Date(cert.validTo).toISOString(), notAfter);
  });

  it('marks a leaf as not a CA with a critical BasicConstraints', async () => {
    const { cert, certificatePem } = await selfSigned();
    assert.equal(cert.ca, false);
    assert.equal(new x509.X509Certificate(certificatePem).getExtension(x509.BasicConstraintsExtension)?.critical, true);
  });

  it('sets a critical KeyUsage from the spec usages', async () => {
    const { certificatePem } = await selfSigned();
    const F = x509.KeyUsageFlags;
    assert.deepEqual(keyUsages(certificatePem), { usages: F.digitalSignature | F.keyEncipherment, critical: true });
  });

  it('sets the ExtendedKeyUsage from the spec usages', async () => {
    const { cert } = await selfSigned();
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  });

  it('gives a CA cert sign, CRL sign and digital signature whatever its usages', async () => {
    const root = await rootCa({ usages: ['key encipherment'] });
    const F = x509.KeyUsageFlags;
    assert.equal(root.cert.ca, true);
    assert.equal(
      keyUsages(root.certificatePem).usages,
      F.keyEncipherment | F.keyCertSign | F.cRLSign | F.digitalSignature,
    );
  });

  it('uses the serial number it is given', async () => {
    const signed = await signCertificate({
      spec: certificateSpec(),
      keyPem: await keyFor('ECDSA', 256),
      signer: 'self',
      now: NOW,
      serialNumber: '0a1b2c',
    });
    assert.equal(parseCertificate(signed.certificatePem).serialNumber, 'a1b2c');
  });

  it('gives random positive serial numbers of at most 128 bits', async () => {
    const serials = await Promise.all([selfSigned(), selfSigned(), selfSigned()]);
    const hex = serials.map(({ cert }) => cert.serialNumber);
    assert.equal(new Set(hex).size, 3);
    for (const serial of hex) {
      assert.ok(serial.length <= 32, serial);
      assert.ok(Number.parseInt(serial.slice(0, 2), 16) < 0x80, serial);
    }
  });

  describe('a self-signed CA signing a leaf', () => {
    it('signs a leaf that verifies with the root public key and is issued by it', async () => {
      const root = await rootCa();
      const { cert } = await leafFrom(root);
      assert.equal(cert.verify(root.cert.publicKey), true);
      assert.equal(cert.checkIssued(root.cert), true);
      assert.equal(cert.issuer, root.cert.subject);
      assert.equal(cert.ca, false);
    });

    it("sets the leaf's AuthorityKeyIdentifier to the root's SubjectKeyIdentifier", async () => {
      const root = await rootCa();
      const leaf = await leafFrom(root);
      const rootSki = new x509.X509Certificate(root.certificatePem).getExtension(x509.SubjectKeyIdentifierExtension);
      const leafAki = new x509.X509Certificate(leaf.certificatePem).getExtension(x509.AuthorityKeyIdentifierExtension);
      assert.ok(rootSki?.keyId);
      assert.equal(leafAki?.keyId, rootSki.keyId);
    });

    it("caps the leaf's notAfter at the root's", async () => {
      const root = await rootCa({ duration: '24h' });
      const leaf = await leafFrom(root);
      assert.equal(leaf.notAfter, new Date(root.cert.validTo).toISOString());
      assert.equal(leaf.notAfter, new Date(NOW.getTime() + 24 * HOUR).toISOString());
    });

    it("signs with the CA key's algorithm, not the leaf's", async () => {
      const root = await rootCa();
      const leaf = await leafFrom(root, await keyFor('RSA', 2048));
      const parsed = new x509.X509Certificate(leaf.certificatePem);
      const signature = parsed.signatureAlgorithm as { name: string; hash?: { name: string } };
      assert.deepEqual([signature.name, signature.hash?.name], ['ECDSA', 'SHA-384']);
      assert.equal(leaf.cert.publicKey.asymmetricKeyType, 'rsa');
    });

    it('produces a chain that openssl verify accepts', async (t) => {
      if (spawnSync('openssl', ['version']).error) {
        t.skip('openssl is not on PATH');
        return;
      }
      const root = await rootCa();
      const leaf = await leafFrom(root);
      const dir = mkdtempSync(join(tmpdir(), 'certflow-sign-'));
      try {
        const rootFile = join(dir, 'root.pem');
        const leafFile = join(dir, 'leaf.pem');
        writeFileSync(rootFile, root.certificatePem);
        writeFileSync(leafFile, leaf.certificatePem);
        // Both were signed at the fixed NOW, so check them at that moment rather than today.
        const attime = String(NOW.getTime() / 1000 + 60);
        const result = spawnSync('openssl', ['verify', '-attime', attime, '-CAfile', rootFile, leafFile], {
          encoding: 'utf8',
        });
        assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('rejecting an unusable CA', () => {
    it('rejects a signer whose certificate is not a CA with field issuerRef.name', async () => {
      const notCa = await selfSigned();
      const signer = { certificatePem: notCa.certificatePem, keyPem: await keyFor('ECDSA', 256) };
      await assert.rejects(leafFrom(signer), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, 'issuerRef.name');
        assert.match(error.message, /not a CA \(isCA: false\)/);
        return true;
      });
    });

    it('rejects a CA key that does not match its certificate', async () => {
      const root = await rootCa();
      const signer = { certificatePem: root.certificatePem, keyPem: await keyFor('ECDSA', 384, 'other') };
      await assert.rejects(leafFrom(signer), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, 'issuerRef.name');
        assert.match(error.message, /does not match/);
        return true;
      });
    });

    it('rejects an expired CA', async () => {
      const root = await rootCa({ duration: '1h' }, new Date(NOW.getTime() - 2 * HOUR));
      await assert.rejects(leafFrom(root), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, 'issuerRef.name');
        assert.match(error.message, /expired/);
        return true;
      });
    });

    it('rejects a CA certificate that does not parse', async () => {
      const signer = { certificatePem: 'not a certificate', keyPem: await keyFor('ECDSA', 384, 'root') };
      await assert.rejects(leafFrom(signer), { name: 'ValidationError', field: 'issuerRef.name' });
    });
  });
});

describe('Function: parseCertificate on a signed leaf', () => {
  it('reads a certificate whose subject is empty (SANs only)', async () => {
    const { parseCertificate } = await import('../../shared/domain/certificate-info.js');
    const { generatePrivateKey } = await import('../../shared/domain/keys.js');
    const { validateSpec } = await import('../../shared/domain/validate-spec.js');
    const spec = validateSpec({ name: 'sans-only', issuerRef: { name: 'selfsigned' }, dnsNames: ['only.example.com'] });
    const keyPem = await generatePrivateKey(spec.privateKey);
    const { certificatePem } = await signCertificate({ spec, keyPem, signer: 'self', now: new Date() });
    const info = parseCertificate(certificatePem);
    assert.equal(info.subject, '');
    assert.deepEqual(info.dnsNames, ['only.example.com']);
  });
});
