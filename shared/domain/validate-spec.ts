/**
 * Validation of a user's certificate spec. Runs on untrusted JSON at the API edge, so it checks
 * every type itself, copies only the fields it knows into a fresh object, and reports the first
 * problem as a `ValidationError` whose `field` is the JSON path of the offending value.
 */
import { ValidationError } from '../errors.js';
import { parseDuration } from './duration.js';
import {
  canonicalEmail,
  canonicalIp,
  isValidDnsLabel,
  isValidDnsName,
  numericTopLevelLabel,
  isValidEmailAddress,
  isValidIpAddress,
  isValidKubernetesName,
  isValidLabelKey,
  isValidLabelValue,
  isValidUri,
  labelKeyPrefix,
} from './names.js';
import {
  ALLOWED_KEY_SIZES,
  DEFAULT_DURATION,
  DEFAULT_KEY_SIZES,
  DEFAULT_PRIVATE_KEY,
  KEY_USAGES,
  MAX_SANS,
  type AdditionalOutputFormat,
  type CertificateSpec,
  type DeliveryTarget,
  type KeyAlgorithm,
  type KeyUsage,
  type PrivateKeySpec,
  type SecretTemplate,
  type SubjectSpec,
} from './spec.js';

/** cert-manager's minimum is 1h; 5m lets short-lived test certificates through. */
export const MIN_DURATION_MS = 5 * 60_000;
/** 100 years of 365 days. */
export const MAX_DURATION_MS = 100 * 365 * 24 * 3_600_000;
/** Longest string accepted anywhere in a spec; nothing legitimate comes close. */
export const MAX_STRING_LENGTH = 4096;
/** cert-manager's default when `usages` is absent. */
export const DEFAULT_USAGES: readonly KeyUsage[] = ['digital signature', 'key encipherment'];

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const NAME_RULE = 'must be 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit';
const CLUSTER = /^[A-Za-z0-9_-]{1,100}$/;
// C0 and C1 controls, DEL included: they have no business in names and break logs and headers.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Bidirectional overrides and isolates can make a name read as another (CVE-2021-42574).
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const RESERVED_DOMAINS = ['cert-manager.io', 'certflow.io'];

const SPEC_FIELDS = [
  'name',
  'issuerRef',
  'dnsNames',
  'ipAddresses',
  'uris',
  'emailAddresses',
  'commonName',
  'subject',
  'duration',
  'renewBefore',
  'renewBeforePercentage',
  'privateKey',
  'usages',
  'isCA',
  'secretTemplate',
  'targets',
  'additionalOutputFormats',
] as const;
const SUBJECT_ARRAYS = [
  'organizations',
  'countries',
  'organizationalUnits',
  'localities',
  'provinces',
  'streetAddresses',
  'postalCodes',
] as const;

type Obj = Record<string, unknown>;

/**
 * Validates a user's certificate spec and returns it with every default applied.
 *
 * The result is a fresh object holding exactly the `CertificateSpec` fields (optional ones
 * omitted when absent), so it survives a `JSON.stringify` round trip. A `null` field counts as
 * absent, as in Kubernetes. Throws a `ValidationError` for the first problem found.
 */
export function validateSpec(input: unknown): CertificateSpec {
  const spec = object(input, 'spec');
  checkKeys(spec, SPEC_FIELDS, 'spec');

  const name = requiredName(get(spec, 'name'), 'name');
  const issuerObj = object(required(get(spec, 'issuerRef'), 'issuerRef'), 'issuerRef');
  checkKeys(issuerObj, ['name'], 'issuerRef');
  const issuerRef = { name: requiredName(get(issuerObj, 'name'), 'issuerRef.name') };

  const dnsNames = stringArray(get(spec, 'dnsNames'), 'dnsNames').map((dnsName, i) => {
    if (isValidIpAddress(dnsName)) fail(`dnsNames[${i}]`, `${quote(dnsName)} is an IP address: put it in ipAddresses`);
    if (!isValidDnsName(dnsName, { allowWildcard: true }))
      fail(`dnsNames[${i}]`, `${quote(dnsName)} is not a valid DNS name`);
    const numeric = numericTopLevelLabel(dnsName);
    if (numeric !== undefined)
      fail(
        `dnsNames[${i}]`,
        `${quote(dnsName)} ends in an all-numeric label (${quote(numeric)}), which no CA issues for`,
      );
    return dnsName.toLowerCase();
  });
  noDuplicates(dnsNames, 'dnsNames');
  const ipAddresses = stringArray(get(spec, 'ipAddresses'), 'ipAddresses');
  ipAddresses.forEach((ip, i) => {
    if (!isValidIpAddress(ip)) fail(`ipAddresses[${i}]`, `${quote(ip)} is not a valid IP address`);
  });
  noDuplicates(ipAddresses.map(canonicalIp), 'ipAddresses');
  const uris = stringArray(get(spec, 'uris'), 'uris');
  uris.forEach((uri, i) => {
    if (!isValidUri(uri)) fail(`uris[${i}]`, `${quote(uri)} is not an absolute URI`);
  });
  noDuplicates(uris, 'uris');
  const emailAddresses = stringArray(get(spec, 'emailAddresses'), 'emailAddresses');
  emailAddresses.forEach((email, i) => {
    if (!isValidEmailAddress(email)) fail(`emailAddresses[${i}]`, `${quote(email)} is not a valid email address`);
  });
  noDuplicates(emailAddresses.map(canonicalEmail), 'emailAddresses');

  const commonNameValue = get(spec, 'commonName');
  let commonName: string | undefined;
  if (commonNameValue !== undefined) {
    commonName = string(commonNameValue, 'commonName');
    if (commonName.length < 1 || commonName.length > 64) fail('commonName', 'must be 1–64 characters');
  }
  const sanCount = dnsNames.length + ipAddresses.length + uris.length + emailAddresses.length;
  if (sanCount === 0 && commonName === undefined) {
    fail('dnsNames', 'at least one of dnsNames, ipAddresses, uris, emailAddresses or commonName is required');
  }
  if (sanCount > MAX_SANS)
    fail(
      'dnsNames',
      `at most ${MAX_SANS} names in total (dnsNames, ipAddresses, uris, emailAddresses); got ${sanCount}`,
    );

  const subject = optional(get(spec, 'subject'), validateSubject);

  const duration = optional(get(spec, 'duration'), (v) => string(v, 'duration')) ?? DEFAULT_DURATION;
  const durationMs = durationOf(duration, 'duration');
  if (durationMs < MIN_DURATION_MS) fail('duration', `must be at least 5m; got ${quote(duration)}`);
  if (durationMs > MAX_DURATION_MS) fail('duration', `must be at most 100 years (876000h); got ${quote(duration)}`);
  const renewBeforeValue = get(spec, 'renewBefore');
  const percentageValue = get(spec, 'renewBeforePercentage');
  if (renewBeforeValue !== undefined && percentageValue !== undefined) {
    fail('renewBeforePercentage', 'cannot be set together with renewBefore');
  }
  const renewBefore = optional(renewBeforeValue, (v) => {
    const text = string(v, 'renewBefore');
    const ms = durationOf(text, 'renewBefore');
    if (ms <= 0) fail('renewBefore', 'must be greater than 0');
    if (ms >= durationMs) fail('renewBefore', `must be shorter than duration (${duration})`);
    return text;
  });
  const renewBeforePercentage = optional(percentageValue, (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) fail('renewBeforePercentage', 'must be an integer');
    if (v < 1 || v > 99) fail('renewBeforePercentage', 'must be between 1 and 99');
    return v;
  });

  const privateKey = validatePrivateKey(get(spec, 'privateKey'));
  const usages = stringArray(get(spec, 'usages'), 'usages').map((usage, i) => {
    if (!(KEY_USAGES as readonly string[]).includes(usage))
      fail(`usages[${i}]`, `${quote(usage)} is not a known key usage`);
    return usage as KeyUsage;
  });
  noDuplicates(usages, 'usages');
  const isCA =
    optional(get(spec, 'isCA'), (v) => (typeof v === 'boolean' ? v : fail('isCA', 'must be a boolean'))) ?? false;
  const secretTemplate = optional(get(spec, 'secretTemplate'), validateSecretTemplate);
  const targets = array(get(spec, 'targets'), 'targets', 'an array of objects').map(validateTarget);
  noDuplicates(
    targets.map((t) => JSON.stringify([t.cluster, t.namespace, t.secretName])),
    'targets',
  );
  const additionalOutputFormats = array(
    get(spec, 'additionalOutputFormats'),
    'additionalOutputFormats',
    'an array of objects',
  ).map((value, i): AdditionalOutputFormat => {
    const field = `additionalOutputFormats[${i}]`;
    const format = object(value, field);
    checkKeys(format, ['type'], field);
    return {
      type: oneOf(required(get(format, 'type'), `${field}.type`), ['CombinedPEM', 'DER'] as const, `${field}.type`),
    };
  });
  noDuplicates(
    additionalOutputFormats.map((f) => f.type),
    'additionalOutputFormats',
  );

  // Built in CertificateSpec's field order so that stored JSON reads the same way every time.
  return {
    name,
    issuerRef,
    dnsNames,
    ipAddresses,
    uris,
    emailAddresses,
    ...(commonName !== undefined && { commonName }),
    ...(subject !== undefined && { subject }),
    duration,
    ...(renewBefore !== undefined && { renewBefore }),
    ...(renewBeforePercentage !== undefined && { renewBeforePercentage }),
    privateKey,
    // An empty list means "the default", as in cert-manager, rather than a key that can do nothing.
    usages: usages.length > 0 ? usages : [...DEFAULT_USAGES],
    isCA,
    ...(secretTemplate !== undefined && { secretTemplate }),
    targets,
    additionalOutputFormats,
  };
}

/**
 * Whether two validated specs are the same, i.e. whether re-applying `b` over `a` changes
 * anything. Arrays compare in order; object keys in any order.
 */
export function specsEqual(a: CertificateSpec, b: CertificateSpec): boolean {
  return deepEqual(a, b);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const aObj = a as Obj;
  const bObj = b as Obj;
  const keys = Object.keys(aObj).filter((k) => aObj[k] !== undefined);
  const bKeys = Object.keys(bObj).filter((k) => bObj[k] !== undefined);
  return keys.length === bKeys.length && keys.every((k) => Object.hasOwn(bObj, k) && deepEqual(aObj[k], bObj[k]));
}

function validateSubject(value: unknown): SubjectSpec {
  const subject = object(value, 'subject');
  checkKeys(subject, [...SUBJECT_ARRAYS, 'serialNumber'], 'subject');
  const out: SubjectSpec = {};
  for (const key of SUBJECT_ARRAYS) {
    const list = get(subject, key);
    if (list !== undefined) out[key] = stringArray(list, `subject.${key}`);
  }
  const serialNumber = get(subject, 'serialNumber');
  if (serialNumber !== undefined) out.serialNumber = string(serialNumber, 'subject.serialNumber');
  return out;
}

function validatePrivateKey(value: unknown): PrivateKeySpec {
  if (value === undefined) return { ...DEFAULT_PRIVATE_KEY };
  const key = object(value, 'privateKey');
  checkKeys(key, ['algorithm', 'size', 'encoding', 'rotationPolicy'], 'privateKey');
  const algorithm: KeyAlgorithm =
    optional(get(key, 'algorithm'), (v) => oneOf(v, ['RSA', 'ECDSA', 'Ed25519'] as const, 'privateKey.algorithm')) ??
    DEFAULT_PRIVATE_KEY.algorithm;
  const size =
    optional(get(key, 'size'), (v) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) fail('privateKey.size', 'must be an integer');
      if (!ALLOWED_KEY_SIZES[algorithm].includes(v)) {
        fail(
          'privateKey.size',
          algorithm === 'Ed25519'
            ? 'must be absent or 0 for Ed25519'
            : `must be one of ${ALLOWED_KEY_SIZES[algorithm].join(', ')} for ${algorithm}`,
        );
      }
      return v;
    }) ?? DEFAULT_KEY_SIZES[algorithm];
  const encoding =
    optional(get(key, 'encoding'), (v) => oneOf(v, ['PKCS1', 'PKCS8'] as const, 'privateKey.encoding')) ??
    (algorithm === 'Ed25519' ? 'PKCS8' : DEFAULT_PRIVATE_KEY.encoding);
  // PKCS#1 is RSA's own format; Ed25519 keys only have a PKCS#8 encoding.
  if (algorithm === 'Ed25519' && encoding !== 'PKCS8') fail('privateKey.encoding', 'must be PKCS8 for Ed25519');
  const rotationPolicy =
    optional(get(key, 'rotationPolicy'), (v) => oneOf(v, ['Always', 'Never'] as const, 'privateKey.rotationPolicy')) ??
    DEFAULT_PRIVATE_KEY.rotationPolicy;
  return { algorithm, size, encoding, rotationPolicy };
}

function validateSecretTemplate(value: unknown): SecretTemplate {
  const template = object(value, 'secretTemplate');
  checkKeys(template, ['labels', 'annotations'], 'secretTemplate');
  const out: SecretTemplate = {};
  for (const kind of ['labels', 'annotations'] as const) {
    const mapValue = get(template, kind);
    if (mapValue === undefined) continue;
    const map = object(mapValue, `secretTemplate.${kind}`);
    const result: Record<string, string> = {};
    for (const key of Object.keys(map)) {
      const field = `secretTemplate.${kind}[${quote(key)}]`;
      if (!isValidLabelKey(key))
        fail(field, `${quote(key)} is not a valid ${kind === 'labels' ? 'label' : 'annotation'} key`);
      const prefix = labelKeyPrefix(key);
      if (RESERVED_DOMAINS.some((domain) => prefix === domain || prefix.endsWith(`.${domain}`))) {
        fail(field, `keys under ${prefix}/ are reserved`);
      }
      const text = string(map[key], field);
      if (kind === 'labels' && !isValidLabelValue(text)) {
        fail(
          field,
          `${quote(text)} is not a valid label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)`,
        );
      }
      // defineProperty, not assignment: a key such as "constructor" must stay plain data.
      Object.defineProperty(result, key, { value: text, enumerable: true, writable: true, configurable: true });
    }
    out[kind] = result;
  }
  return out;
}

function validateTarget(value: unknown, i: number): DeliveryTarget {
  const field = `targets[${i}]`;
  const target = object(value, field);
  checkKeys(target, ['cluster', 'namespace', 'secretName'], field);
  const cluster = string(required(get(target, 'cluster'), `${field}.cluster`), `${field}.cluster`);
  if (!CLUSTER.test(cluster)) fail(`${field}.cluster`, 'must be 1–100 letters, digits, "-" or "_"');
  const namespace = string(required(get(target, 'namespace'), `${field}.namespace`), `${field}.namespace`);
  if (!isValidDnsLabel(namespace))
    fail(`${field}.namespace`, `${quote(namespace)} is not a valid namespace (DNS-1123 label)`);
  const secretName = string(required(get(target, 'secretName'), `${field}.secretName`), `${field}.secretName`);
  if (!isValidKubernetesName(secretName))
    fail(`${field}.secretName`, `${quote(secretName)} is not a valid secret name (DNS-1123 subdomain)`);
  return { cluster, namespace, secretName };
}

function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
}

/** Quotes a user's value for a message, cut short so that a huge value cannot flood logs. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function object(value: unknown, field: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
  const proto = Object.getPrototypeOf(value) as unknown;
  // Class instances and objects with a swapped prototype are not JSON; refuse them outright.
  if (proto !== Object.prototype && proto !== null) fail(field, 'must be a plain object');
  return value as Obj;
}

function checkKeys(obj: Obj, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(field, `unknown field ${quote(key)}`);
  }
}

/** Own properties only, so that `constructor` and friends are never read from the prototype. */
function get(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj[key] ?? undefined) : undefined;
}

function required(value: unknown, field: string): unknown {
  if (value === undefined) fail(field, 'is required');
  return value;
}

function optional<T>(value: unknown, check: (value: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, 'must be a string');
  if (value.length > MAX_STRING_LENGTH) fail(field, `must be at most ${MAX_STRING_LENGTH} characters`);
  if (CONTROL.test(value)) fail(field, 'must not contain control characters');
  if (BIDI.test(value)) fail(field, 'must not contain bidirectional control characters');
  if (LONE_SURROGATE.test(value)) fail(field, 'must be well-formed Unicode (no lone surrogates)');
  return value;
}

function requiredName(value: unknown, field: string): string {
  const name = string(required(value, field), field);
  if (!NAME.test(name)) fail(field, `${quote(name)} ${NAME_RULE}`);
  return name;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  const text = string(value, field);
  if (!(allowed as readonly string[]).includes(text))
    fail(field, `must be one of ${allowed.join(', ')}; got ${quote(text)}`);
  return text as T;
}

function array(value: unknown, field: string, expected: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(field, `must be ${expected}`);
  // Array.from turns holes of a sparse array into undefined, which the element checks reject.
  return Array.from(value as unknown[]);
}

function stringArray(value: unknown, field: string): string[] {
  return array(value, field, 'an array of strings').map((element, i) => string(element, `${field}[${i}]`));
}

function noDuplicates(keys: readonly string[], field: string): void {
  const seen = new Map<string, number>();
  keys.forEach((key, i) => {
    const first = seen.get(key);
    if (first !== undefined) fail(`${field}[${i}]`, `duplicate of ${field}[${first}]`);
    seen.set(key, i);
  });
}

function durationOf(text: string, field: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    return fail(field, error instanceof Error ? error.message : String(error));
  }
}
