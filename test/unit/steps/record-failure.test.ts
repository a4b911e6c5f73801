import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalEventPublisher } from '../../../shared/adapters/local/local-event-publisher.js';
import { MemoryInventory } from '../../../shared/adapters/local/memory-inventory.js';
import { validateSpec } from '../../../shared/domain/validate-spec.js';
import { applySpec } from '../../../shared/inventory/records.js';
import { LocalRenewalScheduler } from '../../../shared/local/scheduler.js';
import { recordFailure } from '../../../shared/steps/record-failure.js';

const lambdaCause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage });

describe('Step: recordFailure', () => {
  async function setup() {
    const clock = { now: () => new Date('2026-06-01T00:00:00Z') };
    const inventory = new MemoryInventory();
    const spec = validateSpec({ name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'] });
    await applySpec(inventory, clock, spec);
    const deps = { inventory, clock, events: new LocalEventPublisher(), scheduler: new LocalRenewalScheduler() };
    return { deps, inventory };
  }

  it('keeps a Cleanup that failed for good as its own event, naming the records left', async () => {
    const { deps, inventory } = await setup();
    const out = await recordFailure(
      {
        name: 'web',
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

  it('adds no CleanupFailed event when Cleanup succeeded', async () => {
    const { deps, inventory } = await setup();
    await recordFailure(
      { name: 'web', issuanceId: 'exec-2', error: { Error: 'AcmeError', Cause: lambdaCause('AcmeError', 'no') } },
      deps,
    );
    assert.ok(!(await inventory.get('web'))!.events.some((e) => e.reason === 'CleanupFailed'));
  });
});
