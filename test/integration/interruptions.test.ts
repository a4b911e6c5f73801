/**
 * Every interruption ends in a known state (issue #12, cases d and f), against a real Pebble
 * through the synthesized state machine: an execution stopped mid-issuance, and one past its
 * timeout whose status-change event was lost, leave no TXT value and no pending key behind once
 * execution-ended or the sweep has seen them, and the certificate is issued again; a 10-minute
 * certificate is renewed by its own schedule, with no sweep.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCertificate } from '../../shared/domain/certificate-info.js';
import { getCondition } from '../../shared/domain/status.js';
import { ISSUANCE_TIMEOUT_MS } from '../../shared/certificates/executions.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import { LocalIssuanceStarter, statusChangeOf } from '../../shared/local/issuance-starter.js';
import { type ExecutionResult, type Handler, LocalStateMachine } from '../../shared/local/state-machine.js';
import { sweep } from '../../shared/renewal/sweep.js';
import { type Harness, startHarness, txtValues } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

/** A clock the test moves forward (the lease and the backoff read it; Pebble keeps real time). */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Integration: interrupted issuances end in a known state', { skip }, () => {
  let h: Harness;
  const results: ExecutionResult[] = [];

  before(async () => {
    h = await startHarness({
      clock,
      issuers: (pebble) => [
        {
          kind: 'acme',
          name: 'pebble',
          server: pebble.directoryUrl,
          solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
        },
        { kind: 'selfSigned', name: 'selfsigned' },
      ],
    });
  });
  after(async () => h?.stop());

  /**
   * The handlers, except that the first PollOrder of each certificate in `hang` signals `entered`
   * and never answers in time: the execution sits after Finalize, its TXT values presented and its
   * pending key written, until it is stopped or times out.
   */
  function hangingLoader(hang: Map<string, ReturnType<typeof deferred>>) {
    return async (step: string): Promise<Handler> => {
      const real = await h.loadHandler(step);
      if (step !== 'poll-order') return real;
      return async (event: { name?: string }) => {
        const entered = event.name ? hang.get(event.name) : undefined;
        if (!entered) return real(event);
        hang.delete(event.name!);
        entered.resolve();
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        throw new Error('poll-order: answered after its execution ended');
      };
    };
  }

  async function pendingKeyOf(name: string, issuanceId: string) {
    return h.deps.store.readPendingKey(name, issuanceId);
  }

  const spec = (name: string) => ({ name, issuerRef: { name: 'pebble' }, dnsNames: [`${name}.example.com`] });

  it('(d) a stopped execution: execution-ended removes its TXT values and pending key and records the failure; the retry issues it', async () => {
    const hang = new Map([['stopped', deferred()]]);
    const machine = new LocalStateMachine({ template: h.template, loadHandler: hangingLoader(hang) });
    const ended = (await h.loadHandler('execution-ended')) as (event: unknown) => Promise<unknown>;
    const starter = new LocalIssuanceStarter(machine, {
      onFinished: async (result) => {
        results.push(result);
        if (result.status !== 'SUCCEEDED') await ended(statusChangeOf(result));
      },
    });
    h.deps.issuance = starter;
    const entered = hang.get('stopped')!.promise;

    assert.equal((await starter.start('stopped-r1', { certificate: spec('stopped') })).started, true);
    await entered;
    const lease = (await h.deps.inventory.get('stopped'))!.status.issuance!;
    assert.equal(lease.id, 'stopped-r1');
    assert.ok(lease.presented?.length, 'the lease names its TXT values');
    assert.notDeepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, '_acme-challenge.stopped.example.com'), []);
    assert.ok(await pendingKeyOf('stopped', 'stopped-r1'), 'Finalize wrote the pending key');

    assert.equal(starter.stop('stopped-r1'), true);
    await starter.idle();
    assert.equal(results.at(-1)?.status, 'ABORTED');
    assert.deepEqual((await starter.describe('stopped-r1')).status, 'ABORTED');

    // execution-ended ran Cleanup and RecordFailure for it.
    assert.deepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, '_acme-challenge.stopped.example.com'), []);
    assert.equal(await pendingKeyOf('stopped', 'stopped-r1'), undefined);
    const record = (await h.deps.inventory.get('stopped'))!;
    assert.equal(record.status.issuance, undefined, 'the lease is released');
    assert.equal(getCondition(record.status.conditions, 'Issuing')?.status, 'False');
    assert.equal(getCondition(record.status.conditions, 'Ready')?.reason, 'Failed');
    assert.match(getCondition(record.status.conditions, 'Ready')?.message ?? '', /stopped-r1 was stopped/);
    assert.equal(record.status.failedIssuanceAttempts, 1);
    const failure = h.deps.events.published.filter(
      (e) => e.type === 'Certificate Issuance Failed' && e.detail.name === 'stopped',
    );
    assert.equal(failure.length, 1);
    const retry = h.deps.scheduler.list().stopped;
    assert.equal(retry?.at, record.status.nextAttemptTime, 'the retry is scheduled after the backoff');

    // The same status change delivered again changes nothing.
    await ended(statusChangeOf(results.at(-1)!));
    assert.equal((await h.deps.inventory.get('stopped'))!.version, record.version);

    // The backoff ends: the sweep (as the schedule would) starts the retry, which issues.
    offsetMs = Date.parse(record.status.nextAttemptTime!) - Date.now() + 1_000;
    const report = await sweep(h.deps, { expiryWarningDays: 20 });
    assert.equal(report.started, 1);
    await starter.idle();
    const retried = (await h.deps.inventory.get('stopped'))!;
    assert.equal(getCondition(retried.status.conditions, 'Ready')?.status, 'True', JSON.stringify(results.at(-1)));
    assert.equal(retried.status.failedIssuanceAttempts, 0);
    const current = await h.deps.store.readCurrent('stopped');
    assert.deepEqual(parseCertificate(current!['tls.crt']).dnsNames, ['stopped.example.com']);
    offsetMs = 0;
  });

  it('(d) an execution past its timeout, its event lost: the next sweep settles it and starts it again', async () => {
    const hang = new Map([['late', deferred()]]);
    // A one-second TimeoutSeconds for the first execution; the restart runs with the real one.
    const timingOut = new LocalStateMachine({ template: h.template, loadHandler: hangingLoader(hang), timeoutSeconds: 1 });
    const normal = new LocalStateMachine({ template: h.template, loadHandler: h.loadHandler });
    let first = true;
    const machine = {
      execute: (...args: Parameters<LocalStateMachine['execute']>) => {
        const chosen = first ? timingOut : normal;
        first = false;
        return chosen.execute(...args);
      },
    } as LocalStateMachine;
    // No onFinished: the status-change event is lost.
    const starter = new LocalIssuanceStarter(machine, { onFinished: (result) => void results.push(result) });
    h.deps.issuance = starter;

    await starter.start('late-r1', { certificate: spec('late') });
    await hang.get('late')!.promise;
    await starter.idle();
    assert.equal(results.at(-1)?.status, 'TIMED_OUT');
    assert.equal(results.at(-1)?.error, 'States.Timeout');
    const stuck = (await h.deps.inventory.get('late'))!;
    assert.equal(stuck.status.issuance?.id, 'late-r1', 'nothing released the lease');
    assert.equal(getCondition(stuck.status.conditions, 'Issuing')?.status, 'True');
    assert.notDeepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, '_acme-challenge.late.example.com'), []);

    // A sweep while the lease is live leaves it alone.
    const early = await sweep(h.deps, { expiryWarningDays: 20 });
    assert.equal(early.abandoned, 0);
    assert.equal((await h.deps.inventory.get('late'))!.status.issuance?.id, 'late-r1');

    // Past the lease: the sweep asks for the execution, settles it, restarts it under a new name.
    offsetMs = ISSUANCE_TIMEOUT_MS + 60_000;
    const report = await sweep(h.deps, { expiryWarningDays: 20 });
    assert.equal(report.abandoned, 1);
    assert.equal(report.started, 1);
    assert.deepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, '_acme-challenge.late.example.com'), []);
    assert.equal(await pendingKeyOf('late', 'late-r1'), undefined);
    await starter.idle();
    const restarted = results.at(-1)!;
    assert.match(restarted.executionName, /^late-retry1-[0-9a-z]+$/);
    assert.equal(restarted.status, 'SUCCEEDED', `${restarted.error}: ${restarted.cause}`);
    const record = (await h.deps.inventory.get('late'))!;
    assert.equal(getCondition(record.status.conditions, 'Ready')?.status, 'True');
    assert.equal(record.status.issuance, undefined);
    assert.equal(record.status.failedIssuanceAttempts, 0);
    assert.ok(
      record.events.some((e) => /late-r1 ran past the state machine's timeout/.test(e.message)),
      'the timeout is in the history',
    );
    // A second sweep finds nothing more to do for it.
    const again = await sweep(h.deps, { expiryWarningDays: 20 });
    assert.equal(again.abandoned, 0);
    offsetMs = 0;
  });

  it('(f) a 10-minute certificate is renewed by its own schedule, with no sweep', async () => {
    const normal = new LocalStateMachine({ template: h.template, loadHandler: h.loadHandler });
    const starter = new LocalIssuanceStarter(normal, { onFinished: (result) => void results.push(result) });
    h.deps.issuance = starter;
    h.deps.scheduler.attach(starter);
    // Renewal 2 s after issuance: the schedule Publish writes is what fires it.
    const short = { name: 'short', issuerRef: { name: 'selfsigned' }, dnsNames: ['short.example.com'], duration: '10m', renewBefore: '9m58s' };
    await starter.start('short-r1', { certificate: short });
    await starter.idle();
    const first = (await h.deps.inventory.get('short'))!;
    assert.equal(getCondition(first.status.conditions, 'Ready')?.status, 'True');
    const entry = h.deps.scheduler.list().short;
    assert.equal(entry?.at, first.status.renewalTime, 'Publish scheduled the renewal');

    const deadline = Date.now() + 30_000;
    let renewed = first;
    while (renewed.status.serialNumber === first.status.serialNumber) {
      assert.ok(Date.now() < deadline, 'renewed within 30 s of its renewal time');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await starter.idle();
      renewed = (await h.deps.inventory.get('short'))!;
    }
    assert.equal(getCondition(renewed.status.conditions, 'Ready')?.status, 'True');
    assert.equal(results.at(-1)?.executionName, entry!.executionName, 'the schedule started it');
    assert.ok(Date.parse(renewed.status.notAfter!) > Date.parse(first.status.notAfter!));
    h.deps.scheduler.stop();
  });

  it('leaves no private key in any execution data, log or event', async () => {
    const haystacks = { ...(await harnessHaystacks(h)), executions: JSON.stringify(results) };
    assertNoKeyMaterial(haystacks, await harnessKeyPems(h));
  });
});
