// Kept apart from http.ts so that code without acme-client (the sweep's ARI re-check) can use it.

/** Parses Retry-After (seconds or HTTP date) into seconds; undefined when absent or past. */
export function parseRetryAfter(header: unknown, now: Date = new Date()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds > 0 ? Math.ceil(seconds) : undefined;
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  const diff = Math.ceil((date - now.getTime()) / 1000);
  return diff > 0 ? diff : undefined;
}
