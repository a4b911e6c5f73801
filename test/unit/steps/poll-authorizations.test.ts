import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcmeError, TransientError } from '../../../shared/errors.js';
import { MAX_POLLS, MAX_POLL_DELAY_SECONDS } from '../../../shared/steps/context.js';
import { pollAuthorizations } from '../../../shared/steps/poll-authorizations.js';
import {
  ACCOUNT_URL,
  AUTHZ,
  FakeCa,
  ISSUERS,
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

const polled = (attempts: number) => acmeState({ poll: { done: false, attempts, delaySeconds: 3 } });

describe('Step: pollAuthorizations', () => {
  it('is done once every authorization of the order is valid, reused ones included', async () => {
    const { ca, opened, deps } = setup();
    ca.setAuthorization(AUTHZ[0]!, { status: 'valid' });
    ca.setAuthorization(AUTHZ[1]!, { status: 'valid' });
    const state = acmeState();
    const out = await pollAuthorizations(state, deps);
    assert.deepEqual(out, { ...state, poll: { done: true, attempts: 1, delaySeconds: 3 } });
    assert.deepEqual(opened, [`le ${ACCOUNT_URL}`]);
    assert.deepEqual(
      ca.calls,
      AUTHZ.map((url) => `getAuthorization ${url}`),
    );
  });

  it("waits while one is pending, as long as the CA's Retry-After asks (at least a second)", async () => {
    const { ca, deps } = setup();
    ca.setAuthorization(AUTHZ[0]!, { status: 'valid' });
    ca.setAuthorization(AUTHZ[1]!, { retryAfterSeconds: 7 });
    assert.deepEqual((await pollAuthorizations(polled(2), deps)).poll, { done: false, attempts: 3, delaySeconds: 7 });
    ca.setAuthorization(AUTHZ[1]!, { retryAfterSeconds: 2.2 });
    assert.equal((await pollAuthorizations(polled(2), deps)).poll?.delaySeconds, 3);
    ca.setAuthorization(AUTHZ[1]!, { retryAfterSeconds: 0 });
    assert.equal((await pollAuthorizations(polled(2), deps)).poll?.delaySeconds, 1);
    ca.setAuthorization(AUTHZ[1]!, { retryAfterSeconds: undefined });
    assert.equal((await pollAuthorizations(polled(2), deps)).poll?.delaySeconds, 3, 'the default');
  });

  it(`waits at most ${MAX_POLL_DELAY_SECONDS} s when the CA asks for longer (RFC 8555 §8.2: advice)`, async () => {
    const { ca, deps } = setup();
    ca.setAuthorization(AUTHZ[0]!, { retryAfterSeconds: 86_400 });
    ca.setAuthorization(AUTHZ[1]!, { retryAfterSeconds: 86_400 });
    assert.deepEqual((await pollAuthorizations(polled(2), deps)).poll, { done: false, attempts: 3, delaySeconds: 20 });
    assert.equal(MAX_POLL_DELAY_SECONDS, 20);
  });

  it("ends the issuance with the CA's reason when an authorization is invalid", async () => {
    const { ca, deps } = setup();
    const authz = ca.authorizations.get(AUTHZ[1]!)!;
    ca.setAuthorization(AUTHZ[1]!, {
      status: 'invalid',
      challenges: authz.challenges.map((c) =>
        c.type === 'dns-01'
          ? {
              ...c,
              status: 'invalid' as const,
              error: {
                type: 'urn:ietf:params:acme:error:unauthorized',
                detail: 'Incorrect TXT record "nope" found at _acme-challenge.api.example.org',
              },
            }
          : c,
      ),
    });
    const error = await rejectsWith(
      pollAuthorizations(acmeState(), deps),
      AcmeError,
      /^acme: validation of "api\.example\.org" failed: Incorrect TXT record "nope" found at _acme-challenge\.api\.example\.org$/,
    );
    assert.equal(error.problemType, 'urn:ietf:params:acme:error:unauthorized');
    assertTerminal(error);
  });

  it('names the status when the CA gives no reason (deactivated, expired)', async () => {
    const { ca, deps } = setup();
    ca.setAuthorization(AUTHZ[0]!, { status: 'deactivated' });
    const error = await rejectsWith(
      pollAuthorizations(acmeState(), deps),
      AcmeError,
      /^acme: validation of "web\.example\.com" failed: authorization is deactivated$/,
    );
    assert.equal(error.problemType, undefined);
    ca.setAuthorization(AUTHZ[0]!, { status: 'expired' });
    await rejectsWith(pollAuthorizations(acmeState(), deps), AcmeError, /failed: authorization is expired$/);
  });

  it(`gives up at check ${MAX_POLLS.authorizations} while still pending`, async () => {
    assert.equal(MAX_POLLS.authorizations, 100);
    const { deps } = setup();
    assert.equal((await pollAuthorizations(polled(98), deps)).poll?.attempts, 99);
    assertTerminal(
      await rejectsWith(
        pollAuthorizations(polled(99), deps),
        AcmeError,
        /^acme: authorizations of "web" still pending after 100 checks$/,
      ),
    );
  });

  it("passes the gateway's transient error through", async () => {
    const { ca, deps } = setup();
    ca.getAuthorization = async () => {
      throw new TransientError('acme: GET authorization: HTTP 503');
    };
    assertTransient(await rejectsWith(pollAuthorizations(acmeState(), deps), TransientError, /HTTP 503/));
  });

  it('refuses a state with no order', async () => {
    const { deps } = setup();
    await rejectsWith(
      pollAuthorizations(acmeState({ acme: undefined }), deps),
      AcmeError,
      /^acme: no order to poll for "web"$/,
    );
  });
});
