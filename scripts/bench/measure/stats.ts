/** Small numeric and formatting helpers shared by the bench's parts. */

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** An integer from the environment, bounded; `fallback` when unset or not a number. */
export function envInt(name: string, fallback: number, min = 0, max = 1_000): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return Math.min(max, Math.max(min, value));
}

export const seconds = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
export const perSecond = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)}/s` : 'n/a');
export const usd = (value: number): string =>
  value >= 1 ? `$${value.toFixed(2)}` : value >= 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(6)}`;
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

/** A Markdown table; cells are escaped for `|`. */
export function markdownTable(header: string[], rows: string[][]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Runs `jobs` with at most `concurrency` at a time; resolves with their results in order. */
export async function pool<T>(count: number, concurrency: number, job: (index: number, slot: number) => Promise<T>) {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async (_, slot) => {
      while (next < count) {
        const index = next++;
        results[index] = await job(index, slot);
      }
    }),
  );
  return results;
}
