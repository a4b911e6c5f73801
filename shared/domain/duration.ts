/**
 * Go durations (`time.ParseDuration`), because cert-manager's `duration` and `renewBefore` use
 * them and certflow keeps its vocabulary. Values are in milliseconds, which may be fractional for
 * sub-millisecond units; nothing in certflow needs more precision than that.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 MICRO SIGN
  μs: 1e-3, // U+03BC GREEK SMALL LETTER MU: Go accepts both spellings
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Go stores durations as int64 nanoseconds, so anything longer does not parse there either. */
const MAX_MS = 9_223_372_036_854.775;

const SEGMENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a Go duration such as `2160h`, `1h30m`, `1.5h` or `300ms` into milliseconds.
 *
 * Follows `time.ParseDuration`: an optional sign, then one or more number+unit segments; a bare
 * `0` needs no unit. Throws a plain `Error` whose message quotes the input, so the caller only has
 * to add the field name.
 */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new Error('invalid duration: must be a string');
  const quoted = JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`invalid duration ${quoted}`);

  let total = 0;
  while (rest !== '') {
    const match = SEGMENT.exec(rest);
    const [segment, whole = '', fraction, unit = ''] = match ?? [];
    // "." alone, or a segment starting with a letter, has no number at all.
    if (!segment || (whole === '' && (fraction === undefined || fraction === ''))) {
      throw new Error(`invalid duration ${quoted}`);
    }
    if (unit === '') throw new Error(`missing unit in duration ${quoted} (use ns, us, ms, s, m or h)`);
    const unitMs = UNIT_MS[unit];
    if (unitMs === undefined) {
      throw new Error(`unknown unit ${JSON.stringify(unit)} in duration ${quoted} (use ns, us, ms, s, m or h)`);
    }
    total += Number(`${whole || '0'}.${fraction ?? ''}0`) * unitMs;
    if (total > MAX_MS) throw new Error(`invalid duration ${quoted}: too long`);
    rest = rest.slice(segment.length);
  }
  return total === 0 ? 0 : sign * total;
}

/**
 * Formats milliseconds the way Go's `Duration.String` does: `2160h0m0s`, `1h30m0s`, `45s`,
 * `300ms`, `1.5µs`, `0s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error('invalid duration: not a finite number');
  const negative = ms < 0;
  const abs = Math.abs(ms);
  const whole = Math.trunc(abs);
  // BigInt nanoseconds: 100 years of nanoseconds is beyond a double's exact integers.
  const ns = BigInt(whole) * 1_000_000n + BigInt(Math.round((abs - whole) * 1e6));
  const sign = negative && ns !== 0n ? '-' : '';
  if (ns === 0n) return '0s';
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${decimal(ns, 1_000n)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${decimal(ns, 1_000_000n)}ms`;

  const hours = ns / 3_600_000_000_000n;
  const minutes = (ns / 60_000_000_000n) % 60n;
  const seconds = decimal(ns % 60_000_000_000n, 1_000_000_000n);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** `value / unit` as a decimal string without trailing zeros (`1500n, 1000n` → `1.5`). */
function decimal(value: bigint, unit: bigint): string {
  const integer = value / unit;
  const remainder = value % unit;
  if (remainder === 0n) return String(integer);
  const digits = String(unit).length - 1;
  return `${integer}.${String(remainder).padStart(digits, '0').replace(/0+$/, '')}`;
}
