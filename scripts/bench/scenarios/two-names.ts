/** One certificate with two names, by each tool: the median time. */
import { type Bench, type Scenario, host, interleaved, timed } from './context.js';

export function twoNames(bench: Bench): Promise<Scenario> {
  return interleaved(
    bench,
    'two-names',
    'one certificate, two names (median time)',
    'time',
    bench.settings.singleRuns,
    (tool, run) =>
      timed(async () => [
        await bench.issueOne(tool, `two-${run}`, [host(tool, `a.t${run}`), host(tool, `b.t${run}`)], 0),
      ]),
  );
}
