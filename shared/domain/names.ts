/**
 * Name checks shared by spec validation and delivery: DNS hostnames as they go into a
 * certificate, and the Kubernetes names (namespaces, secrets, labels) the sync Lambda writes.
 */

import { isIP } from 'node:net';

const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const EMAIL_LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;

/**
 * Whether `name` is an RFC 1123 hostname that may go into a certificate's dnsNames.
 *
 * Labels are 1–63 letters, digits or hyphens, not starting or ending with a hyphen; the whole
 * name is at most 253 characters and has no trailing dot. With `allowWildcard`, the leftmost
 * label may be exactly `*` provided at least one more label follows (`*.example.com`), which is
 * the only wildcard form CAs issue.
 */
export function isValidDnsName(name: string, options: { allowWildcard?: boolean } = {}): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (options.allowWildcard && labels[0] === '*') {
    if (labels.length < 2) return false;
    labels.shift();
  }
  return labels.every((label) => HOST_LABEL.test(label));
}

/**
 * The last label of `name` when it is all digits (`3` of `1.2.3`), else undefined. RFC 3696 §2:
 * top-level domain names are not all-numeric, and CAs refuse such names.
 */
export function numericTopLevelLabel(name: string): string | undefined {
  const last = name.split('.').at(-1) ?? '';
  return /^[0-9]+$/.test(last) ? last : undefined;
}

/** Whether `name` is a Kubernetes DNS-1123 label (namespaces): lowercase, at most 63 characters. */
export function isValidDnsLabel(name: string): boolean {
  return typeof name === 'string' && name.length <= 63 && DNS1123_LABEL.test(name);
}

/**
 * Whether `name` is a Kubernetes DNS-1123 subdomain (most object names, such as Secrets):
 * lowercase dot-separated labels, at most 253 characters.
 */
export function isValidKubernetesName(name: string): boolean {
  return typeof name === 'string' && name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/**
 * Whether `key` is a valid Kubernetes label or annotation key: an optional DNS-1123 subdomain
 * prefix and `/`, then a name of at most 63 characters.
 */
export function isValidLabelKey(key: string): boolean {
  if (typeof key !== 'string') return false;
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || !isValidKubernetesName(prefix)) return false;
  }
  return QUALIFIED_NAME.test(name);
}

/** Whether `value` is a valid Kubernetes label value (empty is allowed). */
export function isValidLabelValue(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value);
}

/** The prefix of a label or annotation key (`example.com` for `example.com/name`), or `''`. */
export function labelKeyPrefix(key: string): string {
  const slash = key.indexOf('/');
  return slash === -1 ? '' : key.slice(0, slash);
}

/** Whether `ip` is an IPv4 or IPv6 address that can go into a certificate. */
export function isValidIpAddress(ip: string): boolean {
  // Zone ids (`fe80::1%eth0`) pass isIP but mean nothing outside the host that wrote them.
  return typeof ip === 'string' && isIP(ip) !== 0 && !ip.includes('%');
}

/** IPv6 has many spellings of one address; this is the URL parser's canonical one. */
export function canonicalIp(ip: string): string {
  return isIP(ip) === 6 && !ip.includes('%') ? new URL(`http://[${ip}]`).hostname : ip;
}

/** Whether `uri` is an absolute URI (`spiffe://cluster.local/ns/a/sa/b`, `urn:example:x`). */
export function isValidUri(uri: string): boolean {
  // The URL parser quietly drops or encodes whitespace; in a certificate it would be a lie.
  if (typeof uri !== 'string' || /\s/.test(uri) || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) return false;
  try {
    new URL(uri);
    return true;
  } catch {
    return false;
  }
}

/** Whether `email` is a plain `local@domain` address whose domain is a valid DNS name. */
export function isValidEmailAddress(email: string): boolean {
  if (typeof email !== 'string') return false;
  const at = email.lastIndexOf('@');
  return at > 0 && EMAIL_LOCAL.test(email.slice(0, at)) && isValidDnsName(email.slice(at + 1));
}

/** Domains are case-insensitive; local parts, strictly, are not. */
export function canonicalEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}
