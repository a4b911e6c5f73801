/**
 * Pure reading of PEM certificates and keys: what the Store step records about an issued
 * certificate, and the checks it makes before writing it.
 *
 * Only `node:crypto` is used: @peculiar/x509 would add ~220 KB to every Lambda that stores a
 * certificate, and the one thing Node does not expose structurally (the SAN extension; its
 * `subjectAltName` string is quoted, escaped and prints IPv6 uncompressed) is read with the small
 * DER walker below.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from './spec.js';
import { CertflowError } from '../errors.js';
import { children, readTlv } from './der.js';

/** A key's algorithm and size, in the terms of `PrivateKeySpec` (Ed25519's size is 0). */
export interface KeyDescription {
  algorithm: KeyAlgorithm;
  size: number;
}

/** What certflow records about a certificate. */
export interface CertificateInfo {
  /** Lower-case hex without colons or leading zeros. */
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  /** ISO 8601. */
  notAfter: string;
  /** One line, RDNs in the certificate's order, as OpenSSL prints them (`C=US, O=…, CN=…`). */
  subject: string;
  issuer: string;
  dnsNames: string[];
  /** IPv4 dotted, IPv6 in the RFC 5952 short form. */
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
  isCA: boolean;
  publicKeyAlgorithm: KeyAlgorithm;
  publicKeySize: number;
  /** SHA-256 of the DER, lower-case hex without colons. */
  fingerprintSha256: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const EC_CURVE_SIZES: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/**
 * Every certificate block of a PEM bundle, in order, re-wrapped at 64 columns with `\n` line ends
 * and a trailing newline, so that CRLF files and stray whitespace compare and store identically.
 */
export function splitPemChain(pem: string): string[] {
  const blocks: string[] = [];
  for (const match of pem.matchAll(PEM_CERTIFICATE)) {
    const body = (match[1] ?? '').replace(/\s+/g, '');
    const lines = body.match(/.{1,64}/g) ?? [];
    blocks.push(['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----', ''].join('\n'));
  }
  return blocks;
}

/** The leaf (first block) and the rest of the chain. Throws when the PEM holds no certificate. */
export function leafAndChain(pem: string): { leaf: string; chain: string[] } {
  const [leaf, ...chain] = splitPemChain(pem);
  if (!leaf) throw new CertflowError('certificate: no certificate in PEM');
  return { leaf, chain };
}

/**
 * The topmost certificate of a chain (its last block): cert-manager writes the top of the chain
 * served by an ACME CA as `ca.crt`, which is an intermediate when the CA does not send its root.
 */
export function caFromChain(chainPem: string): string {
  const blocks = splitPemChain(chainPem);
  const top = blocks.at(-1);
  if (!top) throw new CertflowError('certificate: no certificate in PEM');
  return top;
}

/** Parses the first certificate of `pem`. Throws on malformed input or an unsupported key type. */
export function parseCertificate(pem: string): CertificateInfo {
  const { leaf } = leafAndChain(pem);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(leaf);
  } catch (error) {
    throw new CertflowError('certificate: cannot parse certificate', { cause: error });
  }
  const key = describeKey(cert.publicKey);
  const sans = readSubjectAltNames(cert.raw);
  return {
    serialNumber: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    ...sans,
    isCA: cert.ca,
    publicKeyAlgorithm: key.algorithm,
    publicKeySize: key.size,
    fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
  };
}

/**
 * Whether the private key (PKCS#1, SEC1 or PKCS#8 PEM) belongs to the first certificate of
 * `certificatePem`, by comparing SubjectPublicKeyInfo bytes. Throws when either does not parse.
 */
export function keyMatchesCertificate(privateKeyPem: string, certificatePem: string): boolean {
  const { leaf } = leafAndChain(certificatePem);
  const fromKey = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(leaf).publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCert);
}

/** Algorithm and size of a public or private key; throws for types certflow does not issue. */
export function describeKey(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: 'RSA', size: details.modulusLength ?? 0 };
    case 'ec': {
      const size = EC_CURVE_SIZES[details.namedCurve ?? ''];
      if (size) return { algorithm: 'ECDSA', size };
      throw new CertflowError(`certificate: unsupported EC curve ${details.namedCurve ?? '(unknown)'}`);
    }
    case 'ed25519':
      return { algorithm: 'Ed25519', size: 0 };
    default:
      throw new CertflowError(`certificate: unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}`);
  }
}

/** Node prints one RDN a line; records want one line. An empty name is `undefined` in Node. */
function oneLine(name: string | undefined): string {
  return (name ?? '').split('\n').filter(Boolean).join(', ');
}

const SAN_OID = Buffer.from([0x55, 0x1d, 0x11]); // 2.5.29.17
const TAG_EXTENSIONS = 0xa3; // tbsCertificate [3] EXPLICIT Extensions
const TAG_OID = 0x06;
const TAG_OCTET_STRING = 0x04;
const GN_EMAIL = 0x81; // [1] rfc822Name
const GN_DNS = 0x82; // [2] dNSName
const GN_URI = 0x86; // [6] uniformResourceIdentifier
const GN_IP = 0x87; // [7] iPAddress

function readSubjectAltNames(
  der: Buffer,
): Pick<CertificateInfo, 'dnsNames' | 'ipAddresses' | 'uris' | 'emailAddresses'> {
  const names = {
    dnsNames: [] as string[],
    ipAddresses: [] as string[],
    uris: [] as string[],
    emailAddresses: [] as string[],
  };
  const [tbs] = children(der, readTlv(der, 0));
  if (!tbs) return names;
  const extensionsTag = children(der, tbs).find((item) => item.tag === TAG_EXTENSIONS);
  const [extensions] = extensionsTag ? children(der, extensionsTag) : [];
  if (!extensions) return names;
  for (const extension of children(der, extensions)) {
    const parts = children(der, extension);
    const oid = parts[0];
    if (oid?.tag !== TAG_OID || !der.subarray(oid.start, oid.end).equals(SAN_OID)) continue;
    const value = parts.find((part) => part.tag === TAG_OCTET_STRING);
    if (!value) continue;
    for (const name of children(der, readTlv(der, value.start))) {
      const bytes = der.subarray(name.start, name.end);
      if (name.tag === GN_DNS) names.dnsNames.push(bytes.toString('latin1'));
      else if (name.tag === GN_URI) names.uris.push(bytes.toString('latin1'));
      else if (name.tag === GN_EMAIL) names.emailAddresses.push(bytes.toString('latin1'));
      else if (name.tag === GN_IP) names.ipAddresses.push(formatIp(bytes));
    }
  }
  return names;
}

/** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return bytes.toString('hex');
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
