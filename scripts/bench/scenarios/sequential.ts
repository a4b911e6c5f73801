/** BENCH_SEQUENTIAL_COUNT one-name certificates one after another, by each tool: the total time. */
import { type Bench, type Scenario, host, interleaved, timed } from './context.js';

export function sequential(bench: Bench): Promise<Scenario> {
  const count = bench.settings.sequentialCount;
  return interleaved(
    bench,
    'sequential',
    `${count} certificates one after another, one name each (total time)`,
    'time',
    bench.settings.sequentialRuns,
    (tool, run) =>
      timed(async () => {
        const results = [];
        for (let i = 0; i < count; i++)
          results.push(await bench.issueOne(tool, `seq-${run}-${i}`, [host(tool, `q${run}-${i}`)], 0));
        return results;
      }),
  );
}
