/**
 * The certificate spec, with cert-manager's field names so that its users feel at home.
 * `CertificateSpecInput` is what a user sends; `CertificateSpec` is the validated form with
 * defaults applied (see `validateSpec` in ./validate-spec.ts).
 */

export type KeyAlgorithm = 'RSA' | 'ECDSA' | 'Ed25519';
export type KeyEncoding = 'PKCS1' | 'PKCS8';
export type RotationPolicy = 'Always' | 'Never';

export interface PrivateKeySpec {
  algorithm: KeyAlgorithm;
  /** RSA: 2048 | 3072 | 4096; ECDSA: 256 | 384 | 521; Ed25519: ignored (0). */
  size: number;
  encoding: KeyEncoding;
  rotationPolicy: RotationPolicy;
}

export interface SubjectSpec {
  organizations?: string[];
  countries?: string[];
  organizationalUnits?: string[];
  localities?: string[];
  provinces?: string[];
  streetAddresses?: string[];
  postalCodes?: string[];
  serialNumber?: string;
}

export interface SecretTemplate {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Where the sync Lambda delivers the certificate (EKS delivery issue). */
export interface DeliveryTarget {
  cluster: string;
  namespace: string;
  secretName: string;
}

export interface AdditionalOutputFormat {
  type: 'CombinedPEM' | 'DER';
}

/** cert-manager's key usages. */
export const KEY_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

/** A validated spec with every default filled in. */
export interface CertificateSpec {
  name: string;
  issuerRef: { name: string };
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
  commonName?: string;
  subject?: SubjectSpec;
  /** Go duration string as given, e.g. `2160h`. */
  duration: string;
  renewBefore?: string;
  renewBeforePercentage?: number;
  privateKey: PrivateKeySpec;
  usages: KeyUsage[];
  isCA: boolean;
  secretTemplate?: SecretTemplate;
  targets: DeliveryTarget[];
  additionalOutputFormats: AdditionalOutputFormat[];
}

/** What a user may send: the same fields, most of them optional. */
export type CertificateSpecInput = Partial<Omit<CertificateSpec, 'privateKey'>> & {
  privateKey?: Partial<PrivateKeySpec>;
};

export const DEFAULT_DURATION = '2160h';
export const DEFAULT_PRIVATE_KEY: PrivateKeySpec = {
  algorithm: 'ECDSA',
  size: 256,
  encoding: 'PKCS1',
  rotationPolicy: 'Always',
};
export const DEFAULT_KEY_SIZES: Record<KeyAlgorithm, number> = { RSA: 2048, ECDSA: 256, Ed25519: 0 };
export const ALLOWED_KEY_SIZES: Record<KeyAlgorithm, number[]> = {
  RSA: [2048, 3072, 4096],
  ECDSA: [256, 384, 521],
  Ed25519: [0],
};
/** Let's Encrypt accepts at most 100 names per certificate. */
export const MAX_SANS = 100;

/** `cluster/namespace/secretName`: how logs, messages and the Synced condition name a target. */
export function targetName(target: DeliveryTarget): string {
  return `${target.cluster}/${target.namespace}/${target.secretName}`;
}
