import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcmeError, TransientError } from '../../../shared/errors.js';
import { MAX_POLLS, MAX_POLL_DELAY_SECONDS } from '../../../shared/steps/context.js';
import { pollOrder } from '../../../shared/steps/poll-order.js';
import {
  ACCOUNT_URL,
  FakeCa,
  ISSUERS,
  ORDER_URL,
  acmeState,
  assertTerminal,
  assertTransient,
  gatewayOf,
  rejectsWith,
} from './fixtures.js';

function setup() {
  const ca = new FakeCa();
  const { acme, opened } = gatewayOf(ca);
  return { ca, opened, deps: { issuers: ISSUERS, acme } };
}

const polled = (attempts: number) => acmeState({ poll: { done: false, attempts, delaySeconds: 2 } });

describe('Step: pollOrder', () => {
  it('is done when the CA has issued the certificate (order valid)', async () => {
    const { ca, opened, deps } = setup();
    ca.setOrder({ status: 'valid', certificate: 'https://ca.test/cert/1' });
    const state = polled(1);
    assert.deepEqual(await pollOrder(state, deps), { ...state, poll: { done: true, attempts: 2, delaySeconds: 2 } });
    assert.deepEqual(opened, [`le ${ACCOUNT_URL}`]);
    assert.deepEqual(ca.calls, [`getOrder ${ORDER_URL}`]);
  });

  it("waits while the order is processing, as long as the CA's Retry-After asks", async () => {
    const { ca, deps } = setup();
    ca.setOrder({ status: 'processing' });
    assert.deepEqual((await pollOrder(acmeState(), deps)).poll, { done: false, attempts: 1, delaySeconds: 2 });
    ca.setOrder({ status: 'processing', retryAfterSeconds: 15 });
    assert.deepEqual((await pollOrder(polled(5), deps)).poll, { done: false, attempts: 6, delaySeconds: 15 });
  });

  it(`waits at most ${MAX_POLL_DELAY_SECONDS} s, however long the CA's Retry-After (RFC 8555 §7.4: advice)`, async () => {
    assert.equal(MAX_POLL_DELAY_SECONDS, 20);
    const { ca, deps } = setup();
    for (const retryAfterSeconds of [86_400, 21, 20.5]) {
      ca.setOrder({ status: 'processing', retryAfterSeconds });
      assert.deepEqual((await pollOrder(polled(5), deps)).poll, { done: false, attempts: 6, delaySeconds: 20 });
    }
    ca.setOrder({ status: 'processing', retryAfterSeconds: 20 });
    assert.equal((await pollOrder(polled(5), deps)).poll?.delaySeconds, 20);
    ca.setOrder({ status: 'processing', retryAfterSeconds: 19.2 });
    assert.equal((await pollOrder(polled(5), deps)).poll?.delaySeconds, 20, 'rounded up, not capped');
    ca.setOrder({ status: 'processing', retryAfterSeconds: 19 });
    assert.equal((await pollOrder(polled(5), deps)).poll?.delaySeconds, 19);
  });

  it("ends the issuance with the CA's reason when the order is invalid", async () => {
    const { ca, deps } = setup();
    ca.setOrder({
      status: 'invalid',
      error: { type: 'urn:ietf:params:acme:error:badCSR', detail: 'CSR contains a name not in the order' },
    });
    const error = await rejectsWith(
      pollOrder(acmeState(), deps),
      AcmeError,
      /^acme: the order of "web" failed: CSR contains a name not in the order$/,
    );
    assert.equal(error.problemType, 'urn:ietf:params:acme:error:badCSR');
    assertTerminal(error);
  });

  it('fails for an order that is neither processing nor valid, naming its status', async () => {
    const { ca, deps } = setup();
    for (const status of ['invalid', 'ready', 'pending'] as const) {
      ca.setOrder({ status });
      await rejectsWith(
        pollOrder(acmeState(), deps),
        AcmeError,
        new RegExp(`^acme: the order of "web" failed: order is ${status}$`),
      );
    }
  });

  it(`gives up at check ${MAX_POLLS.order} while still processing, but not when that check finds it valid`, async () => {
    assert.equal(MAX_POLLS.order, 100);
    const { ca, deps } = setup();
    ca.setOrder({ status: 'processing' });
    assert.equal((await pollOrder(polled(98), deps)).poll?.attempts, 99);
    await rejectsWith(
      pollOrder(polled(99), deps),
      AcmeError,
      /^acme: the order of "web" is still processing after 100 checks$/,
    );
    ca.setOrder({ status: 'valid' });
    assert.deepEqual((await pollOrder(polled(99), deps)).poll, { done: true, attempts: 100, delaySeconds: 2 });
  });

  it("passes the gateway's transient error through", async () => {
    const { ca, deps } = setup();
    ca.getOrder = async () => {
      throw new TransientError('acme: GET order: ETIMEDOUT');
    };
    assertTransient(await rejectsWith(pollOrder(acmeState(), deps), TransientError, /ETIMEDOUT/));
  });

  it('refuses a state with no order', async () => {
    const { deps, opened } = setup();
    await rejectsWith(pollOrder(acmeState({ acme: undefined }), deps), AcmeError, /^acme: no order to poll for "web"$/);
    assert.deepEqual(opened, []);
  });
});
