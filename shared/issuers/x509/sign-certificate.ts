/**
 * Local signing, for cert-manager's `selfSigned` and `ca` issuers: the certificate is built from
 * the spec the way cert-manager's `pki.CertificateTemplateFromCertificate` does, then signed with
 * the certificate's own key or with a CA's key.
 */
// @peculiar/x509 2.x needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  type Extension,
  type JsonGeneralName,
} from '@peculiar/x509';
import { importKeys, subjectOf } from '../../domain/csr.js';
import { keyMatchesCertificate, leafAndChain } from '../../domain/certificate-info.js';
import { parseDuration } from '../../domain/duration.js';
import type { CertificateSpec, KeyUsage } from '../../domain/spec.js';
import { ValidationError, messageOf } from '../../errors.js';

/** The key and certificate of a `ca` issuer, as PEM. */
export interface CaSigner {
  certificatePem: string;
  keyPem: string;
}

/** What to sign, and with what. */
export interface SignCertificateInput {
  spec: CertificateSpec;
  /** The certificate's private key (PKCS#1, SEC1 or PKCS#8 PEM). */
  keyPem: string;
  /** `'self'` signs with `keyPem`; a CA signs with its key and becomes the issuer. */
  signer: 'self' | CaSigner;
  now: Date;
  /** Hexadecimal; random when absent. */
  serialNumber?: string;
}

/** A signed certificate and its validity, as ISO 8601 at the second precision the certificate holds. */
export interface SignedCertificate {
  certificatePem: string;
  notBefore: string;
  notAfter: string;
}

const ISSUER_FIELD = 'issuerRef.name';

/** cert-manager's key usage names and the KeyUsage bits Go's x509 maps them to. */
const KEY_USAGE_BITS: Partial<Record<KeyUsage, KeyUsageFlags>> = {
  signing: KeyUsageFlags.digitalSignature,
  'digital signature': KeyUsageFlags.digitalSignature,
  'content commitment': KeyUsageFlags.nonRepudiation,
  'key encipherment': KeyUsageFlags.keyEncipherment,
  'key agreement': KeyUsageFlags.keyAgreement,
  'data encipherment': KeyUsageFlags.dataEncipherment,
  'cert sign': KeyUsageFlags.keyCertSign,
  'crl sign': KeyUsageFlags.cRLSign,
  'encipher only': KeyUsageFlags.encipherOnly,
  'decipher only': KeyUsageFlags.decipherOnly,
};

/** cert-manager's extended key usage names and their OIDs (`s/mime` is e-mail protection there too). */
const EXTENDED_KEY_USAGE_OIDS: Partial<Record<KeyUsage, string>> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/** A CA must be able to sign certificates and CRLs whatever usages the spec lists. */
const CA_KEY_USAGES = KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature;

/** What the certificate takes from its issuer. */
interface Issuer {
  name: Name | undefined;
  keys: Awaited<ReturnType<typeof importKeys>>;
  /** Hex key identifier for the AuthorityKeyIdentifier. */
  keyId: string;
  /** Validity never outlasts a CA's own. */
  notAfter: Date | undefined;
}

/**
 * Signs a certificate for `spec` with the public key of `keyPem`, as cert-manager's `selfSigned`
 * (`signer: 'self'`) or `ca` issuer would.
 *
 * The subject holds `spec.subject` and `spec.commonName` (no CN is made up from the DNS names);
 * when it is empty the SAN extension is critical. Validity runs from `now` for `spec.duration`,
 * cut short at a CA's own expiry. Key usages follow `spec.usages`, with cert sign, CRL sign and
 * digital signature added for a CA.
 *
 * @throws ValidationError (`issuerRef.name`) when the CA certificate is not a CA, has expired,
 * does not parse or does not belong to the CA key; (`duration`) when the duration does not parse.
 * @throws CertflowError when `keyPem` does not parse or is of a type certflow does not issue.
 */
export async function signCertificate(input: SignCertificateInput): Promise<SignedCertificate> {
  const { spec, now } = input;
  // X.509 times hold whole seconds; truncating first keeps notAfter - notBefore = duration.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  let notAfter = new Date(notBefore.getTime() + durationOf(spec));

  const subjectKeys = await importKeys(input.keyPem);
  // The CSR builder falls back to the first DNS name for the CN, which cert-manager only does
  // for ACME; hiding the DNS names from it keeps the subject to what the spec says.
  const rdns = subjectOf({ ...spec, dnsNames: [] });
  const subject = rdns.length > 0 ? new Name(rdns) : undefined;
  const subjectKeyId = await SubjectKeyIdentifierExtension.create(subjectKeys.keys.publicKey);

  const issuer: Issuer =
    input.signer === 'self'
      ? { name: subject, keys: subjectKeys, keyId: subjectKeyId.keyId, notAfter: undefined }
      : await caIssuer(input.signer, now);
  if (issuer.notAfter && issuer.notAfter < notAfter) notAfter = issuer.notAfter;

  const certificate = await X509CertificateGenerator.create({
    serialNumber: input.serialNumber ?? randomSerialNumber(),
    ...(subject ? { subject } : {}),
    ...(issuer.name ? { issuer: issuer.name } : {}),
    notBefore,
    notAfter,
    publicKey: subjectKeys.keys.publicKey,
    signingKey: issuer.keys.keys.privateKey,
    signingAlgorithm: issuer.keys.signingAlgorithm,
    extensions: extensionsFor(spec, subject === undefined, subjectKeyId, issuer.keyId),
  });
  return {
    certificatePem: `${certificate.toString('pem').trimEnd()}\n`,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
  };
}

function durationOf(spec: CertificateSpec): number {
  let ms: number;
  try {
    ms = parseDuration(spec.duration);
  } catch (error) {
    throw new ValidationError('duration', messageOf(error));
  }
  if (ms <= 0) throw new ValidationError('duration', `must be positive, not ${JSON.stringify(spec.duration)}`);
  return ms;
}

/** Checks the CA the way cert-manager's `ca` issuer does before it signs anything. */
async function caIssuer(signer: CaSigner, now: Date): Promise<Issuer> {
  let certificate: X509Certificate;
  let matches: boolean;
  try {
    // A CA secret's tls.crt may carry the CA's own chain after it; the CA is the first block.
    const { leaf } = leafAndChain(signer.certificatePem);
    certificate = new X509Certificate(leaf);
    matches = keyMatchesCertificate(signer.keyPem, leaf);
  } catch (error) {
    throw new ValidationError(ISSUER_FIELD, `cannot read the ca issuer's key pair: ${messageOf(error)}`);
  }
  if (!certificate.getExtension(BasicConstraintsExtension)?.ca) {
    throw new ValidationError(ISSUER_FIELD, "the ca issuer's certificate is not a CA (isCA: false)");
  }
  if (!matches) {
    throw new ValidationError(ISSUER_FIELD, "the ca issuer's private key does not match its certificate");
  }
  if (certificate.notAfter <= now) {
    throw new ValidationError(
      ISSUER_FIELD,
      `the ca issuer's certificate expired at ${certificate.notAfter.toISOString()}`,
    );
  }
  let keys: Issuer['keys'];
  try {
    keys = await importKeys(signer.keyPem);
  } catch (error) {
    throw new ValidationError(ISSUER_FIELD, `cannot use the ca issuer's key: ${messageOf(error)}`);
  }
  // Chain builders match AKI to the issuer's SKI byte for byte, so reuse the CA's own when it has one.
  const keyId =
    certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId ??
    (await SubjectKeyIdentifierExtension.create(certificate.publicKey)).keyId;
  return { name: certificate.subjectName, keys, keyId, notAfter: certificate.notAfter };
}

/** Extensions in the order Go's x509 writes them, so certificates read like cert-manager's. */
function extensionsFor(
  spec: CertificateSpec,
  emptySubject: boolean,
  subjectKeyId: SubjectKeyIdentifierExtension,
  authorityKeyId: string,
): Extension[] {
  const extensions: Extension[] = [];
  let keyUsage = 0;
  for (const usage of spec.usages) keyUsage |= KEY_USAGE_BITS[usage] ?? 0;
  if (spec.isCA) keyUsage |= CA_KEY_USAGES;
  if (keyUsage !== 0) extensions.push(new KeyUsagesExtension(keyUsage, true));

  const extendedUsages = [...new Set(spec.usages.flatMap((usage) => EXTENDED_KEY_USAGE_OIDS[usage] ?? []))];
  if (extendedUsages.length > 0) extensions.push(new ExtendedKeyUsageExtension(extendedUsages, false));

  extensions.push(new BasicConstraintsExtension(spec.isCA, undefined, true));
  extensions.push(subjectKeyId);
  extensions.push(new AuthorityKeyIdentifierExtension(authorityKeyId, false));

  // Go's order (DNS, e-mail, IP, URI), as in the CSR.
  const sans: JsonGeneralName[] = [
    ...spec.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...spec.emailAddresses.map((value) => ({ type: 'email' as const, value })),
    ...spec.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ...spec.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
  if (sans.length > 0) extensions.push(new SubjectAlternativeNameExtension(sans, emptySubject));
  return extensions;
}

/**
 * 128 random bits with the top one cleared, so the DER INTEGER is positive without a padding
 * byte, as RFC 5280 §4.1.2.2 requires (at most 20 octets, positive).
 */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
