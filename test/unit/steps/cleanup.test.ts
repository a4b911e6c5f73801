import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcmeIssuerConfig } from '../../../shared/issuers/registry.js';
import { DnsError } from '../../../shared/errors.js';
import type { CertificateStore } from '../../../shared/ports/certificate-store.js';
import type { DnsSolver } from '../../../shared/ports/dns.js';
import type { IssuanceState } from '../../../shared/steps/state.js';
import { cleanup } from '../../../shared/steps/cleanup.js';

const issuer: AcmeIssuerConfig = {
  kind: 'acme',
  name: 'le',
  server: 'https://acme.test/dir',
  solvers: [{ dns01: { route53: {} } }],
};

const state = {
  name: 'web',
  issuanceId: 'exec-1',
  issuer: 'le',
  issuerKind: 'acme',
  acme: {
    accountUrl: 'https://acme.test/acct/1',
    orderUrl: 'https://acme.test/order/1',
    authorizationUrls: ['https://acme.test/authz/1'],
    challenges: [
      {
        identifier: 'web.example.com',
        wildcard: false,
        authorizationUrl: 'https://acme.test/authz/1',
        challengeUrl: 'https://acme.test/chal/1',
        recordName: '_acme-challenge.web.example.com',
        value: 'txt-value',
        solver: 0,
      },
    ],
  },
} as unknown as IssuanceState;

function deps(solver: DnsSolver) {
  const discarded: string[] = [];
  const store = {
    discardPendingKey: async (name: string, issuanceId: string) => void discarded.push(`${name}/${issuanceId}`),
  } as unknown as CertificateStore;
  return { deps: { issuers: [issuer], dns: { solverFor: () => solver }, store }, discarded };
}

describe('Step: cleanup', () => {
  it('removes this issuance’s TXT values and its pending key', async () => {
    const removed: string[] = [];
    const { deps: d, discarded } = deps({
      present: async () => [],
      isPropagated: async () => true,
      cleanUp: async (records) => void removed.push(...records.map((r) => `${r.name}=${r.value}`)),
    });
    await cleanup(state, d);
    assert.deepEqual(removed, ['_acme-challenge.web.example.com=txt-value']);
    assert.deepEqual(discarded, ['web/exec-1']);
  });

  it('discards the pending key even when the DNS refuses the clean-up, and still fails', async () => {
    const { deps: d, discarded } = deps({
      present: async () => [],
      isPropagated: async () => true,
      cleanUp: async () => {
        throw new DnsError('route53: changing TXT: AccessDenied');
      },
    });
    await assert.rejects(cleanup(state, d), /AccessDenied/);
    assert.deepEqual(discarded, ['web/exec-1']);
  });
});
