/**
 * Cold-start weight of every Lambda: the minified bundle `cdk deploy` ships (synthesized with
 * bundling, as test/infra/bundle.test.ts does) and its module load time in fresh Node processes.
 */
import { spawnSync } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../../infra/config/certflow-config.js';
import { synthesize } from '../../../infra/synth.js';
import { median } from './stats.js';
import { ACME_FUNCTION_FILES } from '../../../infra/constructs/pipeline-functions.js';

/** Steps whose functions speak ACME (the 1 MB budget); every other function has 300 KB. */
export const ACME_STEPS = ACME_FUNCTION_FILES;

export interface BundleWeight {
  step: string;
  bytes: number;
  budgetBytes: number;
  loadMs: number;
  loadRunsMs: number[];
}

/** Time from `import()` to the module being ready, inside a fresh process (Node's own boot excluded). */
function loadOnce(file: string): number {
  const code =
    `const t = performance.now();` +
    `import(${JSON.stringify(pathToFileURL(file).href)}).then(() => process.stdout.write(String(performance.now() - t)))`;
  const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 30_000 });
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms))
    throw new Error(`loading ${file} failed: ${result.stderr.slice(-500)}`);
  return ms;
}

export async function measureBundles(options: { outdir: string; loadRuns: number }): Promise<BundleWeight[]> {
  await rm(options.outdir, { recursive: true, force: true });
  const synthesized = synthesize(loadConfig({}), { bundle: true, outdir: options.outdir });
  const weights: BundleWeight[] = [];
  for (const resource of Object.values(synthesized.template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: string }[];
    const step = tags.find((t) => t.Key === 'certflow:step')?.Value ?? 'unknown';
    const key = String(resource.Properties?.Code?.S3Key ?? '');
    const file = join(synthesized.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
    const bytes = (await stat(file)).size;
    const loadRunsMs = Array.from({ length: options.loadRuns }, () => loadOnce(file));
    weights.push({
      step,
      bytes,
      budgetBytes: ACME_STEPS.has(step) ? 1024 * 1024 : 300 * 1024,
      loadMs: median(loadRunsMs),
      loadRunsMs,
    });
  }
  return weights.sort((a, b) => b.bytes - a.bytes);
}
