/**
 * Issuance through the DNS hook solver against real Pebble: the real LambdaClient invokes the
 * example hook (examples/dns-hook/challtestsrv-hook.mjs) through a local Lambda Invoke endpoint,
 * and the hook writes into the challtestsrv Pebble validates against.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaDnsHookSolver } from '../../shared/solvers/adapters/hook.js';
import { getCondition } from '../../shared/domain/status.js';
import type { AcmeIssuerConfig } from '../../shared/issuers/registry.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import { SolverDispatcher } from '../../shared/solvers/dispatcher.js';
import { type Harness, startHarness, txtValues, verifyChain } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';
import {
  type LambdaEndpoint,
  LOCAL_LAMBDA_CREDENTIALS,
  type LocalLambdaHandler,
  startLambdaEndpoint,
} from '../support/lambda-endpoint.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

interface HookEvent {
  action: string;
  changeIds?: string[];
}

describe('Integration: issuance through the DNS hook solver', { skip }, () => {
  let h: Harness;
  let endpoint: LambdaEndpoint;
  let client: LambdaClient;
  let presentFailures = 0;
  let checks = 0;

  before(async () => {
    // Loaded by URL so that tsc leaves the plain JavaScript example alone.
    const hook = new URL('../../examples/dns-hook/challtestsrv-hook.mjs', import.meta.url).href;
    const { handler } = (await import(hook)) as { handler: LocalLambdaHandler };
    endpoint = await startLambdaEndpoint({
      'challtestsrv-hook': handler,
      // Fails its first present the way a busy provider would, then behaves.
      'flaky-hook': async (event) => {
        if ((event as HookEvent).action === 'present' && presentFailures++ === 0) {
          throw Object.assign(new Error('provider API busy'), { name: 'TransientError' });
        }
        return handler(event);
      },
      // A provider whose changes take a while: one change id, not visible at the first check.
      'slow-hook': async (event) => {
        const { action, changeIds } = event as HookEvent;
        if (action === 'present') return { ...((await handler(event)) as object), changeIds: ['change-1'] };
        if (action === 'isPropagated') return { propagated: changeIds?.[0] === 'change-1' && checks++ > 0 };
        return handler(event);
      },
      'refusing-hook': async () => {
        throw new Error('zone example.com is not managed by this provider');
      },
    });
    client = new LambdaClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: LOCAL_LAMBDA_CREDENTIALS });
    const issuer = (name: string, functionName: string): AcmeIssuerConfig => ({
      kind: 'acme',
      name,
      server: '',
      solvers: [{ dns01: { hook: { functionName } } }],
    });
    h = await startHarness({
      issuers: (pebble) =>
        [
          issuer('hook', 'challtestsrv-hook'),
          issuer('flaky', 'flaky-hook'),
          issuer('slow', 'arn:aws:lambda:us-east-1:111122223333:function:slow-hook:live'),
          issuer('refusing', 'refusing-hook'),
        ].map((i) => ({ ...i, server: pebble.directoryUrl })),
      dns: (pebble) => {
        // The example reads the name's values from challtestsrv's DNS before removing one.
        process.env.CHALLTESTSRV_URL = pebble.challtestsrv.managementUrl;
        process.env.CHALLTESTSRV_DNS = `127.0.0.1:${pebble.challtestsrv.dnsPort}`;
        return new SolverDispatcher(
          { hook: ({ functionName }) => new LambdaDnsHookSolver({ client, functionName }) },
          'dns: this test supports hook solvers only',
        );
      },
    });
  });

  after(async () => {
    await h?.stop();
    client?.destroy();
    await endpoint?.close();
    delete process.env.CHALLTESTSRV_URL;
    delete process.env.CHALLTESTSRV_DNS;
  });

  async function expectIssued(name: string, dnsNames: string[]): Promise<void> {
    const record = await h.deps.inventory.get(name);
    assert.equal(getCondition(record!.status.conditions, 'Ready')?.status, 'True');
    const stored = await h.deps.store.readCurrent(name);
    const leaf = verifyChain(stored!['tls.crt'], await h.pebble.rootPem());
    assert.deepEqual(
      (leaf.subjectAltName ?? '')
        .split(', ')
        .map((s) => s.replace(/^DNS:/, ''))
        .sort(),
      [...dnsNames].sort(),
    );
    for (const dnsName of dnsNames) {
      const txt = `_acme-challenge.${dnsName.replace(/^\*\./, '')}`;
      assert.deepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, txt), [], `no TXT left for ${dnsName}`);
    }
  }

  const actionsOf = (functionName: string) =>
    endpoint.invocations.filter((i) => i.functionName.includes(functionName)).map((i) => (i.event as HookEvent).action);

  it('issues a wildcard with its apex through the example hook and cleans up after itself', async () => {
    const dnsNames = ['*.hook.example.com', 'hook.example.com'];
    const result = await h.issue({ certificate: { name: 'via-hook', issuerRef: { name: 'hook' }, dnsNames } });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    await expectIssued('via-hook', dnsNames);
    const invocation = endpoint.invocations.find((i) => i.functionName === 'challtestsrv-hook');
    assert.deepEqual(Object.keys(invocation!.event as object).sort(), ['action', 'records', 'version']);
    assert.equal((invocation!.event as { version: number }).version, 1);
    // present answered no change ids, so propagation needed no call.
    assert.deepEqual([...new Set(actionsOf('challtestsrv-hook'))].sort(), ['cleanUp', 'present']);
  });

  it('retries a hook that fails with a TransientError', async () => {
    const result = await h.issue({
      certificate: { name: 'via-flaky', issuerRef: { name: 'flaky' }, dnsNames: ['flaky.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    assert.ok(presentFailures >= 2, 'present was called again after the failure');
    await expectIssued('via-flaky', ['flaky.example.com']);
  });

  it('waits until the hook says its change ids are propagated', async () => {
    const result = await h.issue({
      certificate: { name: 'via-slow', issuerRef: { name: 'slow' }, dnsNames: ['slow.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    assert.deepEqual(
      actionsOf('slow-hook').filter((a) => a === 'isPropagated'),
      ['isPropagated', 'isPropagated'],
    );
    await expectIssued('via-slow', ['slow.example.com']);
  });

  it("ends the issuance with the hook's message when the hook refuses", async () => {
    const result = await h.issue({
      certificate: { name: 'via-refusing', issuerRef: { name: 'refusing' }, dnsNames: ['refused.example.com'] },
    });
    assert.equal(result.status, 'FAILED');
    assert.equal(result.error, 'DnsError');
    const ready = getCondition((await h.deps.inventory.get('via-refusing'))!.status.conditions, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.match(
      ready!.message,
      /^dns-hook: "refusing-hook" failed to present: Error: zone example\.com is not managed by this provider/,
    );
    assert.equal(
      actionsOf('refusing-hook').filter((a) => a === 'present').length,
      1,
      'a terminal error is not retried',
    );
  });

  it('never lets a private key into logs, execution histories, events or the hook', async () => {
    const haystacks = { ...(await harnessHaystacks(h)), 'hook invocations': JSON.stringify(endpoint.invocations) };
    assertNoKeyMaterial(haystacks, await harnessKeyPems(h));
  });
});
