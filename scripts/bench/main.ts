/**
 * `npm run bench`: certflow's local pipeline against lego and certbot on one Pebble, the Lambda
 * bundles' cold-start weight, and the cost per certificate at list prices. Prints Markdown and
 * writes the same results as JSON to bench/results/<timestamp>.json. Counts come from BENCH_*
 * (scenarios/settings.ts). Each scenario is one file of scenarios/, built on the measuring parts
 * of measure/ (certflow's pipeline, the peers, the bundles, the prices); report.ts renders.
 */
import type { BundleWeight } from './measure/bundles.js';
import type { BurstRound } from '../rigs/renewal-burst.js';
import { render, writeResults } from './report.js';
import { coldStart } from './scenarios/cold-start.js';
import { type Scenario, openBench } from './scenarios/context.js';
import { costRuns } from './scenarios/cost-runs.js';
import { parallel } from './scenarios/parallel.js';
import { twoNamesRealWaits } from './scenarios/real-waits.js';
import { route53Burst } from './scenarios/route53-burst.js';
import { sequential } from './scenarios/sequential.js';
import { twoNames } from './scenarios/two-names.js';
import { wildcard } from './scenarios/wildcard.js';
import { readSettings } from './scenarios/settings.js';

const settings = readSettings();

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main() {
  const started = Date.now();
  const bench = await openBench(settings, log);
  try {
    const scenarios: Scenario[] = [];
    scenarios.push(await twoNames(bench));
    // certflow again, with the Wait states' own lengths (≥ 1 s, as in AWS), after each peer's run.
    const realWaits = await twoNamesRealWaits(bench);
    scenarios.push(await wildcard(bench));
    scenarios.push(await sequential(bench));
    scenarios.push(await parallel(bench));
    const { costs, month } = await costRuns(bench);
    const bursts: BurstRound[] = settings.route53Burst > 0 ? await route53Burst(bench) : [];
    const bundles: BundleWeight[] = settings.bundles ? await coldStart(bench) : [];

    const results = { settings, scenarios, costs, month, bundles, bursts, realWaits };
    const report = render(results);
    process.stdout.write(`${report.markdown}\n`);
    const file = await writeResults({ ...results, started, report });
    log(`bench: results written to ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await bench.close();
  }
}

await main();
// acme-client's keep-alive agents and the handlers' clients hold no work: end now.
process.exit(0);
