/** Every function bundled as it is deployed, each bundle's size and its module load time. */
import { join } from 'node:path';
import { type BundleWeight, measureBundles } from '../measure/bundles.js';
import type { Bench } from './context.js';

export function coldStart(bench: Bench): Promise<BundleWeight[]> {
  const { settings, log } = bench;
  log(`bench: bundling every function and loading each ${settings.loadRuns} times`);
  return measureBundles({
    outdir: join(process.cwd(), '.tmp', 'bench-bundles'),
    loadRuns: settings.loadRuns,
  });
}
