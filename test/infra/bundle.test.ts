/**
 * The Lambda code as `cdk deploy` ships it: bundled by NodejsFunction with the local esbuild
 * (no Docker, no network), one ESM file per function, each loadable by Node.
 */
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { BUNDLE_ALIASES } from '../../infra/constructs/certflow-function.js';
import { pebbleInstalled, startPebble } from '../../shared/local/pebble.js';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { type SynthesizedStack, synthesize } from '../../infra/synth.js';
import { ACME_FUNCTION_FILES } from '../../infra/constructs/pipeline-functions.js';

// Inside the project, so that the bundles' external `@aws-sdk/*` imports resolve as in Lambda.
const OUTDIR = join(process.cwd(), '.tmp', 'bundle-test');
const ACME_STEPS = ACME_FUNCTION_FILES;

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

  it('bundles every function: thirteen steps, the API, revocation, the sweep, execution-ended and the EKS sync', () => {
    assert.equal(bundles.length, 18);
  });

  it('keeps functions that do not speak ACME under 300 KB', () => {
    for (const b of bundles.filter((b) => !ACME_STEPS.has(b.step))) {
      assert.ok(b.bytes <= 300 * 1024, `${b.step}: ${b.bytes} bytes`);
    }
  });

  it('keeps every function under 1 MB', () => {
    for (const b of bundles) assert.ok(b.bytes <= 1024 * 1024, `${b.step}: ${b.bytes} bytes`);
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

describe(
  'Bundles: the ACME steps, bundled with the stubs, against a real Pebble',
  {
    skip: pebbleInstalled() || process.env.CI ? false : 'pebble is not installed',
  },
  () => {
    it('issues a certificate with the bundled code, so no stubbed module is ever reached', async () => {
      const dir = join(OUTDIR, 'acme-smoke');
      const outfile = join(dir, 'steps.mjs');
      await build({
        entryPoints: ['test/support/acme-bundle-entry.ts'],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        minify: true,
        mainFields: ['module', 'main'],
        external: ['@aws-sdk/*'],
        banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
        alias: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([k, v]) => [k.replace('--alias:', ''), v])),
        logLevel: 'silent',
      });
      assert.ok(!(await readFile(outfile, 'utf8')).includes('forge.pki.rsa'), 'node-forge itself is not in the bundle');
      const steps = (await import(pathToFileURL(outfile).href)) as Record<string, (s: any, d: any) => Promise<any>> & {
        localDependencies: (o: unknown) => any;
      };
      const pebble = await startPebble();
      try {
        const issuers = [
          {
            kind: 'acme',
            name: 'pebble',
            server: pebble.directoryUrl,
            solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
          },
        ];
        const deps = steps.localDependencies({ dir: join(dir, 'state'), issuers, httpsAgent: pebble.httpsAgent });
        const until = async (step: string, state: any) => {
          for (let i = 0; i < 200; i++) {
            state = await steps[step]!(state, deps);
            if (state.poll?.done) return state;
            await new Promise((r) => setTimeout(r, 20));
          }
          throw new Error(`${step} never finished`);
        };
        let state = await steps.prepare!(
          {
            input: {
              certificate: { name: 'bundled', issuerRef: { name: 'pebble' }, dnsNames: ['bundled.example.com'] },
            },
            executionName: 'bundled-1',
          },
          deps,
        );
        for (const step of ['createOrder', 'presentChallenges']) state = await steps[step]!(state, deps);
        state = await until('checkPropagation', state);
        state = await steps.acceptChallenges!(state, deps);
        state = await until('pollAuthorizations', state);
        state = await steps.finalize!(state, deps);
        state = await until('pollOrder', state);
        state = await steps.store!(state, deps);
        await steps.cleanup!(state, deps);
        const stored = await deps.store.readCurrent('bundled');
        assert.ok(stored?.['tls.crt'].includes('BEGIN CERTIFICATE'));
        assert.equal(state.result.serialNumber.length > 0, true);
      } finally {
        await pebble.stop();
      }
    });
  },
);
