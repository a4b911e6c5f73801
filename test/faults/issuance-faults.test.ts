/**
 * Fault injection: the synthesized state machine with the real handlers, against a real Pebble,
 * with faults put between them (an ACME proxy), in Route53 (the local XML endpoint), in the
 * certificate store, and in Lambda (a step that dies after doing its work). Every fault ends with
 * the certificate Issued (transient faults) or Ready=False with a clear reason (terminal ones; a
 * failed renewal keeps Ready=True and the certificate being served), no `_acme-challenge` record
 * left, the earlier good certificate untouched, and retries bounded by the state machine's
 * retriers (counted in the execution history) and seen as such by the CA.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Route53Client } from '@aws-sdk/client-route-53';
import acme from 'acme-client';
import { ACME_REQUEST_TIMEOUT_MS, configureAcmeHttp } from '../../shared/issuers/acme/http.js';
import { Route53DnsSolver } from '../../shared/solvers/adapters/route53.js';
import { secretsManagerError } from '../../shared/adapters/aws/secrets-manager-certificate-store.js';
import { ChalltestsrvDnsSolver } from '../../shared/solvers/adapters/challtestsrv.js';
import { keyMatchesCertificate } from '../../shared/domain/certificate-info.js';
import { getCondition } from '../../shared/domain/status.js';
import { TransientError } from '../../shared/errors.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import type { ExecutionResult } from '../../shared/local/state-machine.js';
import type { CertificateStore } from '../../shared/ports/certificate-store.js';
import { SolverDispatcher } from '../../shared/solvers/dispatcher.js';
import { type AcmeFaultProxy, type FaultRule, startAcmeFaultProxy } from '../support/acme-fault-proxy.js';
import { type Harness, startHarness, txtValues, verifyChain } from '../../scripts/rigs/issuance-harness.js';
import {
  type KeyPem,
  assertNoKeyMaterial,
  harnessHaystacks,
  harnessKeyPems,
  recordingPendingKeys,
} from '../support/key-material.js';
import { type Route53Endpoint, startRoute53Endpoint } from '../../scripts/rigs/route53-endpoint.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

/** The state machine's transient retrier: 1 attempt + 6 retries per step (checked against the history). */
const MAX_STEP_ATTEMPTS = 7;
/** Attempts the AWS SDK makes per call in its standard retry mode, before the step sees an error. */
const SDK_ATTEMPTS = 3;

/**
 * The SDK's standard retries (same attempts, same error classes) without their backoff: the
 * harness shortens Step Functions' waits the same way, and real backoff would cost seconds here.
 */
const quickSdkRetries = {
  acquireInitialRetryToken: async () => token(0),
  refreshRetryTokenForRetry: async (previous: { getRetryCount(): number }, info: { errorType: string }) => {
    const count = previous.getRetryCount() + 1;
    if (info.errorType === 'CLIENT_ERROR' || count >= SDK_ATTEMPTS) throw new Error('no retry left');
    return token(count);
  },
  recordSuccess: () => undefined,
};
const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 2 });

interface HistoryEvent {
  type: string;
  state?: { name: string; type: string };
  retry?: { retrier: { ErrorEquals: string[]; MaxAttempts?: number }; attempt: number };
}

/**
 * Task retries in an execution history (a task failed, then ran again), by state; asserts that no
 * state entry was retried past its retrier's MaxAttempts, and that the transient retrier is the one
 * MAX_STEP_ATTEMPTS describes.
 */
function retriesIn(result: ExecutionResult): Record<string, number> {
  const byState: Record<string, number> = {};
  let entry = new Map<string, number>();
  let lastFailed: string | undefined;
  for (const event of result.history as HistoryEvent[]) {
    const state = event.state?.name ?? '';
    if (event.type === 'StateEntered') entry = new Map();
    if (event.type === 'StateFailed') lastFailed = state;
    if (event.type !== 'StateRetried' || !event.retry) continue;
    assert.equal(lastFailed, state, `${state} is retried only after it failed`);
    const { ErrorEquals, MaxAttempts = 3 } = event.retry.retrier;
    if (ErrorEquals.includes('TransientError')) assert.equal(MaxAttempts, MAX_STEP_ATTEMPTS - 1);
    const key = ErrorEquals.join(',');
    entry.set(key, (entry.get(key) ?? 0) + 1);
    assert.ok(entry.get(key)! <= MaxAttempts, `${state} retried ${entry.get(key)} times by [${key}]`);
    byState[state] = (byState[state] ?? 0) + 1;
  }
  return byState;
}

/** The stored certificate parses and belongs to the stored key. */
function parsesAndMatches(stored: { 'tls.crt': string; 'tls.key': string }): boolean {
  try {
    return keyMatchesCertificate(stored['tls.key'], stored['tls.crt'].split(/(?=-----BEGIN)/)[0]!);
  } catch {
    return false;
  }
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('Faults: issuance survives or fails cleanly', { skip }, () => {
  let h: Harness;
  let proxy: AcmeFaultProxy;
  let route53: Route53Endpoint;
  let baseline: unknown;
  let agent: Agent | undefined;
  let pendingKeys: KeyPem[] = [];
  /** Every certificate name an execution was started for: each must end issued or failed with a reason. */
  const requested = new Set<string>();
  /** Called around the Route53 solver's calls, so that a fault can start or stop at a given step. */
  const route53Hooks: { afterPresent?: () => void; beforeCleanUp?: () => void } = {};
  const totals = { faultsInjected: 0, issued: 0, failedWithReason: 0, lost: 0 };

  before(async () => {
    h = await startHarness({
      // Pebble refuses 5% of nonces at random; here only the proxy injects faults, so counts are exact.
      pebbleEnv: { PEBBLE_WFE_NONCEREJECT: '0' },
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
              retryStrategy: quickSdkRetries,
            }),
          }));
        return new SolverDispatcher(
          {
            challtestsrv: (challtestsrv) => new ChalltestsrvDnsSolver(challtestsrv),
            route53: () => ({
              present: async (records) => {
                const ids = await (await route53Solver()).present(records);
                route53Hooks.afterPresent?.();
                return ids;
              },
              isPropagated: async (ids) => (await route53Solver()).isPropagated(ids),
              cleanUp: async (records) => {
                route53Hooks.beforeCleanUp?.();
                return (await route53Solver()).cleanUp(records);
              },
            }),
          },
          'dns: this test supports challtestsrv and route53 solvers only',
        );
      },
    });
    // Cleanup deletes pending keys; remember them all for the final no-key-material check.
    const recording = recordingPendingKeys(h.deps.store);
    h.deps.store = recording.store;
    pendingKeys = recording.keys;
    // The client trusts the proxy's certificate next to Pebble's.
    agent = new Agent({ ca: [...rootCertificates, h.pebble.tlsCaPem, proxy.caPem], keepAlive: true });
    configureAcmeHttp({ httpsAgent: agent });
    const result = await issue('baseline', ['baseline.example.com']);
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    baseline = await h.deps.store.readCurrent('baseline');
    assert.ok(baseline);
    totals.issued++;
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

  /** Starts an issuance (a spec) or a renewal (a name alone), remembering the name. */
  function issue(name: string, dnsNames?: string[], issuer = 'proxied', options?: { crashAfterWork?: boolean }) {
    requested.add(name);
    const input = dnsNames ? { certificate: { name, issuerRef: { name: issuer }, dnsNames } } : { name };
    return h.issue(input, options);
  }

  async function noChallengeRecords(dnsNames: string[]) {
    for (const name of dnsNames) {
      const record = `_acme-challenge.${name.replace(/^\*\./, '')}`;
      assert.deepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, record), [], `no TXT left at ${record}`);
    }
    const left = route53.records().filter((r) => r.name.includes('_acme-challenge'));
    assert.deepEqual(left, [], 'no TXT left in Route53');
  }

  async function baselineUntouched() {
    assert.deepEqual(await h.deps.store.readCurrent('baseline'), baseline, 'the earlier certificate is untouched');
    const record = await h.deps.inventory.get('baseline');
    assert.equal(getCondition(record!.status.conditions, 'Ready')?.status, 'True');
  }

  /**
   * Issues (or, without `dnsNames`, renews) `name` with `rules` in the proxy; returns the execution,
   * the faults it met, the CA requests it made and the task retries in its history.
   */
  async function issueWith(name: string, dnsNames: string[] | undefined, rules: FaultRule[], issuer = 'proxied') {
    const [injectedBefore, seenBefore] = [proxy.totalInjected(), proxy.requests.length];
    proxy.setRules(rules);
    try {
      const result = await issue(name, dnsNames, issuer);
      const requests = proxy.requests.slice(seenBefore);
      return { result, injected: proxy.totalInjected() - injectedBefore, requests, retries: retriesIn(result) };
    } finally {
      proxy.setRules([]);
    }
  }

  /** How many of `requests` went to `path` (by POST, as every ACME call after the directory does). */
  const sent = (requests: { method: string; path: string }[], path: RegExp) =>
    requests.filter((r) => r.method === 'POST' && path.test(r.path)).length;

  async function expectIssued(name: string, dnsNames: string[], result: ExecutionResult) {
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

  async function expectFailed(name: string, dnsNames: string[], result: ExecutionResult, reason: RegExp) {
    assert.equal(result.status, 'FAILED');
    const record = await h.deps.inventory.get(name);
    assert.ok(record, `${name} is in the inventory`);
    const ready = getCondition(record.status.conditions, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'Failed');
    assert.match(ready!.message, reason);
    assert.equal(await h.deps.store.readCurrent(name), undefined, 'no certificate written');
    assert.equal(await h.deps.store.readPendingKey(name, result.executionName), undefined, 'no pending key left');
    await noChallengeRecords(dnsNames);
    await baselineUntouched();
    totals.failedWithReason++;
  }

  /** A failed renewal: the served version is byte-identical, Ready stays True, Issuing says why. */
  async function expectRenewalFailed(
    name: string,
    dnsNames: string[],
    served: unknown,
    result: ExecutionResult,
    reason: RegExp,
  ) {
    assert.equal(result.status, 'FAILED');
    assert.deepEqual(await h.deps.store.readCurrent(name), served, 'the served certificate is untouched');
    assert.equal((await h.deps.store.listVersions(name)).length, 1, 'no new secret version');
    const record = await h.deps.inventory.get(name);
    assert.equal(getCondition(record!.status.conditions, 'Ready')?.status, 'True');
    const issuing = getCondition(record!.status.conditions, 'Issuing');
    assert.equal(issuing?.status, 'False');
    assert.equal(issuing?.reason, 'Failed');
    assert.match(issuing!.message, reason);
    assert.equal(await h.deps.store.readPendingKey(name, result.executionName), undefined, 'no pending key left');
    await noChallengeRecords(dnsNames);
    await baselineUntouched();
    totals.failedWithReason++;
  }

  /** Records the TXT values challtestsrv serves for `dnsName` when the fault fires. */
  function txtWhenFaulted(dnsName: string, seen: string[][]): FaultRule['onMatch'] {
    return async () => void seen.push(await txtValues(h.pebble.challtestsrv.dnsPort, `_acme-challenge.${dnsName}`));
  }

  it('issues when the CA answers 503 to the first two new-order requests', async () => {
    const names = ['five-xx.example.com'];
    const { result, injected, requests, retries } = await issueWith('five-xx', names, [
      { kind: 'serverError', method: 'POST', path: /^\/order-plz/, times: 2 },
    ]);
    assert.equal(injected, 2);
    assert.deepEqual(retries, { CreateOrder: 2 });
    assert.equal(sent(requests, /^\/order-plz/), 3, 'two refused, one served');
    await expectIssued('five-xx', names, result);
  });

  it('issues when the CA rejects nonces (badNonce) on finalize and on a challenge', async () => {
    const names = ['nonce.example.com', 'nonce2.example.com'];
    const { result, injected, requests, retries } = await issueWith('nonce', names, [
      { kind: 'badNonce', method: 'POST', path: /^\/finalize-order\//, times: 1 },
      { kind: 'badNonce', method: 'POST', path: /^\/chalZ\//, times: 1 },
    ]);
    assert.equal(injected, 2);
    assert.deepEqual(retries, {}, 'acme-client retries a bad nonce itself, at once');
    assert.equal(sent(requests, /^\/finalize-order\//), 2);
    assert.equal(sent(requests, /^\/chalZ\//), 3, 'two challenges, one of them twice');
    await expectIssued('nonce', names, result);
  });

  it('issues after a rateLimited answer with Retry-After: 1 (the rate-limit retrier waits)', async () => {
    const names = ['limited.example.com'];
    const { result, injected, requests, retries } = await issueWith('limited', names, [
      { kind: 'rateLimited', method: 'POST', path: /^\/authZ\//, times: 1, retryAfter: '1' },
    ]);
    assert.equal(injected, 1);
    assert.equal(sum(retries), 1, JSON.stringify(retries));
    assert.ok(sent(requests, /^\/authZ\//) <= MAX_STEP_ATTEMPTS + 2, 'authorizations read a bounded number of times');
    await expectIssued('limited', names, result);
  });

  it('issues when answers hang past the client timeout, then the connection dies', async () => {
    // The 10 s client timeout, shortened so that the test stays fast; the proxy hangs longer.
    acme.axios.defaults.timeout = 300;
    try {
      const names = ['slow.example.com'];
      const { result, injected, retries } = await issueWith('slow', names, [
        { kind: 'hang', method: 'POST', path: /^\/my-order\//, times: 2, hangMs: 1_500 },
      ]);
      assert.equal(injected, 2);
      assert.equal(sum(retries), 2, `one retry per timed-out request: ${JSON.stringify(retries)}`);
      await expectIssued('slow', names, result);
    } finally {
      acme.axios.defaults.timeout = ACME_REQUEST_TIMEOUT_MS;
    }
  });

  it('issues when connections drop before the CA sees the request', async () => {
    const names = ['dropped.example.com'];
    const { result, injected, requests, retries } = await issueWith('dropped', names, [
      { kind: 'drop', method: 'POST', path: /^\/certZ\//, times: 2 },
    ]);
    assert.equal(injected, 2);
    assert.equal(sum(retries), 2, JSON.stringify(retries));
    assert.equal(sent(requests, /^\/certZ\//), 3, 'two dropped, one served');
    await expectIssued('dropped', names, result);
  });

  it('issues when the finalize answer is lost after the CA accepted the CSR', async () => {
    const names = ['lost-answer.example.com'];
    const { result, injected, requests, retries } = await issueWith('lost-answer', names, [
      { kind: 'dropAfterForward', method: 'POST', path: /^\/finalize-order\//, times: 1 },
    ]);
    assert.equal(injected, 1);
    assert.deepEqual(retries, { Finalize: 1 });
    assert.ok(sent(requests, /^\/finalize-order\//) <= 2, 'finalize sent at most once more');
    await expectIssued('lost-answer', names, result);
  });

  it('fails with the CA message, after bounded retries, when the CA keeps answering 503', async () => {
    const names = ['down.example.com'];
    const { result, injected, requests, retries } = await issueWith('down', names, [
      { kind: 'serverError', method: 'POST', path: /^\/order-plz/, times: Number.POSITIVE_INFINITY },
    ]);
    assert.equal(injected, MAX_STEP_ATTEMPTS);
    assert.deepEqual(retries, { CreateOrder: MAX_STEP_ATTEMPTS - 1 });
    assert.equal(sent(requests, /^\/order-plz/), MAX_STEP_ATTEMPTS);
    await expectFailed('down', names, result, /503/);
  });

  it('fails at once, naming the limit, when Retry-After is longer than the execution may wait; retries then', async () => {
    const names = ['long-limit.example.com'];
    const started = Date.now();
    const { result, injected, retries } = await issueWith('long-limit', names, [
      {
        kind: 'rateLimited',
        method: 'POST',
        path: /^\/order-plz/,
        times: Number.POSITIVE_INFINITY,
        retryAfter: '86400',
      },
    ]);
    const ended = Date.now();
    assert.equal(injected, 1, 'a terminal limit is not retried');
    assert.deepEqual(retries, {});
    await expectFailed('long-limit', names, result, /rate limited until/);
    // The retry is at the CA's time (a day), not after the first failure's 1 h backoff.
    const { status } = (await h.deps.inventory.get('long-limit'))!;
    const retryAt = Date.parse(status.nextAttemptTime!);
    assert.ok(retryAt >= started + 86_400_000 && retryAt <= ended + 86_400_000, status.nextAttemptTime);
    assert.equal(h.deps.scheduler.list()['long-limit']?.at, status.nextAttemptTime, 'the schedule fires then');
  });

  it('fails with the refusal and removes its TXT records when the CA answers 403 to the challenge', async () => {
    const names = ['refused.example.com'];
    const seen: string[][] = [];
    const { result, injected, requests, retries } = await issueWith('refused', names, [
      {
        kind: 'unauthorized',
        method: 'POST',
        path: /^\/chalZ\//,
        times: Number.POSITIVE_INFINITY,
        onMatch: txtWhenFaulted('refused.example.com', seen),
      },
    ]);
    assert.equal(seen[0]?.length, 1, 'the TXT record was served when the CA refused');
    assert.equal(injected, 1, 'a refusal is not retried');
    assert.deepEqual(retries, {});
    assert.equal(sent(requests, /^\/chalZ\//), 1);
    await expectFailed('refused', names, result, /^acme: injected: account is not authorized/);
  });

  it('fails after bounded retries and removes its TXT records when finalize keeps answering 503', async () => {
    const names = ['no-finalize.example.com'];
    const seen: string[][] = [];
    const { result, injected, requests, retries } = await issueWith('no-finalize', names, [
      {
        kind: 'serverError',
        method: 'POST',
        path: /^\/finalize-order\//,
        times: Number.POSITIVE_INFINITY,
        onMatch: txtWhenFaulted('no-finalize.example.com', seen),
      },
    ]);
    assert.ok(seen.every((values) => values.length === 1) && seen.length > 0, 'TXT served while finalize failed');
    assert.equal(injected, MAX_STEP_ATTEMPTS);
    assert.deepEqual(retries, { Finalize: MAX_STEP_ATTEMPTS - 1 });
    assert.equal(sent(requests, /^\/finalize-order\//), MAX_STEP_ATTEMPTS);
    await expectFailed('no-finalize', names, result, /finalize-order.* answered 503/);
  });

  it('fails after bounded retries and removes its TXT records when Route53 throttles every propagation check', async () => {
    const names = ['throttled.example.net'];
    let getChanges = 0;
    let cleanUps = 0;
    // Throttling starts once the records are written and outlasts CheckPropagation and the first Cleanup.
    route53Hooks.afterPresent = () => {
      route53.faults.throttleEvery = 1;
      getChanges = -route53.calls.length;
    };
    route53Hooks.beforeCleanUp = () => {
      if (++cleanUps === 1) getChanges += route53.calls.length;
      if (cleanUps === 2) route53.faults.throttleEvery = undefined;
    };
    let outcome;
    try {
      outcome = await issueWith('throttled', names, [], 'route53');
    } finally {
      route53Hooks.afterPresent = route53Hooks.beforeCleanUp = undefined;
      route53.faults.throttleEvery = undefined;
    }
    const { result, retries } = outcome;
    assert.deepEqual(retries, { CheckPropagation: MAX_STEP_ATTEMPTS - 1, Cleanup: 1 });
    assert.equal(getChanges, MAX_STEP_ATTEMPTS * SDK_ATTEMPTS, 'every GetChange attempt, and no more');
    totals.faultsInjected += getChanges + SDK_ATTEMPTS;
    await expectFailed('throttled', names, result, /^route53: reading change .*Throttling: Rate exceeded/);
  });

  it('issues through Route53 answering Throttling and PriorRequestNotComplete', async () => {
    const names = ['*.faults.example.net', 'faults.example.net'];
    const callsBefore = route53.calls.length;
    route53.faults.throttleEvery = 3;
    route53.faults.priorRequestNotComplete = 2;
    let outcome;
    try {
      outcome = await issueWith('route53-faults', names, [], 'route53');
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
    // The SDK absorbs most faults; what reaches a step is retried a bounded number of times.
    assert.ok(sum(outcome.retries) <= faults, JSON.stringify(outcome.retries));
    await expectIssued('route53-faults', names, outcome.result);
  });

  /** Runs `body` with `putCurrent` of the certificate store replaced by `put`. */
  async function withStoreWrites<T>(put: CertificateStore['putCurrent'], body: () => Promise<T>): Promise<T> {
    const store = h.deps.store;
    h.deps.store = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === 'putCurrent') return put;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    try {
      return await body();
    } finally {
      h.deps.store = store;
    }
  }

  it('issues when the first write of the certificate secret fails transiently', async () => {
    const store = h.deps.store;
    let failures = 0;
    const names = ['store-fault.example.com'];
    const result = await withStoreWrites(
      async (...args) => {
        if (failures++ === 0) throw new TransientError('secrets: injected: service unavailable');
        return store.putCurrent(...args);
      },
      () => issue('store-fault', names),
    );
    assert.equal(failures, 2, 'one failed write, one good one');
    assert.deepEqual(retriesIn(result), { Store: 1 });
    totals.faultsInjected++;
    await expectIssued('store-fault', names, result);
  });

  it('keeps serving the certificate when its renewal meets a CA that refuses to finalize', async () => {
    const names = ['renewed.example.com'];
    await expectIssued('renewed', names, (await issueWith('renewed', names, [])).result);
    const served = await h.deps.store.readCurrent('renewed');
    const { result, injected, requests, retries } = await issueWith('renewed', undefined, [
      { kind: 'unauthorized', method: 'POST', path: /^\/finalize-order\//, times: Number.POSITIVE_INFINITY },
    ]);
    assert.equal(injected, 1);
    assert.deepEqual(retries, {});
    assert.equal(sent(requests, /^\/finalize-order\//), 1);
    await expectRenewalFailed('renewed', names, served, result, /acme: injected: account is not authorized/);
  });

  it('keeps serving the certificate when Secrets Manager denies writing its renewal', async () => {
    const names = ['denied.example.com'];
    await expectIssued('denied', names, (await issueWith('denied', names, [])).result);
    const served = await h.deps.store.readCurrent('denied');
    let writes = 0;
    const accessDenied = Object.assign(
      new Error(
        'User: arn:aws:sts::000000000000:assumed-role/certflow-store is not authorized to perform: ' +
          'secretsmanager:PutSecretValue',
      ),
      { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
    );
    const result = await withStoreWrites(
      async (name) => {
        writes++;
        throw secretsManagerError(`writing certificate "${name}"`, accessDenied);
      },
      () => issue('denied'),
    );
    totals.faultsInjected += writes;
    assert.equal(writes, 1, 'a denial is not retried');
    assert.deepEqual(retriesIn(result), {});
    await expectRenewalFailed(
      'denied',
      names,
      served,
      result,
      /secretsmanager: writing certificate "denied" failed: AccessDeniedException/,
    );
  });

  it('issues once when every Lambda dies after doing its work and is run again', async () => {
    const names = ['crash.example.com', '*.crash.example.com'];
    const result = await issue('crash', names, 'proxied', { crashAfterWork: true });
    // Every Task entered died once after its work (Runtime.ExitError), and the synthesized
    // definition's own Retry ran it again on the same input: one retry per Task entry.
    const taskEntries: Record<string, number> = {};
    for (const e of result.history as HistoryEvent[]) {
      if (e.type === 'StateEntered' && e.state?.type === 'Task') {
        taskEntries[e.state.name!] = (taskEntries[e.state.name!] ?? 0) + 1;
      }
    }
    totals.faultsInjected += sum(taskEntries);
    assert.deepEqual(retriesIn(result), taskEntries);
    await expectIssued('crash', names, result);
    const record = await h.deps.inventory.get('crash');
    assert.deepEqual(
      record!.events.map((e) => e.reason),
      ['Issuing', 'Generated', 'Requested', 'Issued'],
    );
  });

  it('loses no certificate: every one is issued or failed with a reason', async () => {
    assert.ok(requested.size > 0);
    for (const name of requested) {
      const record = await h.deps.inventory.get(name);
      const conditions = record?.status.conditions ?? [];
      const ready = getCondition(conditions, 'Ready');
      const stored = await h.deps.store.readCurrent(name);
      const served = ready?.status === 'True' && stored !== undefined && parsesAndMatches(stored);
      const failedWithReason = [ready, getCondition(conditions, 'Issuing')].some(
        (c) => c?.status === 'False' && c.reason === 'Failed' && c.message.length > 0,
      );
      if (!record || !(served || failedWithReason)) totals.lost++;
    }
    assert.equal(totals.lost, 0);
  });

  it('never lets a private key into logs, execution histories or events', async () => {
    const keys = [...(await harnessKeyPems(h)), ...pendingKeys];
    assert.ok(pendingKeys.length >= totals.issued, `${pendingKeys.length} pending keys recorded`);
    assertNoKeyMaterial(await harnessHaystacks(h), keys);
  });
});
