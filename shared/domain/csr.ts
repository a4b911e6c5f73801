/**
 * PKCS#10 certificate requests for ACME finalization.
 *
 * Built here rather than by acme-client because acme-client 5.4 cannot sign with Ed25519 and
 * writes URI SANs as DNS names.
 */
// @peculiar/x509 2.x resolves its algorithms through tsyringe, which needs a Reflect metadata
// polyfill loaded first. reflect-metadata is the one acme-client's own x509 1.x already pulls in,
// so bundles that hold both carry a single copy.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import {
  cryptoProvider,
  Name,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  type JsonAttributeAndObjectValue,
  type JsonGeneralName,
} from '@peculiar/x509';
import type { CertificateSpec, SubjectSpec } from './spec.js';
import { CertflowError } from '../errors.js';

cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);

/** Longest CN that RFC 5280's upper bound (ub-common-name) and Let's Encrypt accept. */
const MAX_COMMON_NAME = 64;

/** Attribute OIDs, in the order Go's `pkix.Name` (and so cert-manager) writes them. */
const SUBJECT_ORDER: ReadonlyArray<[oid: string, pick: (subject: SubjectSpec) => string[] | undefined]> = [
  ['2.5.4.6', (s) => s.countries],
  ['2.5.4.8', (s) => s.provinces],
  ['2.5.4.7', (s) => s.localities],
  ['2.5.4.9', (s) => s.streetAddresses],
  ['2.5.4.17', (s) => s.postalCodes],
  ['2.5.4.10', (s) => s.organizations],
  ['2.5.4.11', (s) => s.organizationalUnits],
];
const OID_COMMON_NAME = '2.5.4.3';
const OID_SERIAL_NUMBER = '2.5.4.5';

/** Each curve signs with the hash of matching strength, the pairing Go's x509 (so cert-manager) uses. */
const EC_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

type SigningAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams;

interface SigningKeys {
  keys: webcrypto.CryptoKeyPair;
  signingAlgorithm: SigningAlgorithm;
}

/**
 * A PEM `CERTIFICATE REQUEST` for `spec`, signed with `privateKeyPem` (PKCS#1, SEC1 or PKCS#8).
 *
 * The subject carries `spec.subject` and a CN: `spec.commonName`, else the first DNS name when it
 * fits in 64 characters, else none (ACME CAs take the names from the SAN extension). SANs hold
 * the DNS names, e-mail addresses, IP addresses and URIs as their proper GeneralName types.
 * Key usages are not requested: ACME CAs ignore them.
 *
 * @throws CertflowError when the key does not parse or is of a type certflow does not issue.
 */
export async function createCsr(spec: CertificateSpec, privateKeyPem: string): Promise<string> {
  const { keys, signingAlgorithm } = await importKeys(privateKeyPem);
  const rdns = subjectOf(spec);
  // Go's order (DNS, e-mail, IP, URI), so requests read like cert-manager's.
  const sans: JsonGeneralName[] = [
    ...spec.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...spec.emailAddresses.map((value) => ({ type: 'email' as const, value })),
    ...spec.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ...spec.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
  const extensions = sans.length > 0 ? [new SubjectAlternativeNameExtension(sans, rdns.length === 0)] : [];
  const csr = await Pkcs10CertificateRequestGenerator.create({
    ...(rdns.length > 0 ? { name: new Name(rdns) } : {}),
    extensions,
    keys,
    signingAlgorithm,
  });
  return `${csr.toString('pem').trimEnd()}\n`;
}

/** The subject as JSON RDNs, with explicit string types so values are never parsed as DN syntax. */
export function subjectOf(spec: CertificateSpec): JsonAttributeAndObjectValue[] {
  const subject = spec.subject ?? {};
  const firstDns = spec.dnsNames[0];
  const commonName = spec.commonName || (firstDns && firstDns.length <= MAX_COMMON_NAME ? firstDns : undefined);
  const attributes: Array<[string, string[] | undefined]> = [
    ...SUBJECT_ORDER.map(([oid, pick]): [string, string[] | undefined] => [oid, pick(subject)]),
    [OID_COMMON_NAME, commonName ? [commonName] : undefined],
    [OID_SERIAL_NUMBER, subject.serialNumber ? [subject.serialNumber] : undefined],
  ];
  // Like Go's pkix.Name, all values of one attribute share a single (multi-valued) RDN.
  return attributes
    .filter((entry): entry is [string, string[]] => (entry[1]?.length ?? 0) > 0)
    .map(([oid, values]) => ({ [oid]: values.map(typedString) }));
}

function typedString(value: string): { printableString: string } | { utf8String: string } {
  return Name.isPrintableString(value) ? { printableString: value } : { utf8String: value };
}

/** Imports the PEM key into WebCrypto and picks the signature algorithm cert-manager would use. */
export async function importKeys(privateKeyPem: string): Promise<SigningKeys> {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new CertflowError('csr: cannot parse private key', { cause: error });
  }
  const { importAlgorithm, signingAlgorithm } = algorithmsFor(key);
  const subtle = webcrypto.subtle;
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const privateKey = await subtle.importKey('pkcs8', pkcs8, importAlgorithm, false, ['sign']);
  // Extractable: the generator exports it as the request's SubjectPublicKeyInfo.
  const publicKey = await subtle.importKey('spki', spki, importAlgorithm, true, ['verify']);
  return { keys: { privateKey, publicKey }, signingAlgorithm };
}

function algorithmsFor(key: KeyObject): {
  importAlgorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
  signingAlgorithm: SigningAlgorithm;
} {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return {
        importAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' },
      };
    case 'ec': {
      const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (!curve)
        throw new CertflowError(`csr: unsupported EC curve ${key.asymmetricKeyDetails?.namedCurve ?? '(unknown)'}`);
      return {
        importAlgorithm: { name: 'ECDSA', namedCurve: curve.namedCurve },
        signingAlgorithm: { name: 'ECDSA', hash: curve.hash },
      };
    }
    case 'ed25519':
      return { importAlgorithm: { name: 'Ed25519' }, signingAlgorithm: { name: 'Ed25519' } };
    default:
      throw new CertflowError(`csr: unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}`);
  }
}
