/** Text output in kubectl's manner: aligned tables, short ages, `-` for nothing. */
import { isAbsolute, relative } from 'node:path';

/** Columns separated by three spaces, the last one unpadded, as kubectl prints them. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

/** kubectl's `HumanDuration`: `45s`, `5m30s`, `25m`, `3h20m`, `26h`, `3d4h`, `120d`, `2y30d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** Age of an ISO time relative to `now`, or `-`. */
export function age(iso: string | undefined, now: Date): string {
  const time = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(time) ? '-' : humanDuration(now.getTime() - time);
}

/** An ISO time without milliseconds (`2025-01-02T03:04:05Z`), or `-`. */
export function shortTime(iso: string | undefined): string {
  const time = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(time) ? '-' : new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2025-01-02T03:04:05Z (in 59d)` or `… (3h ago)`. */
export function timeWithDistance(iso: string | undefined, now: Date): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) return '-';
  const delta = time - now.getTime();
  const distance = delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(-delta)} ago`;
  return `${shortTime(iso)} (${distance})`;
}

/**
 * What a person calls the secret: the name inside a Secrets Manager ARN without the random
 * suffix Secrets Manager appends, or a local store directory relative to `cwd`.
 */
export function shortSecret(ref: string | undefined, cwd: string): string {
  if (!ref) return '-';
  const arn = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(ref);
  if (arn?.[1]) return arn[1].replace(/-[A-Za-z0-9]{6}$/, '');
  if (ref.startsWith('file://')) {
    // The local store writes `file://` + the absolute path as is, not percent-encoded.
    const path = ref.slice('file://'.length);
    const rel = relative(cwd, path);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  }
  return ref;
}
