import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalEventPublisher } from '../../../shared/adapters/local/local-event-publisher.js';
import { CertflowError, TransientError } from '../../../shared/errors.js';
import { LocalRenewalScheduler } from '../../../shared/local/scheduler.js';
import { publish } from '../../../shared/steps/publish.js';
import type { IssuanceState } from '../../../shared/steps/state.js';
import { NOW, acmeState, assertTerminal, clock, rejectsWith } from './fixtures.js';

const RESULT = {
  serialNumber: 'a1b2c3d',
  notBefore: NOW.toISOString(),
  notAfter: '2026-08-30T00:00:00.000Z',
  secretArn: 'file:///tmp/certflow/certificates/web',
  versionId: '0001',
  renewalTime: '2026-07-31T00:00:00.000Z',
};

function setup(onEvent?: () => Promise<void>) {
  const events = new LocalEventPublisher({ now: clock.now, ...(onEvent ? { onEvent } : {}) });
  const scheduler = new LocalRenewalScheduler();
  return { events, scheduler, deps: { events, scheduler, clock } };
}

const stored = (extra: Partial<IssuanceState> = {}) => acmeState({ result: RESULT, ...extra });

describe('Step: publish', () => {
  it('announces a first certificate as Issued, by reference only, and returns the state unchanged', async () => {
    const { events, deps } = setup();
    const state = stored();
    const out = await publish(state, deps);
    assert.deepEqual(out, state);
    assert.deepEqual(events.published, [
      {
        type: 'Certificate Issued',
        time: NOW.toISOString(),
        detail: {
          name: 'web',
          revision: 2,
          issuer: 'le',
          serialNumber: 'a1b2c3d',
          notAfter: '2026-08-30T00:00:00.000Z',
          secretArn: 'file:///tmp/certflow/certificates/web',
        },
      },
    ]);
  });

  it('announces a renewal as Renewed', async () => {
    const { events, deps } = setup();
    await publish(stored({ renewal: true }), deps);
    assert.deepEqual(
      events.published.map((e) => e.type),
      ['Certificate Renewed'],
    );
  });

  it("replaces the certificate's one schedule with its next renewal, named after the due time", async () => {
    const { scheduler, deps } = setup();
    await scheduler.schedule('web', new Date('2026-06-01T01:00:00Z'), 'web-due-retry', {
      name: 'web',
      reason: 'Retrying',
    });
    await scheduler.schedule('other', new Date('2026-06-02T00:00:00Z'), 'other-due-x', { name: 'other' });
    await publish(stored(), deps);
    const expected = {
      at: '2026-07-31T00:00:00.000Z',
      executionName: 'web-due-ms86eio0',
      input: { name: 'web', reason: 'Renewing' },
    };
    assert.deepEqual(scheduler.list().web, expected);
    assert.equal(scheduler.list().other?.executionName, 'other-due-x', "another certificate's schedule stays");

    await publish(stored(), deps);
    assert.deepEqual(Object.keys(scheduler.list()).sort(), ['other', 'web'], 'a re-run leaves one schedule');
    assert.deepEqual(scheduler.list().web, expected);
  });

  it('refuses a state with nothing issued, announcing and scheduling nothing', async () => {
    const { events, scheduler, deps } = setup();
    const error = await rejectsWith(publish(acmeState(), deps), CertflowError, /^publish: nothing was issued$/);
    assertTerminal(error);
    assert.deepEqual(events.published, []);
    assert.deepEqual(scheduler.list(), {});
  });

  it('fails without scheduling when the event cannot be published', async () => {
    const { scheduler, deps } = setup(async () => {
      throw new TransientError('eventbridge: PutEvents: ThrottlingException');
    });
    await rejectsWith(publish(stored(), deps), TransientError, /ThrottlingException/);
    assert.deepEqual(scheduler.list(), {});
  });
});
