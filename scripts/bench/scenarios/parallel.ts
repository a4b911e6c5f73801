/**
 * BENCH_PARALLEL_COUNT one-name certificates at once: certflow starts them all as concurrent
 * executions, a peer runs them through BENCH_PEER_PROCESSES processes. Certificates per second.
 */
import { pool } from '../measure/stats.js';
import { type Bench, type Scenario, host, interleaved, timed } from './context.js';

export function parallel(bench: Bench): Promise<Scenario> {
  const { settings, issueOne } = bench;
  const count = settings.parallelCount;
  return interleaved(
    bench,
    'parallel',
    `${count} certificates at once, one name each (certflow: ${count} concurrent executions; peers: ${settings.peerProcesses} processes)`,
    'throughput',
    settings.parallelRuns,
    async (tool, run) => {
      const r = await timed(async () =>
        tool === 'certflow'
          ? Promise.all(
              Array.from({ length: count }, (_, i) =>
                issueOne(tool, `par-${run}-${i}`, [host(tool, `p${run}-${i}`)], 0),
              ),
            )
          : pool(count, settings.peerProcesses, (i, slot) =>
              issueOne(tool, `par-${run}-${i}`, [host(tool, `p${run}-${i}`)], slot),
            ),
      );
      return { value: count / (r.value / 1000), ...(r.error ? { error: r.error } : {}) };
    },
  );
}
