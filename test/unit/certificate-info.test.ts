// @peculiar/x509 2.x needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createHash, KeyObject, webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  BasicConstraintsExtension,
  cryptoProvider,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
  type JsonGeneralName,
} from '@peculiar/x509';
import {
  caFromChain,
  keyMatchesCertificate,
  leafAndChain,
  parseCertificate,
  splitPemChain,
} from '../../shared/domain/certificate-info.js';
import { CertflowError } from '../../shared/errors.js';

cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);

type Keys = webcrypto.CryptoKeyPair;
type KeyKind = 'RSA' | 'EC' | 'Ed25519';

const SIGNING = {
  RSA: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  EC: { name: 'ECDSA', hash: 'SHA-256' },
  Ed25519: { name: 'Ed25519' },
} as const;

async function newKeys(kind: KeyKind): Promise<Keys> {
  const algorithm =
    kind === 'RSA'
      ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
      : kind === 'EC'
        ? { name: 'ECDSA', namedCurve: 'P-384' }
        : { name: 'Ed25519' };
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as Keys;
}

function privatePem(keys: Keys, type: 'pkcs8' | 'pkcs1' | 'sec1'): string {
  return KeyObject.from(keys.privateKey).export({ type, format: 'pem' }).toString();
}

function pemOf(cert: { toString(format: 'pem'): string }): string {
  return `${cert.toString('pem').trimEnd()}\n`;
}

const notBefore = new Date('2026-01-02T03:04:05Z');
const notAfter = new Date('2026-04-02T03:04:05Z');
const sanNames: JsonGeneralName[] = [
  { type: 'dns', value: 'example.com' },
  { type: 'dns', value: '*.example.com' },
  { type: 'ip', value: '192.0.2.10' },
  { type: 'ip', value: '2001:db8:0:0:0:0:0:1' },
  { type: 'url', value: 'spiffe://cluster.local/ns/a/sa/b' },
  { type: 'email', value: 'admin@example.com' },
];

const caKeys = await newKeys('EC');
const caPem = pemOf(
  await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'C=US, O=Certflow Test, CN=Certflow Test Root',
    notBefore,
    notAfter: new Date('2036-01-01T00:00:00Z'),
    keys: caKeys,
    signingAlgorithm: SIGNING.EC,
    extensions: [new BasicConstraintsExtension(true, 0, true)],
  }),
);

async function leafFor(keys: Keys, names: JsonGeneralName[] = sanNames, serialNumber = '00a1b2c3d4'): Promise<string> {
  const cert = await X509CertificateGenerator.create({
    serialNumber,
    subject: 'CN=example.com',
    issuer: 'C=US, O=Certflow Test, CN=Certflow Test Root',
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING.EC,
    extensions: names.length ? [new SubjectAlternativeNameExtension(names)] : [],
  });
  return pemOf(cert);
}

async function selfSignedFor(kind: KeyKind, keys: Keys): Promise<string> {
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=self.example.com',
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: SIGNING[kind],
    extensions: [new SubjectAlternativeNameExtension([{ type: 'dns', value: 'self.example.com' }])],
  });
  return pemOf(cert);
}

const leafKeys = await newKeys('EC');
const leafPem = await leafFor(leafKeys);

describe('Module: certificate-info', () => {
  describe('parseCertificate', () => {
    it('reads the serial number as lower-case hex without leading zeros', () => {
      assert.equal(parseCertificate(leafPem).serialNumber, 'a1b2c3d4');
    });

    it('reads the validity period as ISO timestamps', () => {
      const info = parseCertificate(leafPem);
      assert.equal(info.notBefore, '2026-01-02T03:04:05.000Z');
      assert.equal(info.notAfter, '2026-04-02T03:04:05.000Z');
    });

    it('reads the subject and issuer as one line each', () => {
      const info = parseCertificate(leafPem);
      assert.equal(info.subject, 'CN=example.com');
      assert.equal(info.issuer, 'C=US, O=Certflow Test, CN=Certflow Test Root');
    });

    it('reads every kind of subject alternative name', () => {
      const { dnsNames, ipAddresses, uris, emailAddresses } = parseCertificate(leafPem);
      assert.deepEqual(
        { dnsNames, ipAddresses, uris, emailAddresses },
        {
          dnsNames: ['example.com', '*.example.com'],
          ipAddresses: ['192.0.2.10', '2001:db8::1'],
          uris: ['spiffe://cluster.local/ns/a/sa/b'],
          emailAddresses: ['admin@example.com'],
        },
      );
    });

    it('writes IPv6 addresses in the RFC 5952 short form', async () => {
      const written = [
        '::1',
        '::',
        'fe80::',
        '2001:db8:0:1:0:0:0:1',
        '1:0:0:2:0:0:0:3',
        '1:0:2:3:4:5:6:7',
        'ABCD:EF01::0001',
      ];
      const cert = await leafFor(
        leafKeys,
        written.map((value) => ({ type: 'ip', value })),
      );
      assert.deepEqual(parseCertificate(cert).ipAddresses, [
        '::1',
        '::',
        'fe80::',
        '2001:db8:0:1::1',
        '1:0:0:2::3',
        '1:0:2:3:4:5:6:7',
        'abcd:ef01::1',
      ]);
    });

    it('returns empty name lists for a certificate without SANs', async () => {
      const info = parseCertificate(await leafFor(leafKeys, []));
      assert.deepEqual([info.dnsNames, info.ipAddresses, info.uris, info.emailAddresses], [[], [], [], []]);
    });

    it('tells a CA certificate from a leaf', () => {
      assert.equal(parseCertificate(caPem).isCA, true);
      assert.equal(parseCertificate(leafPem).isCA, false);
    });

    it('reads an ECDSA public key with its curve size', () => {
      const info = parseCertificate(leafPem);
      assert.deepEqual([info.publicKeyAlgorithm, info.publicKeySize], ['ECDSA', 384]);
    });

    it('reads an RSA public key with its modulus size', async () => {
      const info = parseCertificate(await selfSignedFor('RSA', await newKeys('RSA')));
      assert.deepEqual([info.publicKeyAlgorithm, info.publicKeySize], ['RSA', 2048]);
    });

    it('reads an Ed25519 public key with size 0', async () => {
      const info = parseCertificate(await selfSignedFor('Ed25519', await newKeys('Ed25519')));
      assert.deepEqual([info.publicKeyAlgorithm, info.publicKeySize], ['Ed25519', 0]);
    });

    it('fingerprints the DER with SHA-256 in lower-case hex', () => {
      const raw = new NodeX509Certificate(leafPem).raw;
      assert.equal(parseCertificate(leafPem).fingerprintSha256, createHash('sha256').update(raw).digest('hex'));
    });

    it('parses the first certificate of a bundle', () => {
      assert.equal(parseCertificate(leafPem + caPem).subject, 'CN=example.com');
    });

    it('throws a CertflowError for a PEM without a certificate', () => {
      assert.throws(() => parseCertificate('nothing here'), CertflowError);
    });
  });

  describe('keyMatchesCertificate', () => {
    for (const kind of ['RSA', 'EC', 'Ed25519'] as const) {
      const encodings =
        kind === 'RSA'
          ? (['pkcs8', 'pkcs1'] as const)
          : kind === 'EC'
            ? (['pkcs8', 'sec1'] as const)
            : (['pkcs8'] as const);
      for (const encoding of encodings) {
        it(`matches a ${kind} certificate with its own ${encoding.toUpperCase()} key`, async () => {
          const keys = await newKeys(kind);
          assert.equal(keyMatchesCertificate(privatePem(keys, encoding), await selfSignedFor(kind, keys)), true);
        });
      }

      it(`does not match a ${kind} certificate with another ${kind} key`, async () => {
        const cert = await selfSignedFor(kind, await newKeys(kind));
        assert.equal(keyMatchesCertificate(privatePem(await newKeys(kind), 'pkcs8'), cert), false);
      });
    }

    it('checks the leaf when given a whole chain', () => {
      assert.equal(keyMatchesCertificate(privatePem(leafKeys, 'sec1'), leafPem + caPem), true);
      assert.equal(keyMatchesCertificate(privatePem(caKeys, 'sec1'), leafPem + caPem), false);
    });
  });

  describe('splitPemChain', () => {
    it('returns each certificate block with a trailing newline', () => {
      assert.deepEqual(splitPemChain(leafPem + caPem), [leafPem, caPem]);
    });

    it('normalises CRLF line ends and stray whitespace', () => {
      const messy = `\r\n  ${leafPem.replaceAll('\n', '\r\n')}\r\n\r\n\t${caPem.trimEnd().replaceAll('\n', ' \r\n  ')}  `;
      assert.deepEqual(splitPemChain(messy), [leafPem, caPem]);
    });

    it('re-wraps base64 that is not split at 64 columns', () => {
      const [, body = ''] = /-----BEGIN CERTIFICATE-----([\s\S]*)-----END CERTIFICATE-----/.exec(leafPem) ?? [];
      const oneLine = `-----BEGIN CERTIFICATE-----${body.replace(/\s/g, '')}-----END CERTIFICATE-----`;
      assert.deepEqual(splitPemChain(oneLine), [leafPem]);
    });

    it('ignores text around the blocks and other PEM types', () => {
      const key = privatePem(leafKeys, 'pkcs8');
      assert.deepEqual(splitPemChain(`subject=CN=example.com\n${leafPem}${key}`), [leafPem]);
    });

    it('returns nothing for a PEM without certificates', () => {
      assert.deepEqual(splitPemChain(''), []);
    });
  });

  describe('caFromChain', () => {
    it('returns the last certificate of the chain', () => {
      assert.equal(caFromChain(leafPem + caPem), caPem);
    });

    it('returns the only certificate of a one-certificate chain', () => {
      assert.equal(caFromChain(caPem), caPem);
    });

    it('throws a CertflowError for an empty chain', () => {
      assert.throws(() => caFromChain(''), CertflowError);
    });
  });

  describe('leafAndChain', () => {
    it('splits the leaf from the rest of the chain', () => {
      assert.deepEqual(leafAndChain(leafPem + caPem), { leaf: leafPem, chain: [caPem] });
    });
  });
});
