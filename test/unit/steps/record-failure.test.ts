import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalEventPublisher } from '../../../shared/adapters/local/local-event-publisher.js';
import { MemoryInventory } from '../../../shared/adapters/local/memory-inventory.js';
import { validateSpec } from '../../../shared/domain/validate-spec.js';
import { applySpec, updateRecord } from '../../../shared/inventory/records.js';
import { issuing, presenting } from '../../../shared/certificates/status.js';
import { LocalRenewalScheduler } from '../../../shared/local/scheduler.js';
import { recordFailure } from '../../../shared/steps/record-failure.js';
import { rateLimitedUntilMessage } from '../../../shared/errors.js';
import { dueExecutionName } from '../../../shared/certificates/executions.js';

const lambdaCause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage });

describe('Step: recordFailure', () => {
  /** A certificate whose lease issuance `holder` holds (Prepare ran). */
  async function setup(holder = 'exec-1') {
    const clock = { now: () => new Date('2026-06-01T00:00:00Z') };
    const inventory = new MemoryInventory();
    const spec = validateSpec({ name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'] });
    await applySpec(inventory, clock, spec);
    await updateRecord(inventory, clock, 'web', (record, now) =>
      issuing(record, { issuanceId: holder, issuer: 'le', reason: 'Issuing', message: 'Issuing' }, now),
    );
    const deps = { inventory, clock, events: new LocalEventPublisher(), scheduler: new LocalRenewalScheduler() };
    return { deps, inventory };
  }

  it('keeps a Cleanup that failed for good as its own event, naming the records left', async () => {
    const { deps, inventory } = await setup();
    const out = await recordFailure(
      {
        name: 'web',
        revision: 1,
        issuanceId: 'exec-1',
        error: { Error: 'AcmeError', Cause: lambdaCause('AcmeError', 'acme: finalize refused') },
        cleanupError: {
          Error: 'TransientError',
          Cause: lambdaCause('TransientError', 'route53: changing TXT "_acme-challenge.web.example.com": Throttling'),
        },
      },
      deps,
    );
    assert.equal(out.failure.message, 'acme: finalize refused', 'the failure reported is the issuance’s');
    const events = (await inventory.get('web'))!.events.map((e) => `${e.reason}: ${e.message}`);
    assert.ok(events.includes('Failed: acme: finalize refused'));
    assert.ok(events.includes('CleanupFailed: route53: changing TXT "_acme-challenge.web.example.com": Throttling'));
  });

  describe('a rate limit too long to wait out: the retry at the CA’s time when later than the backoff', () => {
    // The first failure's backoff is 1 h: a CA time a day away wins, one 10 min away does not.
    const cases = [
      { name: 'the CA’s time a day away', until: '2026-06-02T00:00:00.000Z', expected: '2026-06-02T00:00:00.000Z' },
      { name: 'the CA’s time in 10 min', until: '2026-06-01T00:10:00.000Z', expected: '2026-06-01T01:00:00.000Z' },
      { name: 'any other failure', until: undefined, expected: '2026-06-01T01:00:00.000Z' },
    ];
    for (const { name, until, expected } of cases) {
      it(`${name}: retry at ${expected}`, async () => {
        const { deps, inventory } = await setup('exec-3');
        const message = until
          ? rateLimitedUntilMessage(new Date(until), 'too many certificates (5) for this exact set of identifiers')
          : 'acme: validation of "web.example.com" failed: no TXT record';
        await recordFailure(
          {
            name: 'web',
            revision: 1,
            issuanceId: 'exec-3',
            error: { Error: 'AcmeError', Cause: lambdaCause('AcmeError', message) },
          },
          deps,
        );
        const record = (await inventory.get('web'))!;
        assert.equal(record.status.nextAttemptTime, expected);
        assert.equal(record.status.failedIssuanceAttempts, 1);
        assert.ok(record.events.some((e) => e.reason === 'Failed' && e.message === message));
        const scheduled = deps.scheduler.list().web!;
        assert.equal(scheduled.at, expected, 'the schedule fires at the retry time');
        assert.equal(scheduled.executionName, dueExecutionName({ name: 'web' }, new Date(expected)));
        assert.deepEqual(scheduled.input, { name: 'web', reason: 'Retrying' });
      });
    }
  });

  it('adds no CleanupFailed event when Cleanup succeeded', async () => {
    const { deps, inventory } = await setup('exec-2');
    await recordFailure(
      {
        name: 'web',
        revision: 1,
        issuanceId: 'exec-2',
        error: { Error: 'AcmeError', Cause: lambdaCause('AcmeError', 'no') },
      },
      deps,
    );
    assert.ok(!(await inventory.get('web'))!.events.some((e) => e.reason === 'CleanupFailed'));
  });

  it('keeps the TXT values a failed Cleanup left as leftovers, and releases the lease', async () => {
    const { deps, inventory } = await setup();
    const presented = [{ recordName: '_acme-challenge.web.example.com', value: 'txt-web', solver: 0 }];
    await updateRecord(inventory, deps.clock, 'web', (record) => presenting(record, 'exec-1', presented));
    await recordFailure(
      {
        name: 'web',
        revision: 1,
        issuanceId: 'exec-1',
        error: { Error: 'AcmeError', Cause: lambdaCause('AcmeError', 'no') },
        cleanupError: { Error: 'TransientError', Cause: lambdaCause('TransientError', 'route53: Throttling') },
      },
      deps,
    );
    const status = (await inventory.get('web'))!.status;
    assert.equal(status.issuance, undefined);
    assert.deepEqual(status.leftovers, [
      { issuanceId: 'exec-1', issuer: 'le', records: presented, since: '2026-06-01T00:00:00.000Z' },
    ]);
  });

  for (const [what, change] of [
    ['the spec changed (a newer revision)', { revision: 2 }],
    ['another issuance took the lease', { holder: 'exec-9' }],
    ['the certificate was deleted and applied again', { createdAt: '2026-06-01T00:00:01.000Z' }],
  ] as const) {
    it(`a superseded issuance ends quietly when ${what}: no failure, no backoff, the schedule untouched`, async () => {
      const { deps, inventory } = await setup('holder' in change ? change.holder : 'exec-1');
      const stored = (await inventory.get('web'))!;
      if ('revision' in change || 'createdAt' in change) await inventory.put({ ...stored, ...change }, stored.version);
      const renewal = new Date('2026-07-01T00:00:00Z');
      await deps.scheduler.schedule('web', renewal, 'web-due-x', { name: 'web', reason: 'Renewing' });
      const before = await inventory.get('web');
      const out = await recordFailure(
        {
          name: 'web',
          revision: 1,
          issuanceId: 'exec-1',
          generation: stored.createdAt,
          error: { Error: 'AcmeError', Cause: lambdaCause('AcmeError', 'acme: order is invalid') },
        },
        deps,
      );
      assert.equal(out.ended, 'superseded');
      assert.deepEqual(await inventory.get('web'), before, 'the record is untouched');
      assert.equal(deps.scheduler.list().web!.at, renewal.toISOString(), 'the renewal schedule is kept');
      assert.deepEqual(deps.events.published, [], 'no failure event');
    });
  }
});
