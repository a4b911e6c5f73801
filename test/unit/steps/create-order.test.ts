import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSpec } from '../../../shared/domain/validate-spec.js';
import { AcmeError } from '../../../shared/errors.js';
import type { AcmeOrderRequest, AcmeSession } from '../../../shared/ports/acme.js';
import type { Dependencies } from '../../../shared/wiring/dependencies.js';
import type { IssuanceState } from '../../../shared/steps/state.js';
import { createOrder } from '../../../shared/steps/create-order.js';

/** A session recording newOrder bodies; the CA's answers are canned (no ACME server involved). */
function session(options: { refuseReplaces?: boolean } = {}) {
  const requests: AcmeOrderRequest[] = [];
  const s: Partial<AcmeSession> = {
    accountUrl: 'https://ca.test/acct/1',
    async createOrder(request) {
      requests.push(request);
      if (options.refuseReplaces && request.replaces) {
        throw new AcmeError('acme: already replaced', 'urn:ietf:params:acme:error:alreadyReplaced');
      }
      return { url: 'https://ca.test/order/1', status: 'ready', authorizations: [], finalize: 'https://ca.test/fin/1' };
    },
  };
  return { requests, session: s as AcmeSession };
}

function deps(s: AcmeSession, profile?: string): Pick<Dependencies, 'issuers' | 'acme' | 'cnames'> {
  return {
    issuers: [
      {
        kind: 'acme',
        name: 'le',
        server: 'https://ca.test/dir',
        ...(profile ? { profile } : {}),
        solvers: [{ dns01: { route53: {} } }],
      },
    ],
    acme: { session: async () => s },
    cnames: { cnameOf: async () => undefined },
  };
}

const state = (extra: Partial<IssuanceState> = {}): IssuanceState => ({
  name: 'web',
  revision: 1,
  issuanceId: 'web-r1',
  issuer: 'le',
  issuerKind: 'acme',
  reason: 'Renewing',
  renewal: true,
  spec: validateSpec({ name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'] }),
  ...extra,
});

describe('Step: createOrder', () => {
  it("sends the issuer's profile in every new order", async () => {
    const { requests, session: s } = session();
    await createOrder(state(), deps(s, 'shortlived'));
    assert.equal(requests[0]!.profile, 'shortlived');
  });

  it('names the certificate it replaces when the CA offers ARI', async () => {
    const { requests, session: s } = session();
    await createOrder(state({ replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' }), deps(s));
    assert.equal(requests[0]!.replaces, 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });

  it('orders again without replaces when the CA says it was already replaced', async () => {
    const { requests, session: s } = session({ refuseReplaces: true });
    const next = await createOrder(state({ replaces: 'x.y' }), deps(s));
    assert.equal(requests.length, 2);
    assert.equal(requests[1]!.replaces, undefined);
    assert.equal(next.acme?.orderUrl, 'https://ca.test/order/1');
  });
});
