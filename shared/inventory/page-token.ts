/**
 * The opaque `nextToken` of inventory listings: where the last page ended (a name, and for the
 * time-ordered listings the time too), as base64url JSON. Both inventories rebuild their start
 * position from it, so a client's token can carry nothing else into a query.
 */
import { ValidationError } from '../errors.js';

export interface PagePosition {
  after: string;
  at?: string;
}

export function encodePageToken(position: PagePosition): string {
  const body = position.at === undefined ? { after: position.after } : { after: position.after, at: position.at };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): PagePosition {
  const invalid = new ValidationError('nextToken', 'is not a valid page token');
  // Buffer decoding skips characters it does not know, so check the alphabet and round trip.
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.toString('base64url') !== token) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid;
  }
  const { after, at } = (parsed ?? {}) as { after?: unknown; at?: unknown };
  if (typeof after !== 'string' || after === '') throw invalid;
  if (at !== undefined && typeof at !== 'string') throw invalid;
  return at === undefined ? { after } : { after, at };
}
