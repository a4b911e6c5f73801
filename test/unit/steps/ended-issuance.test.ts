import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { issuing, presenting } from '../../../shared/certificates/status.js';
import type { CertificateRecord } from '../../../shared/domain/record.js';
import { getCondition, type Leftover, type PresentedRecord } from '../../../shared/domain/status.js';
import { DnsError } from '../../../shared/errors.js';
import { updateRecord } from '../../../shared/inventory/records.js';
import { logger } from '../../../shared/logger.js';
import type { ExecutionInput, IssuanceStarter } from '../../../shared/ports/executions.js';
import {
  executionEnded,
  removeLeftovers,
  restartAbandoned,
  settleEndedIssuance,
} from '../../../shared/steps/ended-issuance.js';
import { ACME_ISSUER, NOW, RecordingSolver, localAdapters, solversOf, spec, withRecord } from './fixtures.js';

const EXECUTION = 'web-r1-abc';
const PRESENTED: PresentedRecord[] = [
  { recordName: '_acme-challenge.web.example.com', value: 'txt-web', solver: 0 },
  { recordName: '_acme-challenge.api.example.org', value: 'txt-api', solver: 1 },
];

/** Starts each execution name once, as Step Functions does, and remembers what it started. */
class RecordingStarter implements IssuanceStarter {
  readonly starts: { executionName: string; input: ExecutionInput }[] = [];
  async start(executionName: string, input: ExecutionInput) {
    if (this.starts.some((s) => s.executionName === executionName)) return { started: false };
    this.starts.push({ executionName, input });
    return { started: true, executionId: executionName };
  }
  async describe() {
    return { status: 'MISSING' as const };
  }
}

describe('Step: ended issuance (execution-ended and the sweep)', () => {
  let adapters: Awaited<ReturnType<typeof localAdapters>>;
  let solvers: [RecordingSolver, RecordingSolver];
  let deps: ReturnType<typeof depsOf>;
  let warnings: ReturnType<typeof mock.method>;

  function depsOf(a: typeof adapters, s: RecordingSolver[]) {
    const { inventory, store, events, scheduler, clock, issuers } = a;
    return { inventory, store, events, scheduler, clock, issuers, dns: solversOf(ACME_ISSUER, s) };
  }

  beforeEach(async () => {
    adapters = await localAdapters();
    solvers = [new RecordingSolver(), new RecordingSolver()];
    deps = depsOf(adapters, solvers);
    warnings = mock.method(logger, 'warn', () => undefined);
  });

  afterEach(async () => {
    warnings.mock.restore();
    await adapters.close();
  });

  /** `web` with the lease of `holder`, which presented PRESENTED and wrote a pending key. */
  async function leased(holder = EXECUTION): Promise<CertificateRecord> {
    await withRecord(adapters.inventory, spec());
    await updateRecord(adapters.inventory, adapters.clock, 'web', (record, now) =>
      issuing(record, { issuanceId: holder, issuer: 'le', reason: 'Issuing', message: 'Issuing certificate' }, now),
    );
    await updateRecord(adapters.inventory, adapters.clock, 'web', (record) => presenting(record, holder, PRESENTED));
    await adapters.store.putPendingKey('web', holder, 'pending key of the ended issuance');
    return (await adapters.inventory.get('web'))!;
  }

  const cleanedValues = () => solvers.map((s) => s.cleaned.flat().map((r) => `${r.name}=${r.value}`));
  const failureEvents = () => adapters.events.published.filter((e) => e.type === 'Certificate Issuance Failed');
  /** The error name settling logged for the issuance (what the failure metric is counted by). */
  const loggedErrors = () =>
    warnings.mock.calls
      .filter((c) => c.arguments[0] === 'ended execution: settling its issuance')
      .map((c) => (c.arguments[1] as { error: string }).error);

  describe('settleEndedIssuance', () => {
    it('cleans up the TXT values the lease names and the pending key, records the failure and schedules the retry', async () => {
      await leased();
      const out = await settleEndedIssuance('web', { executionName: EXECUTION, status: 'TIMED_OUT' }, deps);

      assert.equal(out.settled, true);
      assert.equal(out.lease?.id, EXECUTION);
      assert.deepEqual(cleanedValues(), [
        ['_acme-challenge.web.example.com=txt-web'],
        ['_acme-challenge.api.example.org=txt-api'],
      ]);
      assert.equal(await adapters.store.readPendingKey('web', EXECUTION), undefined, 'the pending key is gone');

      const record = (await adapters.inventory.get('web'))!;
      assert.deepEqual(out.record, record);
      assert.equal(record.status.issuance, undefined, 'the lease is released');
      const issuingCondition = getCondition(record.status.conditions, 'Issuing');
      assert.equal(`${issuingCondition?.status}/${issuingCondition?.reason}`, 'False/Failed');
      assert.equal(record.status.failedIssuanceAttempts, 1);
      assert.equal(record.status.lastFailedIssuanceId, EXECUTION);
      assert.equal(record.status.leftovers, undefined, 'nothing left behind');

      const [event, ...more] = failureEvents();
      assert.deepEqual(more, []);
      assert.equal(event!.detail.name, 'web');
      assert.equal(event!.detail.reason, 'Failed');
      assert.match(event!.detail.message ?? '', new RegExp(`${EXECUTION}.*timeout`));

      assert.ok(record.status.nextAttemptTime, 'a next attempt is planned');
      const retry = adapters.scheduler.list().web;
      assert.equal(retry?.at, record.status.nextAttemptTime);
      assert.deepEqual(retry?.input, { name: 'web', reason: 'Retrying' });
      assert.deepEqual(loggedErrors(), ['States.Timeout']);
    });

    for (const [status, expected] of [
      ['TIMED_OUT', 'States.Timeout'],
      ['ABORTED', 'ExecutionAborted'],
      ['FAILED', 'ExecutionFailed'],
      ['MISSING', 'ExecutionLost'],
    ] as const) {
      it(`records ${status} as ${expected} when the execution names no error`, async () => {
        await leased();
        await settleEndedIssuance('web', { executionName: EXECUTION, status }, deps);
        assert.deepEqual(loggedErrors(), [expected]);
      });
    }

    it('records the error the execution names, and its cause in the message', async () => {
      await leased();
      await settleEndedIssuance(
        'web',
        {
          executionName: EXECUTION,
          status: 'FAILED',
          error: 'Lambda.ServiceException',
          cause: 'the Lambda service failed',
        },
        deps,
      );
      assert.deepEqual(loggedErrors(), ['Lambda.ServiceException']);
      assert.match(failureEvents()[0]!.detail.message ?? '', /ended FAILED .*: the Lambda service failed$/);
    });

    it('is idempotent: settling the same execution again changes nothing', async () => {
      await leased();
      await settleEndedIssuance('web', { executionName: EXECUTION, status: 'ABORTED' }, deps);
      const before = (await adapters.inventory.get('web'))!;
      const again = await settleEndedIssuance('web', { executionName: EXECUTION, status: 'ABORTED' }, deps);
      assert.equal(again.settled, false);
      assert.deepEqual(await adapters.inventory.get('web'), before);
      assert.equal(failureEvents().length, 1, 'no second failure event');
      assert.equal(solvers[0].cleaned.length, 1, 'no second cleanup');
    });

    it('changes nothing when another issuance holds the lease', async () => {
      await leased('web-r1-newer');
      const before = (await adapters.inventory.get('web'))!;
      const out = await settleEndedIssuance('web', { executionName: EXECUTION, status: 'TIMED_OUT' }, deps);
      assert.equal(out.settled, false);
      assert.deepEqual(await adapters.inventory.get('web'), before);
      assert.deepEqual(cleanedValues(), [[], []]);
      assert.equal(await adapters.store.readPendingKey('web', 'web-r1-newer'), 'pending key of the ended issuance');
      assert.deepEqual(adapters.events.published, []);
      assert.deepEqual(adapters.scheduler.list(), {});
    });

    it('changes nothing when there is no record', async () => {
      const out = await settleEndedIssuance('web', { executionName: EXECUTION, status: 'TIMED_OUT' }, deps);
      assert.deepEqual(out, { settled: false, record: undefined });
      assert.deepEqual(cleanedValues(), [[], []]);
      assert.deepEqual(adapters.events.published, []);
    });

    it('a Cleanup that fails is recorded with the failure: the TXT values become leftovers', async () => {
      await leased();
      solvers[0].failWith = new DnsError('route53: changing TXT "_acme-challenge.web.example.com": Throttling');
      const out = await settleEndedIssuance('web', { executionName: EXECUTION, status: 'TIMED_OUT' }, deps);

      assert.equal(out.settled, true);
      const record = (await adapters.inventory.get('web'))!;
      assert.equal(record.status.issuance, undefined);
      assert.equal(record.status.failedIssuanceAttempts, 1);
      assert.deepEqual(record.status.leftovers, [
        { issuanceId: EXECUTION, issuer: 'le', records: PRESENTED, since: NOW.toISOString() },
      ]);
      const reasons = record.events.map((e) => `${e.reason}: ${e.message}`);
      assert.ok(reasons.includes('CleanupFailed: route53: changing TXT "_acme-challenge.web.example.com": Throttling'));
      assert.ok(reasons.some((r) => r.startsWith(`Failed: the issuance ${EXECUTION} ran past`)));
      assert.equal(await adapters.store.readPendingKey('web', EXECUTION), undefined, 'the key goes even so');
      assert.equal(failureEvents().length, 1);
    });
  });

  describe('executionEnded', () => {
    const change = (status: string, input: string | null, extra: Record<string, string> = {}) => ({
      detail: { name: EXECUTION, status, input, error: null, cause: null, ...extra },
    });

    for (const status of ['SUCCEEDED', 'RUNNING']) {
      it(`ignores ${status}`, async () => {
        const before = await leased();
        const out = await executionEnded(change(status, JSON.stringify({ name: 'web' })), deps);
        assert.deepEqual(out, { settled: false });
        assert.deepEqual(await adapters.inventory.get('web'), before);
        assert.deepEqual(cleanedValues(), [[], []]);
      });
    }

    it('settles the certificate the input names', async () => {
      await leased();
      const out = await executionEnded(change('TIMED_OUT', JSON.stringify({ name: 'web', reason: 'Issuing' })), deps);
      assert.equal(out.settled, true);
      assert.equal((await adapters.inventory.get('web'))!.status.issuance, undefined);
      assert.deepEqual(loggedErrors(), ['States.Timeout']);
    });

    it('settles the certificate a spec input names, passing the error on', async () => {
      await leased();
      const input = JSON.stringify({
        certificate: { name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'] },
      });
      const out = await executionEnded(change('FAILED', input, { error: 'States.Runtime', cause: 'bad path' }), deps);
      assert.equal(out.settled, true);
      assert.equal((await adapters.inventory.get('web'))!.status.failedIssuanceAttempts, 1);
      assert.deepEqual(loggedErrors(), ['States.Runtime']);
      assert.match(failureEvents()[0]!.detail.message ?? '', /: bad path$/);
    });

    for (const [what, input] of [
      ['no input', null],
      ['an input that is not JSON', '{"name": "web"'],
      ['an input that names no certificate', '{"reason":"Issuing"}'],
    ] as const) {
      it(`changes nothing for ${what}`, async () => {
        const before = await leased();
        const out = await executionEnded(change('ABORTED', input), deps);
        assert.deepEqual(out, { settled: false });
        assert.deepEqual(await adapters.inventory.get('web'), before);
        assert.deepEqual(cleanedValues(), [[], []]);
        assert.deepEqual(adapters.events.published, []);
      });
    }
  });

  describe('restartAbandoned', () => {
    it('settles, then starts the certificate once under the retry name', async () => {
      const before = await leased();
      const issuance = new RecordingStarter();
      const out = await restartAbandoned('web', { executionName: EXECUTION, status: 'MISSING' }, { ...deps, issuance });
      const startedAt = before.status.issuance!.startedAt;
      const expectedName = `web-retry1-${Date.parse(startedAt).toString(36)}`;
      assert.equal(out.settled, true);
      assert.equal(out.started, true);
      assert.equal(out.executionName, expectedName);
      assert.deepEqual(issuance.starts, [{ executionName: expectedName, input: { name: 'web', reason: 'Retrying' } }]);
      assert.equal((await adapters.inventory.get('web'))!.status.issuance, undefined);
    });

    it('starts nothing when there was nothing to settle', async () => {
      await leased('web-r1-newer');
      const issuance = new RecordingStarter();
      const out = await restartAbandoned('web', { executionName: EXECUTION, status: 'FAILED' }, { ...deps, issuance });
      assert.equal(out.settled, false);
      assert.equal(out.started, false);
      assert.deepEqual(issuance.starts, []);
    });
  });

  describe('removeLeftovers', () => {
    const leftovers: Leftover[] = [
      { issuanceId: 'web-r1-old', issuer: 'le', records: [PRESENTED[0]!], since: '2026-05-31T00:00:00.000Z' },
      { issuanceId: 'web-r2-old', issuer: 'le', records: [PRESENTED[1]!], since: '2026-05-31T01:00:00.000Z' },
    ];

    async function littered(): Promise<CertificateRecord> {
      const record = await withRecord(adapters.inventory, spec());
      await adapters.inventory.put({ ...record, status: { ...record.status, leftovers } }, record.version);
      return (await adapters.inventory.get('web'))!;
    }

    it('removes each leftover’s TXT values and drops them from the record', async () => {
      const record = await littered();
      await adapters.store.putPendingKey('web', 'web-r1-old', 'key');
      const out = await removeLeftovers(record, deps);
      assert.deepEqual(out, { removed: 2, failed: 0 });
      assert.deepEqual(cleanedValues(), [
        ['_acme-challenge.web.example.com=txt-web'],
        ['_acme-challenge.api.example.org=txt-api'],
      ]);
      const after = (await adapters.inventory.get('web'))!;
      assert.equal(after.status.leftovers, undefined);
      assert.deepEqual(
        after.events.map((e) => `${e.type} ${e.reason}: ${e.message}`).at(-1),
        'Normal LeftoversRemoved: removed 2 TXT value(s) left by issuance(s) web-r1-old, web-r2-old',
      );
      assert.equal(await adapters.store.readPendingKey('web', 'web-r1-old'), 'key', 'not this step’s to discard');
    });

    it('keeps a leftover whose removal fails, and counts it', async () => {
      const record = await littered();
      solvers[1].failWith = new DnsError('dns: challtestsrv refused');
      const out = await removeLeftovers(record, deps);
      assert.deepEqual(out, { removed: 1, failed: 1 });
      const after = (await adapters.inventory.get('web'))!;
      assert.deepEqual(after.status.leftovers, [leftovers[1]]);
      assert.match(after.events.at(-1)!.message, /^removed 1 TXT value\(s\) left by issuance\(s\) web-r1-old$/);
    });

    it('writes nothing when no removal succeeds', async () => {
      const record = await littered();
      solvers[0].failWith = new DnsError('route53: AccessDenied');
      solvers[1].failWith = new DnsError('dns: challtestsrv refused');
      assert.deepEqual(await removeLeftovers(record, deps), { removed: 0, failed: 2 });
      assert.deepEqual(await adapters.inventory.get('web'), record);
    });
  });
});
