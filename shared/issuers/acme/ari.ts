/**
 * ACME Renewal Information (ARI, RFC 9773): the CA's suggested renewal window for a certificate.
 *
 * The certificate identifier is read with a small DER walk over `node:crypto`'s parse rather than
 * @peculiar/x509: this module sits in every ACME Lambda through the gateway, the walk is a few
 * lines, and RFC 9773 wants the serial's encoded bytes exactly as written (x509 normalises them).
 */
import { X509Certificate } from 'node:crypto';
import { leafAndChain } from '../../domain/certificate-info.js';
import { AcmeError, RateLimitedError, TransientError } from '../../errors.js';
import { parseRetryAfter } from './retry-after.js';
import { type Tlv, children, readTlv } from '../../domain/der.js';

/** One plain HTTP answer; `body` is text, bytes, or JSON already parsed by the caller's client. */
export interface HttpAnswer {
  status: number;
  /** Lower-case names, as Node and axios give them. */
  headers: Record<string, unknown>;
  body: unknown;
}

/** An unauthenticated GET; transport failures should be thrown as `TransientError`. */
export type HttpGet = (url: string) => Promise<HttpAnswer>;

/** A CA's RenewalInfo object (RFC 9773 §4.2), with its Retry-After. */
export interface RenewalInfo {
  windowStart: Date;
  windowEnd: Date;
  explanationUrl?: string;
  /** When to ask again, in seconds (Retry-After); absent when the CA sent none. */
  retryAfterSeconds?: number;
}

const OID_AUTHORITY_KEY_IDENTIFIER = Buffer.from([0x55, 0x1d, 0x23]); // 2.5.29.35
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_EXTENSIONS = 0xa3; // tbsCertificate [3] EXPLICIT Extensions
const TAG_KEY_IDENTIFIER = 0x80; // AuthorityKeyIdentifier [0] IMPLICIT KeyIdentifier

/**
 * The ARI certificate identifier (RFC 9773 §4.1): base64url of the Authority Key Identifier's
 * keyIdentifier, `.`, base64url of the serial number's DER value bytes (a leading 0x00 kept), both
 * unpadded. Reads the first certificate of `certificatePem`.
 *
 * @throws AcmeError when the PEM does not parse or the certificate has no Authority Key Identifier.
 */
export function certificateIdentifier(certificatePem: string): string {
  let der: Buffer;
  try {
    der = new X509Certificate(leafAndChain(certificatePem).leaf).raw;
  } catch (error) {
    throw new AcmeError('acme: cannot parse the certificate to compute its ARI identifier', undefined, {
      cause: error,
    });
  }
  const [tbs] = children(der, readTlv(der, 0));
  if (!tbs) throw new AcmeError('acme: certificate has no tbsCertificate');
  const fields = children(der, tbs);
  // The version is wrapped in [0], so the first INTEGER directly under tbsCertificate is the serial.
  const serial = fields.find((field) => field.tag === TAG_INTEGER);
  if (!serial) throw new AcmeError('acme: certificate has no serial number');
  const keyId = authorityKeyId(der, fields);
  if (!keyId) throw new AcmeError('acme: certificate has no Authority Key Identifier: ARI needs one');
  return `${keyId.toString('base64url')}.${der.subarray(serial.start, serial.end).toString('base64url')}`;
}

/**
 * Fetches the RenewalInfo of `certificateId` from the directory's `renewalInfo` URL: an
 * unauthenticated GET of `<url>/<id>` (RFC 9773 §4.1).
 *
 * @returns the window, or undefined when the CA does not know the certificate (404), so the caller
 *   falls back to its own schedule.
 * @throws TransientError on 5xx; RateLimitedError on 429; AcmeError on any other refusal and on a
 *   malformed answer, including a window whose end is not after its start (RFC 9773 §4.2 says to
 *   treat that as no answer at all).
 */
export async function fetchRenewalInfo(
  renewalInfoUrl: string,
  certificateId: string,
  get: HttpGet,
  now: Date = new Date(),
): Promise<RenewalInfo | undefined> {
  const url = `${renewalInfoUrl.replace(/\/+$/, '')}/${certificateId}`;
  const answer = await get(url);
  const { status } = answer;
  if (status === 404) return undefined;
  if (status !== 200) {
    const problem = problemOf(answer.body);
    const detail = problem.detail ?? `HTTP ${status}`;
    if (status === 429) {
      throw new RateLimitedError(`acme: renewalInfo rate limited: ${detail}`, parseRetryAfter(retryAfter(answer), now));
    }
    if (status >= 500) throw new TransientError(`acme: GET ${url} answered ${status}: ${detail}`);
    throw new AcmeError(`acme: renewalInfo for ${certificateId}: ${detail}`, problem.type);
  }
  const malformed = (why: string) => new AcmeError(`acme: renewalInfo for ${certificateId}: ${why}`);
  const data = jsonOf(answer.body);
  if (data === undefined) throw malformed('the answer is not JSON');
  const window = (data as { suggestedWindow?: unknown } | null)?.suggestedWindow as
    { start?: unknown; end?: unknown } | undefined;
  if (!window || typeof window !== 'object') throw malformed('no suggestedWindow');
  const windowStart = parseRfc3339(window.start);
  const windowEnd = parseRfc3339(window.end);
  if (!windowStart || !windowEnd) throw malformed('suggestedWindow start and end must be RFC 3339 times');
  if (windowEnd <= windowStart) throw malformed('suggestedWindow ends before it starts');
  const explanationUrl = (data as { explanationURL?: unknown }).explanationURL;
  const retryAfterSeconds = parseRetryAfter(retryAfter(answer), now);
  return {
    windowStart,
    windowEnd,
    ...(typeof explanationUrl === 'string' ? { explanationUrl } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}

function retryAfter(answer: HttpAnswer): unknown {
  return answer.headers['retry-after'];
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !RFC_3339.test(value)) return undefined;
  // Date.parse takes ISO 8601's upper-case `T`/`Z` only; RFC 3339 also allows lower case and a space.
  const time = Date.parse(value.toUpperCase().replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** The body as JSON: parsed here when the client left it as text or bytes. */
function jsonOf(body: unknown): unknown {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body ?? undefined;
  try {
    return JSON.parse(body.toString()) as unknown;
  } catch {
    return undefined;
  }
}

function problemOf(body: unknown): { type?: string; detail?: string } {
  const data = jsonOf(body);
  if (!data || typeof data !== 'object') return {};
  const { type, detail } = data as { type?: unknown; detail?: unknown };
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
  };
}

/** The AKI extension's keyIdentifier, if the certificate has one. */
function authorityKeyId(der: Buffer, tbsFields: Tlv[]): Buffer | undefined {
  const wrapper = tbsFields.find((field) => field.tag === TAG_EXTENSIONS);
  const [extensions] = wrapper ? children(der, wrapper) : [];
  if (!extensions) return undefined;
  for (const extension of children(der, extensions)) {
    const parts = children(der, extension);
    const oid = parts[0];
    if (oid?.tag !== TAG_OID || !der.subarray(oid.start, oid.end).equals(OID_AUTHORITY_KEY_IDENTIFIER)) continue;
    const value = parts.find((part) => part.tag === TAG_OCTET_STRING);
    if (!value) return undefined;
    const keyId = children(der, readTlv(der, value.start)).find((item) => item.tag === TAG_KEY_IDENTIFIER);
    return keyId && keyId.end > keyId.start ? der.subarray(keyId.start, keyId.end) : undefined;
  }
  return undefined;
}
