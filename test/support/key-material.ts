/**
 * Proof that no private key leaks into logs, execution histories, events or API answers.
 *
 * The search looks for the PRIVATE part of each key, never for PEM headers or public bytes (a
 * certificate legitimately carries the public key, and a log line may say "PRIVATE KEY"): the
 * key's private JWK components (`d`, and for RSA `p`, `q`, `dp`, `dq`, `qi`) in base64url, base64 at
 * each of the three byte alignments they can take inside a longer DER, hex and OpenSSL's colon
 * hex, plus the middle of the PEM body. Haystacks are searched as they are, without whitespace
 * and JSON newline escapes (a PEM wrapped at 64 columns or quoted in JSON), and once more with
 * every long base64 run decoded (a PEM base64-encoded into a Kubernetes Secret or an event).
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileAccountKeyStore, FileCertificateStore } from '../../shared/adapters/local/file-certificate-store.js';
import type { CertificateStore } from '../../shared/ports/certificate-store.js';
import type { Harness } from '../../scripts/rigs/issuance-harness.js';

/** Private JWK members: `d` for every key type, the CRT parameters for RSA. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
/** 24 bytes (32 base64 characters) of a private component: far beyond chance, short enough to catch a truncated leak. */
const CHUNK_BYTES = 24;
/** The PEM body's first and last characters hold the algorithm header and, for EC keys, public bytes. */
const PEM_EDGE = 48;
/** Base64 runs at least this long are decoded and searched too. */
const MIN_BASE64_RUN = 64;

/** A private key and where it came from (a file, a store, an issuance), for failure messages. */
export interface KeyPem {
  source: string;
  pem: string;
}

/** One string that only a leak of the key can produce, and how it was derived. */
export interface KeyNeedle {
  form: string;
  value: string;
}

/** `value` cut into pieces of `size`, the last one flush with the end (so nothing is left out). */
function chunks(value: string, size: number, step = size): string[] {
  if (value.length <= size) return [value];
  const out: string[] = [];
  for (let i = 0; i + size < value.length; i += step) out.push(value.slice(i, i + size));
  out.push(value.slice(-size));
  return out;
}

/**
 * Base64 of `bytes` as it appears inside any longer base64 text: the bytes may start at any of
 * three offsets from a 3-byte group boundary, and only whole groups encode the same everywhere.
 */
function alignedBase64(bytes: Buffer, alphabet: 'base64' | 'base64url'): string[] {
  return [0, 1, 2].map((shift) => {
    const end = shift + Math.floor((bytes.length - shift) / 3) * 3;
    return bytes.subarray(shift, end).toString(alphabet);
  });
}

/** The body of a PEM block without header, footer or whitespace. */
function pemBody(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

/**
 * Every string that betrays the private part of `keyPem` (PKCS#8, PKCS#1 or SEC1; RSA, EC or
 * Ed25519). Each needle is derived from private bytes only, so finding one is never a false alarm.
 */
export function privateKeyNeedles(keyPem: string): KeyNeedle[] {
  const jwk = createPrivateKey(keyPem).export({ format: 'jwk' }) as JsonWebKey & Record<string, unknown>;
  const needles = new Map<string, string>();
  const add = (form: string, values: string[]) => {
    for (const value of values) if (!needles.has(value)) needles.set(value, form);
  };
  for (const member of PRIVATE_MEMBERS) {
    const encoded = jwk[member];
    if (typeof encoded !== 'string') continue;
    const bytes = Buffer.from(encoded, 'base64url');
    add(`${member} (JWK base64url)`, [encoded]);
    for (const alphabet of ['base64url', 'base64'] as const) {
      alignedBase64(bytes, alphabet).forEach((text, shift) =>
        add(`${member} (${alphabet}, shift ${shift})`, chunks(text, (CHUNK_BYTES / 3) * 4, (CHUNK_BYTES / 3) * 4)),
      );
    }
    const hex = bytes.toString('hex');
    add(`${member} (hex)`, chunks(hex, CHUNK_BYTES * 2));
    add(`${member} (HEX)`, chunks(hex.toUpperCase(), CHUNK_BYTES * 2));
    add(`${member} (colon hex)`, chunks(hex.replace(/(..)(?!$)/g, '$1:'), CHUNK_BYTES * 3 - 1, 3 * CHUNK_BYTES));
  }
  if (needles.size === 0) throw new Error(`key-material: the key has no private component to search for`);
  const body = pemBody(keyPem);
  if (body.length > 2 * PEM_EDGE) add('PEM body (middle)', [body.slice(PEM_EDGE, -PEM_EDGE)]);
  return [...needles].map(([value, form]) => ({ form, value }));
}

/** The text as a leak may be spelled: no whitespace, no JSON or URL escapes of newline, `/`, `+`, `=`. */
function normalize(text: string): string {
  return text
    .replace(/\\+[nrt]|\s+/g, '')
    .replace(/\\+\//g, '/')
    .replace(/%2[bB]/g, '+')
    .replace(/%2[fF]/g, '/')
    .replace(/%3[dD]/g, '=');
}

/** Every long base64 run in `text`, decoded: a PEM or a JWK may travel base64-encoded. */
function decodedRuns(text: string): string {
  const runs = text.match(new RegExp(`[A-Za-z0-9+/_-]{${MIN_BASE64_RUN},}={0,2}`, 'g')) ?? [];
  return runs
    .map((run) => Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1'))
    .join('\n');
}

/** A short, non-secret name for a key: its type and the start of its public key's SHA-256. */
function describeKey(pem: string): string {
  const key = createPrivateKey(pem);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const detail = key.asymmetricKeyDetails;
  const size = detail?.namedCurve ?? (detail?.modulusLength ? `${detail.modulusLength} bits` : '');
  return `${key.asymmetricKeyType}${size ? ` ${size}` : ''}, spki sha256 ${createHash('sha256').update(spki).digest('hex').slice(0, 16)}`;
}

/** Where a key was found: in which haystack, as which form. Carries no key material. */
export interface KeyFinding {
  key: string;
  haystack: string;
  form: string;
}

/** Finds the private part of any of `keys` in any of `haystacks` (named, or numbered if an array). */
export function findKeyMaterial(
  haystacks: string[] | Record<string, string>,
  keys: readonly (string | KeyPem)[],
): KeyFinding[] {
  const named = Array.isArray(haystacks)
    ? haystacks.map((text, i) => [`haystack ${i}`, text] as const)
    : Object.entries(haystacks);
  const texts = named.flatMap(([name, text]) => {
    const plain = normalize(text);
    const decoded = normalize(decodedRuns(text));
    return decoded
      ? [[name, plain] as const, [`${name} (base64-decoded)`, decoded] as const]
      : [[name, plain] as const];
  });
  const findings: KeyFinding[] = [];
  keys.forEach((entry, index) => {
    const { source, pem } = typeof entry === 'string' ? { source: `key ${index}`, pem: entry } : entry;
    const needles = privateKeyNeedles(pem);
    for (const [haystack, text] of texts) {
      const hit = needles.find((needle) => text.includes(needle.value));
      if (hit) findings.push({ key: `${source} (${describeKey(pem)})`, haystack, form: hit.form });
    }
  });
  return findings;
}

/**
 * Fails, naming the key, the haystack and the form (never the key itself), if the private part of
 * any key shows up in any haystack. With no key to look for, it fails too: that would prove nothing.
 */
export function assertNoKeyMaterial(
  haystacks: string[] | Record<string, string>,
  keys: readonly (string | KeyPem)[],
): void {
  assert.ok(keys.length > 0, 'key-material: no private key to search for');
  const findings = findKeyMaterial(haystacks, keys);
  assert.deepEqual(
    findings.map((f) => `${f.key} found in ${f.haystack} as ${f.form}`),
    [],
    'no private key material may appear',
  );
}

async function names(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => pattern.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Every private key a local state directory holds (the harness's, or `npm run local --dir`'s):
 * each certificate's current and previous versions, pending keys of unfinished issuances, and the
 * ACME account keys.
 */
export async function storedKeyPems(dir: string): Promise<KeyPem[]> {
  const store = new FileCertificateStore({ dir });
  const accounts = new FileAccountKeyStore({ dir });
  const keys: KeyPem[] = [];
  for (const name of await names(join(dir, 'certificates'), /^[^.]/)) {
    for (const version of await store.listVersions(name)) {
      const stored = await store.readVersion(name, version);
      if (stored) keys.push({ source: `certificate ${name} version ${version}`, pem: stored['tls.key'] });
    }
  }
  for (const name of await names(join(dir, 'pending'), /^[^.]/)) {
    for (const file of await names(join(dir, 'pending', name), /\.key$/)) {
      const issuanceId = file.replace(/\.key$/, '');
      const pem = await store.readPendingKey(name, issuanceId);
      if (pem) keys.push({ source: `pending key of ${name} (${issuanceId})`, pem });
    }
  }
  for (const file of await names(join(dir, 'acme-accounts'), /^[^.].*\.json$/)) {
    const issuer = file.replace(/\.json$/, '');
    const account = await accounts.get(issuer);
    if (account) keys.push({ source: `ACME account key of ${issuer}`, pem: account.keyPem });
  }
  return keys;
}

/** The keys a harness run left in its state directory. */
export function harnessKeyPems(h: Pick<Harness, 'dir'>): Promise<KeyPem[]> {
  return storedKeyPems(h.dir);
}

/** Where a harness run could have leaked a key: its logs, execution histories, events and inventory. */
export async function harnessHaystacks(
  h: Pick<Harness, 'logs' | 'executions' | 'deps'>,
): Promise<Record<string, string>> {
  const records = [];
  let nextToken: string | undefined;
  do {
    const page = await h.deps.inventory.list(nextToken ? { nextToken } : {});
    records.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return {
    logs: h.logs(),
    'execution histories': JSON.stringify(h.executions),
    events: JSON.stringify(h.deps.events.published),
    inventory: JSON.stringify(records),
  };
}

/**
 * Wraps `store` so that every pending key written through it is remembered: Cleanup deletes them,
 * so the keys of failed issuances are otherwise gone by the time a suite checks for leaks.
 */
export function recordingPendingKeys<T extends CertificateStore>(store: T): { store: T; keys: KeyPem[] } {
  const keys: KeyPem[] = [];
  const recording = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'putPendingKey') {
        return async (name: string, issuanceId: string, keyPem: string) => {
          keys.push({ source: `pending key of ${name} (${issuanceId})`, pem: keyPem });
          return target.putPendingKey(name, issuanceId, keyPem);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: recording, keys };
}
