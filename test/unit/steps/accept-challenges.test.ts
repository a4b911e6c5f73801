import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcmeError, TransientError, ValidationError } from '../../../shared/errors.js';
import { acceptChallenges } from '../../../shared/steps/accept-challenges.js';
import {
  ACCOUNT_URL,
  AUTHZ,
  CHALLENGE,
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

/** The CA refuses a second POST to a challenge it is already validating. */
function refuseRepeats(ca: FakeCa) {
  const complete = ca.completeChallenge.bind(ca);
  ca.completeChallenge = async (url) => {
    const authz = [...ca.authorizations.values()].find((a) => a.challenges.some((c) => c.url === url));
    const challenge = authz?.challenges.find((c) => c.url === url);
    if (challenge && challenge.status !== 'pending') {
      ca.calls.push(`completeChallenge ${url}`);
      throw new AcmeError(`acme: challenge is ${challenge.status}`, 'urn:ietf:params:acme:error:malformed');
    }
    return complete(url);
  };
}

describe('Step: acceptChallenges', () => {
  it("tells the CA about every challenge, on the order's own account, and clears the poll state", async () => {
    const { ca, opened, deps } = setup();
    const state = acmeState({ poll: { done: true, attempts: 7, delaySeconds: 10 } });
    const out = await acceptChallenges(state, deps);
    assert.deepEqual(opened, [`le ${ACCOUNT_URL}`]);
    assert.deepEqual(ca.calls, [`completeChallenge ${CHALLENGE.web}`, `completeChallenge ${CHALLENGE.api}`]);
    assert.equal(ca.authorizations.get(AUTHZ[0]!)!.challenges[1]!.status, 'processing');
    const { poll: _poll, ...expected } = state;
    assert.deepEqual(out, expected);
  });

  it('is safe to re-run: a challenge the CA already moved past pending is left alone', async () => {
    const { ca, deps } = setup();
    refuseRepeats(ca);
    await acceptChallenges(acmeState(), deps);
    // Validation of the first name finished meanwhile; the second is still being validated.
    ca.setAuthorization(AUTHZ[0]!, { status: 'valid' });
    ca.calls.length = 0;
    const out = await acceptChallenges(acmeState(), deps);
    assert.deepEqual(out, acmeState());
    assert.deepEqual(ca.calls, [
      `completeChallenge ${CHALLENGE.web}`,
      `getAuthorization ${AUTHZ[0]}`,
      `completeChallenge ${CHALLENGE.api}`,
      `getAuthorization ${AUTHZ[1]}`,
    ]);
  });

  it("fails with the CA's refusal when the challenge is still pending", async () => {
    const { ca, deps } = setup();
    const refusal = new AcmeError('acme: unauthorized: account deactivated', 'urn:ietf:params:acme:error:unauthorized');
    ca.completeChallenge = async () => {
      throw refusal;
    };
    const error = await rejectsWith(acceptChallenges(acmeState(), deps), AcmeError, /account deactivated/);
    assert.equal(error, refusal, 'the same error, with its problem type');
    assert.equal(error.problemType, 'urn:ietf:params:acme:error:unauthorized');
    assertTerminal(error);
  });

  it('fails when the refused challenge is not in its authorization and the authorization is pending', async () => {
    const { ca, deps } = setup();
    ca.setAuthorization(AUTHZ[0]!, { challenges: [] });
    ca.completeChallenge = async () => {
      throw new AcmeError('acme: no such challenge');
    };
    await rejectsWith(acceptChallenges(acmeState(), deps), AcmeError, /^acme: no such challenge$/);
  });

  it('passes a transient error through without asking the CA why', async () => {
    const { ca, deps } = setup();
    ca.completeChallenge = async () => {
      throw new TransientError('acme: POST challenge: ECONNRESET');
    };
    assertTransient(await rejectsWith(acceptChallenges(acmeState(), deps), TransientError, /ECONNRESET/));
    assert.ok(!ca.calls.some((c) => c.startsWith('getAuthorization')));
  });

  it('refuses a state with no order, or an issuer that is not ACME', async () => {
    const { deps, opened } = setup();
    assertTerminal(
      await rejectsWith(
        acceptChallenges(acmeState({ acme: undefined }), deps),
        AcmeError,
        /^acme: no order to accept challenges for "web"$/,
      ),
    );
    assertTerminal(
      await rejectsWith(
        acceptChallenges(acmeState({ issuer: 'internal-ca' }), deps),
        ValidationError,
        /^issuerRef\.name: issuer "internal-ca" is not an ACME issuer$/,
      ),
    );
    assert.deepEqual(opened, [], 'no session opened');
  });
});
