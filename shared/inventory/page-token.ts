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

/** Page sizes of inventory listings: `default` when no limit is given, at most `max`. */
export const LIST_LIMIT = { default: 100, max: 1000 } as const;

/** The page size asked for, checked here so that a bad value never reaches a query. */
export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return LIST_LIMIT.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) {
    throw new ValidationError('limit', `must be an integer from 1 to ${LIST_LIMIT.max}`);
  }
  return limit;
}
