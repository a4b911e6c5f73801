/**
 * The Lambda code as `cdk deploy` ships it: bundled by NodejsFunction with the local esbuild
 * (no Docker, no network), one ESM file per function, each loadable by Node.
 */
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../infra/config.js';
import { type SynthesizedStack, synthesize } from '../../infra/synth.js';

// Inside the project, so that the bundles' external `@aws-sdk/*` imports resolve as in Lambda.
const OUTDIR = join(process.cwd(), '.tmp', 'bundle-test');
const ACME_STEPS = new Set([
  'create-order',
  'accept-challenges',
  'poll-authorizations',
  'finalize',
  'poll-order',
  'store',
  'revoke',
]);

describe('Bundles: the Lambda code cdk deploy ships', () => {
  let synthesized: SynthesizedStack;
  let bundles: { step: string; file: string; bytes: number }[];

  before(async () => {
    await rm(OUTDIR, { recursive: true, force: true });
    synthesized = synthesize(loadConfig({}), { bundle: true, outdir: OUTDIR });
    bundles = [];
    for (const resource of Object.values(synthesized.template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const step = (resource.Properties?.Tags as { Key: string; Value: string }[]).find(
        (t) => t.Key === 'certflow:step',
      )!.Value;
      // The default synthesizer names the zip after the asset hash, as is the staged directory.
      const key = String(resource.Properties?.Code?.S3Key ?? '');
      assert.match(key, /^[0-9a-f]{64}\.zip$/, `${step} has a bundled asset`);
      const file = join(synthesized.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
      bundles.push({ step, file, bytes: (await stat(file)).size });
    }
  });

  after(async () => rm(OUTDIR, { recursive: true, force: true }));

  it('bundles every function: thirteen steps, the API and revocation', () => {
    assert.equal(bundles.length, 15);
  });

  it('keeps functions that do not speak ACME under 300 KB', () => {
    for (const b of bundles.filter((b) => !ACME_STEPS.has(b.step))) {
      assert.ok(b.bytes <= 300 * 1024, `${b.step}: ${b.bytes} bytes`);
    }
  });

  it('keeps every function under 1.1 MB (budget 1 MB: see the bench)', () => {
    for (const b of bundles) assert.ok(b.bytes <= 1.1 * 1024 * 1024, `${b.step}: ${b.bytes} bytes`);
  });

  it('produces ESM that Node loads, CommonJS dependencies included', async () => {
    for (const b of bundles) {
      const source = await readFile(b.file, 'utf8');
      assert.ok(!source.includes('BEGIN PRIVATE KEY-----\\n'), `${b.step} embeds no key`);
      const module = (await import(pathToFileURL(b.file).href)) as { handler?: unknown };
      assert.equal(typeof module.handler, 'function', `${b.step} exports handler`);
    }
  });
});
