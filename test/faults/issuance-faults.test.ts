/**
 * Fault injection: the synthesized state machine with the real handlers, against a real Pebble,
 * with faults put between them (an ACME proxy), in Route53 (the local XML endpoint), in the
 * certificate store, and in Lambda (a step that dies after doing its work). Every fault ends with
 * the certificate Issued (transient faults) or Ready=False with a clear reason (terminal ones),
 * no `_acme-challenge` record left, the earlier good certificate untouched, and bounded retries.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Route53Client } from '@aws-sdk/client-route-53';
import acme from 'acme-client';
import { ACME_REQUEST_TIMEOUT_MS, configureAcmeHttp } from '../../shared/acme/http.js';
import { Route53DnsSolver } from '../../shared/adapters/aws/route53-dns-solver.js';
import { ChalltestsrvDnsSolver } from '../../shared/adapters/local/challtestsrv-dns-solver.js';
import { getCondition } from '../../shared/domain/status.js';
import { TransientError } from '../../shared/errors.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import type { CertificateStore } from '../../shared/pipeline/ports.js';
import { SolverCache } from '../../shared/wiring/solver-cache.js';
import { type AcmeFaultProxy, type FaultRule, startAcmeFaultProxy } from '../support/acme-fault-proxy.js';
import { type Harness, startHarness, txtValues, verifyChain } from '../support/issuance-harness.js';
import { type Route53Endpoint, startRoute53Endpoint } from '../support/route53-endpoint.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

/** The state machine's transient retrier: 1 attempt + 6 retries per step. */
const MAX_STEP_ATTEMPTS = 7;

describe('Faults: issuance survives or fails cleanly', { skip }, () => {
  let h: Harness;
  let proxy: AcmeFaultProxy;
  let route53: Route53Endpoint;
  let baseline: unknown;
  let agent: Agent | undefined;
  const totals = { faultsInjected: 0, issued: 0, failedWithReason: 0, lost: 0 };

  before(async () => {
    h = await startHarness({
      issuers: async (pebble) => {
        proxy = await startAcmeFaultProxy({ target: pebble.directoryUrl, targetAgent: pebble.httpsAgent });
        return [
          {
            kind: 'acme',
            name: 'proxied',
            server: proxy.directoryUrl,
            email: 'ops@example.com',
            solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
          },
          {
            kind: 'acme',
            name: 'route53',
            server: proxy.directoryUrl,
            solvers: [{ dns01: { route53: { region: 'us-east-1' } } }],
          },
        ];
      },
      dns: (pebble) => {
        const endpoint = startRoute53Endpoint({
          zones: [{ name: 'example.net', id: 'ZEXAMPLENET' }],
          challtestsrvManagementUrl: pebble.challtestsrv.managementUrl,
        }).then((e) => (route53 = e));
        let solver: Route53DnsSolver | undefined;
        const route53Solver = async () =>
          (solver ??= new Route53DnsSolver({
            client: new Route53Client({
              endpoint: (await endpoint).url,
              region: 'us-east-1',
              credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
            }),
          }));
        return new SolverCache((config) => {
          if (config.dns01.challtestsrv) return new ChalltestsrvDnsSolver(config.dns01.challtestsrv);
          return {
            present: async (records) => (await route53Solver()).present(records),
            isPropagated: async (ids) => (await route53Solver()).isPropagated(ids),
            cleanUp: async (records) => (await route53Solver()).cleanUp(records),
          };
        });
      },
    });
    // The client trusts the proxy's certificate next to Pebble's.
    agent = new Agent({ ca: [...rootCertificates, h.pebble.tlsCaPem, proxy.caPem], keepAlive: true });
    configureAcmeHttp({ httpsAgent: agent });
    const result = await h.issue({
      certificate: { name: 'baseline', issuerRef: { name: 'proxied' }, dnsNames: ['baseline.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    baseline = await h.deps.store.readCurrent('baseline');
    assert.ok(baseline);
  });

  after(async () => {
    totals.faultsInjected += proxy?.totalInjected() ?? 0;
    console.log(
      `fault totals: ${totals.faultsInjected} faults injected, ${totals.issued} certificates issued, ` +
        `${totals.failedWithReason} failed with a reason, ${totals.lost} lost`,
    );
    acme.axios.defaults.timeout = ACME_REQUEST_TIMEOUT_MS;
    await h?.stop();
    agent?.destroy();
    await proxy?.close();
    await route53?.close();
  });

  async function noChallengeRecords(dnsNames: string[]) {
    for (const name of dnsNames) {
      const record = `_acme-challenge.${name.replace(/^\*\./, '')}`;
      assert.deepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, record), [], `no TXT left at ${record}`);
    }
  }

  async function baselineUntouched() {
    assert.deepEqual(await h.deps.store.readCurrent('baseline'), baseline, 'the earlier certificate is untouched');
    const record = await h.deps.inventory.get('baseline');
    assert.equal(getCondition(record!.status.conditions, 'Ready')?.status, 'True');
  }

  /** Issues `name` with `rules` in the proxy; returns the execution and the faults it met. */
  async function issueWith(name: string, dnsNames: string[], rules: FaultRule[], issuer = 'proxied') {
    const before = proxy.totalInjected();
    proxy.setRules(rules);
    try {
      const result = await h.issue({ certificate: { name, issuerRef: { name: issuer }, dnsNames } });
      return { result, injected: proxy.totalInjected() - before };
    } finally {
      proxy.setRules([]);
    }
  }

  async function expectIssued(
    name: string,
    dnsNames: string[],
    result: { status: string; error?: string; cause?: string },
  ) {
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const record = await h.deps.inventory.get(name);
    assert.equal(getCondition(record!.status.conditions, 'Ready')?.status, 'True');
    const stored = await h.deps.store.readCurrent(name);
    assert.ok(stored, `${name} is stored`);
    verifyChain(stored['tls.crt'], await h.pebble.rootPem());
    assert.equal((await h.deps.store.listVersions(name)).length, 1, 'exactly one secret version');
    await noChallengeRecords(dnsNames);
    await baselineUntouched();
    totals.issued++;
  }

  async function expectFailed(name: string, dnsNames: string[], result: { status: string }, reason: RegExp) {
    assert.equal(result.status, 'FAILED');
    const record = await h.deps.inventory.get(name);
    assert.ok(record, `${name} is in the inventory`);
    const ready = getCondition(record.status.conditions, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'Failed');
    assert.match(ready!.message, reason);
    assert.equal(await h.deps.store.readCurrent(name), undefined, 'no certificate written');
    await noChallengeRecords(dnsNames);
    await baselineUntouched();
    totals.failedWithReason++;
  }

  it('issues when the CA answers 503 to the first two new-order requests', async () => {
    const names = ['five-xx.example.com'];
    const { result, injected } = await issueWith('five-xx', names, [
      { kind: 'serverError', method: 'POST', path: /^\/order-plz/, times: 2 },
    ]);
    assert.equal(injected, 2);
    await expectIssued('five-xx', names, result);
  });

  it('issues when the CA rejects nonces (badNonce) on finalize and on a challenge', async () => {
    const names = ['nonce.example.com', 'nonce2.example.com'];
    const { result, injected } = await issueWith('nonce', names, [
      { kind: 'badNonce', method: 'POST', path: /^\/finalize-order\//, times: 1 },
      { kind: 'badNonce', method: 'POST', path: /^\/chalZ\//, times: 1 },
    ]);
    assert.equal(injected, 2);
    await expectIssued('nonce', names, result);
  });

  it('issues after a rateLimited answer with Retry-After: 1 (the rate-limit retrier waits)', async () => {
    const names = ['limited.example.com'];
    const { result, injected } = await issueWith('limited', names, [
      { kind: 'rateLimited', method: 'POST', path: /^\/authZ\//, times: 1, retryAfter: '1' },
    ]);
    assert.equal(injected, 1);
    await expectIssued('limited', names, result);
  });

  it('issues when answers hang past the client timeout, then the connection dies', async () => {
    // The 10 s client timeout, shortened so that the test stays fast; the proxy hangs longer.
    acme.axios.defaults.timeout = 300;
    try {
      const names = ['slow.example.com'];
      const { result, injected } = await issueWith('slow', names, [
        { kind: 'hang', method: 'POST', path: /^\/my-order\//, times: 2, hangMs: 1_500 },
      ]);
      assert.equal(injected, 2);
      await expectIssued('slow', names, result);
    } finally {
      acme.axios.defaults.timeout = ACME_REQUEST_TIMEOUT_MS;
    }
  });

  it('issues when connections drop before the CA sees the request', async () => {
    const names = ['dropped.example.com'];
    const { result, injected } = await issueWith('dropped', names, [
      { kind: 'drop', method: 'POST', path: /^\/certZ\//, times: 2 },
    ]);
    assert.equal(injected, 2);
    await expectIssued('dropped', names, result);
  });

  it('issues when the finalize answer is lost after the CA accepted the CSR', async () => {
    const names = ['lost-answer.example.com'];
    const { result, injected } = await issueWith('lost-answer', names, [
      { kind: 'dropAfterForward', method: 'POST', path: /^\/finalize-order\//, times: 1 },
    ]);
    assert.equal(injected, 1);
    await expectIssued('lost-answer', names, result);
  });

  it('fails with the CA message, after bounded retries, when the CA keeps answering 503', async () => {
    const names = ['down.example.com'];
    const { result, injected } = await issueWith('down', names, [
      { kind: 'serverError', method: 'POST', path: /^\/order-plz/, times: Number.POSITIVE_INFINITY },
    ]);
    assert.ok(injected >= 2 && injected <= MAX_STEP_ATTEMPTS, `${injected} attempts`);
    await expectFailed('down', names, result, /503/);
  });

  it('fails at once, naming the limit, when Retry-After is longer than the execution may wait', async () => {
    const names = ['long-limit.example.com'];
    const { result, injected } = await issueWith('long-limit', names, [
      {
        kind: 'rateLimited',
        method: 'POST',
        path: /^\/order-plz/,
        times: Number.POSITIVE_INFINITY,
        retryAfter: '3600',
      },
    ]);
    assert.equal(injected, 1, 'a terminal limit is not retried');
    await expectFailed('long-limit', names, result, /rate limited until/);
  });

  it('issues through Route53 answering Throttling and PriorRequestNotComplete', async () => {
    const names = ['*.faults.example.net', 'faults.example.net'];
    const callsBefore = route53.calls.length;
    route53.faults.throttleEvery = 3;
    route53.faults.priorRequestNotComplete = 2;
    let result;
    try {
      ({ result } = await issueWith('route53-faults', names, [], 'route53'));
    } finally {
      route53.faults.throttleEvery = undefined;
      route53.faults.priorRequestNotComplete = undefined;
    }
    // Replays the endpoint's rule over the calls made during this issuance.
    let faults = 0;
    let changes = 0;
    route53.calls.forEach((call, index) => {
      if (call.action === 'ChangeResourceRecordSets') changes++;
      if (index < callsBefore) return;
      if ((index + 1) % 3 === 0) faults++;
      else if (call.action === 'ChangeResourceRecordSets' && changes % 2 === 0) faults++;
    });
    assert.ok(faults >= 2, `${faults} Route53 faults`);
    totals.faultsInjected += faults;
    await expectIssued('route53-faults', names, result);
    assert.deepEqual(
      route53.records().filter((r) => r.name.includes('_acme-challenge')),
      [],
    );
  });

  it('issues when the first write of the certificate secret fails transiently', async () => {
    const store = h.deps.store;
    let failures = 0;
    h.deps.store = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'putCurrent') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<CertificateStore['putCurrent']>) => {
          if (failures++ === 0) throw new TransientError('secrets: injected: service unavailable');
          return store.putCurrent(...args);
        };
      },
    });
    try {
      const names = ['store-fault.example.com'];
      const result = await h.issue({
        certificate: { name: 'store-fault', issuerRef: { name: 'proxied' }, dnsNames: names },
      });
      assert.equal(failures, 2, 'one failed write, one good one');
      totals.faultsInjected++;
      h.deps.store = store;
      await expectIssued('store-fault', names, result);
    } finally {
      h.deps.store = store;
    }
  });

  it('issues once when every Lambda dies after doing its work and is run again', async () => {
    const names = ['crash.example.com', '*.crash.example.com'];
    const result = await h.issue(
      { certificate: { name: 'crash', issuerRef: { name: 'proxied' }, dnsNames: names } },
      { invokeTwice: true },
    );
    // One lost answer per Lambda task: each ran once more on the same input.
    totals.faultsInjected += result.history.filter((e) => {
      const event = e as { type?: string; state?: { type?: string } };
      return event.type === 'StateEntered' && event.state?.type === 'Task';
    }).length;
    await expectIssued('crash', names, result);
    const record = await h.deps.inventory.get('crash');
    assert.deepEqual(
      record!.events.map((e) => e.reason),
      ['Issuing', 'Generated', 'Requested', 'Issued'],
    );
  });

  it('loses no certificate: every one is issued or failed with a reason', async () => {
    const { items } = await h.deps.inventory.list();
    for (const record of items) {
      const ready = getCondition(record.status.conditions, 'Ready');
      const accounted = ready?.status === 'True' || (ready?.status === 'False' && ready.message.length > 0);
      if (!accounted) totals.lost++;
    }
    assert.equal(totals.lost, 0);
  });
});
