// @peculiar/x509 2.x needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { Pkcs10CertificateRequest, type SubjectAlternativeNameExtension } from '@peculiar/x509';
import { createCsr } from '../../shared/domain/csr.js';
import { generatePrivateKey } from '../../shared/domain/keys.js';
import type { CertificateSpec, KeyAlgorithm, KeyEncoding } from '../../shared/domain/spec.js';
import { CertflowError } from '../../shared/errors.js';

const OID_SAN = '2.5.29.17';
const SPIFFE = 'spiffe://cluster.local/ns/a/sa/b';

function certificateSpec(overrides: Partial<CertificateSpec> = {}): CertificateSpec {
  return {
    name: 'web',
    issuerRef: { name: 'letsencrypt' },
    dnsNames: ['example.com', '*.example.com'],
    ipAddresses: ['192.0.2.10', '2001:db8::1'],
    uris: [SPIFFE],
    emailAddresses: ['admin@example.com'],
    duration: '2160h',
    privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS1', rotationPolicy: 'Always' },
    usages: ['digital signature', 'key encipherment'],
    isCA: false,
    targets: [],
    additionalOutputFormats: [],
    ...overrides,
  };
}

const keyCache = new Map<string, Promise<string>>();
function keyFor(algorithm: KeyAlgorithm, size: number, encoding: KeyEncoding): Promise<string> {
  const id = `${algorithm}/${size}/${encoding}`;
  let key = keyCache.get(id);
  if (!key) {
    key = generatePrivateKey({ algorithm, size, encoding, rotationPolicy: 'Always' });
    keyCache.set(id, key);
  }
  return key;
}

async function csrFor(spec: CertificateSpec, keyPem?: string): Promise<Pkcs10CertificateRequest> {
  return new Pkcs10CertificateRequest(await createCsr(spec, keyPem ?? (await keyFor('ECDSA', 256, 'PKCS1'))));
}

function sanExtension(csr: Pkcs10CertificateRequest): SubjectAlternativeNameExtension | undefined {
  return (csr.getExtension(OID_SAN) as SubjectAlternativeNameExtension | null) ?? undefined;
}

function sans(csr: Pkcs10CertificateRequest): Array<{ type: string; value: string }> {
  return sanExtension(csr)?.names.toJSON() ?? [];
}

describe('Module: csr', () => {
  const keyCases: Array<[KeyAlgorithm, number, KeyEncoding, { name: string; hash?: string }]> = [
    ['ECDSA', 256, 'PKCS1', { name: 'ECDSA', hash: 'SHA-256' }],
    ['ECDSA', 256, 'PKCS8', { name: 'ECDSA', hash: 'SHA-256' }],
    ['ECDSA', 384, 'PKCS1', { name: 'ECDSA', hash: 'SHA-384' }],
    ['ECDSA', 384, 'PKCS8', { name: 'ECDSA', hash: 'SHA-384' }],
    ['ECDSA', 521, 'PKCS1', { name: 'ECDSA', hash: 'SHA-512' }],
    ['ECDSA', 521, 'PKCS8', { name: 'ECDSA', hash: 'SHA-512' }],
    ['RSA', 2048, 'PKCS1', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }],
    ['RSA', 2048, 'PKCS8', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }],
    ['Ed25519', 0, 'PKCS8', { name: 'Ed25519' }],
  ];

  for (const [algorithm, size, encoding, signature] of keyCases) {
    const label = `${algorithm}${size ? ` ${size}` : ''} ${encoding}`;

    it(`signs a verifiable request with a ${label} key`, async () => {
      const csr = await csrFor(certificateSpec(), await keyFor(algorithm, size, encoding));
      assert.equal(await csr.verify(), true);
    });

    it(`uses ${signature.name}${signature.hash ? ` with ${signature.hash}` : ''} for a ${label} key`, async () => {
      const csr = await csrFor(certificateSpec(), await keyFor(algorithm, size, encoding));
      const used = csr.signatureAlgorithm as { name: string; hash?: { name: string } };
      assert.equal(used.name, signature.name);
      assert.equal(used.hash?.name, signature.hash);
    });

    it(`carries the public key of the ${label} key`, async () => {
      const keyPem = await keyFor(algorithm, size, encoding);
      const csr = await csrFor(certificateSpec(), keyPem);
      const expected = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
      assert.deepEqual(Buffer.from(csr.publicKey.rawData), expected);
    });
  }

  it('writes a PEM CERTIFICATE REQUEST ending in a newline', async () => {
    const pem = await createCsr(certificateSpec(), await keyFor('ECDSA', 256, 'PKCS1'));
    assert.match(pem, /^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n$/);
  });

  it('requests exactly the DNS names, e-mail addresses, IP addresses and URIs of the spec', async () => {
    const csr = await csrFor(certificateSpec());
    assert.deepEqual(sans(csr), [
      { type: 'dns', value: 'example.com' },
      { type: 'dns', value: '*.example.com' },
      { type: 'email', value: 'admin@example.com' },
      { type: 'ip', value: '192.0.2.10' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'url', value: SPIFFE },
    ]);
  });

  it('writes a SPIFFE ID as a URI SAN, not as a DNS name', async () => {
    const csr = await csrFor(certificateSpec({ dnsNames: [], ipAddresses: [], emailAddresses: [], commonName: 'svc' }));
    assert.deepEqual(sans(csr), [{ type: 'url', value: SPIFFE }]);
  });

  it('leaves the SAN extension out when the spec has no names', async () => {
    const csr = await csrFor(
      certificateSpec({ dnsNames: [], ipAddresses: [], uris: [], emailAddresses: [], commonName: 'only-cn' }),
    );
    assert.equal(sanExtension(csr), undefined);
  });

  it('uses the common name of the spec as CN', async () => {
    const csr = await csrFor(certificateSpec({ commonName: 'www.example.com' }));
    assert.deepEqual(csr.subjectName.getField('CN'), ['www.example.com']);
  });

  it('uses the first DNS name as CN when the spec has no common name', async () => {
    const csr = await csrFor(certificateSpec());
    assert.equal(csr.subject, 'CN=example.com');
  });

  it('marks the SAN extension non-critical when the subject is not empty', async () => {
    const csr = await csrFor(certificateSpec());
    assert.equal(sanExtension(csr)?.critical, false);
  });

  it('leaves the subject empty when the first DNS name is longer than 64 characters', async () => {
    const long = `${'a'.repeat(60)}.example.com`;
    const csr = await csrFor(certificateSpec({ dnsNames: [long, 'example.com'] }));
    assert.equal(csr.subject, '');
    assert.deepEqual(
      sans(csr)
        .filter((name) => name.type === 'dns')
        .map((name) => name.value),
      [long, 'example.com'],
    );
  });

  it('marks the SAN extension critical when the subject is empty', async () => {
    const csr = await csrFor(certificateSpec({ dnsNames: [`${'a'.repeat(60)}.example.com`] }));
    assert.equal(sanExtension(csr)?.critical, true);
  });

  it('leaves the subject empty when there is neither a common name nor a DNS name', async () => {
    const csr = await csrFor(certificateSpec({ dnsNames: [] }));
    assert.equal(csr.subject, '');
  });

  it('writes every subject field of the spec', async () => {
    const csr = await csrFor(
      certificateSpec({
        commonName: 'example.com',
        subject: {
          organizations: ['Example Org', 'Second Org'],
          countries: ['DE'],
          organizationalUnits: ['Platform'],
          localities: ['Berlin'],
          provinces: ['Berlin State'],
          streetAddresses: ['1 Main Street'],
          postalCodes: ['10115'],
          serialNumber: 'SN-42',
        },
      }),
    );
    const name = csr.subjectName;
    assert.deepEqual(name.getField('O').sort(), ['Example Org', 'Second Org']);
    assert.deepEqual(name.getField('C'), ['DE']);
    assert.deepEqual(name.getField('OU'), ['Platform']);
    assert.deepEqual(name.getField('L'), ['Berlin']);
    assert.deepEqual(name.getField('ST'), ['Berlin State']);
    assert.deepEqual(name.getField('2.5.4.9'), ['1 Main Street']);
    assert.deepEqual(name.getField('2.5.4.17'), ['10115']);
    assert.deepEqual(name.getField('2.5.4.5'), ['SN-42']);
    assert.deepEqual(name.getField('CN'), ['example.com']);
  });

  it('keeps subject values with DN syntax characters and non-ASCII text verbatim', async () => {
    const odd = ['Acme, "Inc" + #1', '#00ff', 'Back\\slash', 'Ünïcode GmbH'];
    const csr = await csrFor(certificateSpec({ subject: { organizations: odd } }));
    assert.deepEqual(csr.subjectName.getField('O').sort(), [...odd].sort());
  });

  it('rejects a private key that does not parse', async () => {
    await assert.rejects(createCsr(certificateSpec(), 'not a key'), CertflowError);
  });

  it('rejects a key type certflow does not issue', async () => {
    const ed448 = generateKeyPairSync('ed448').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(createCsr(certificateSpec(), ed448), /csr: unsupported key type ed448/);
  });
});
