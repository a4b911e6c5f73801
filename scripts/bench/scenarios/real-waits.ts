/**
 * The two-name certificate again, by certflow alone, with the Wait states' own lengths (≥ 1 s, as
 * in AWS) instead of BENCH_WAIT_MS: the median time of the runs that succeeded.
 */
import { median } from '../measure/stats.js';
import { type Bench, host } from './context.js';

export async function twoNamesRealWaits(bench: Bench): Promise<number> {
  const { settings, pipeline, log } = bench;
  log(`bench: two-names with real waits: certflow, ${settings.singleRuns} runs`);
  const runs: number[] = [];
  for (let run = 0; run < settings.singleRuns; run++) {
    const t = performance.now();
    const r = await pipeline.issue(`real-${run}`, [host('certflow', `ra.r${run}`), host('certflow', `rb.r${run}`)], {
      realWaits: true,
    });
    if (r.status === 'SUCCEEDED') runs.push(performance.now() - t);
  }
  return median(runs);
}
