/** A wildcard and its apex in one certificate, by each tool: the median time. */
import { type Bench, type Scenario, host, interleaved, timed } from './context.js';

export function wildcard(bench: Bench): Promise<Scenario> {
  return interleaved(
    bench,
    'wildcard',
    'wildcard + apex (median time)',
    'time',
    bench.settings.wildcardRuns,
    (tool, run) =>
      timed(async () => [
        await bench.issueOne(tool, `wild-${run}`, [host(tool, `*.w${run}`), host(tool, `w${run}`)], 0),
      ]),
  );
}
