/**
 * External Account Binding against a Pebble that requires it (as ZeroSSL does): the right key
 * registers and issues; a wrong key or none fails with the CA's reason and writes no certificate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getCondition } from '../../shared/domain/status.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import { type Harness, startHarness } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';
// Pebble's example MAC key for kid-1 (its documentation's EAB configuration).
const MAC_KEY = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
const RIGHT = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:eab-right';
const WRONG = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:eab-wrong';

describe('Integration: External Account Binding', { skip }, () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({
      pebbleConfig: { externalAccountBindingRequired: true, externalAccountMACKeys: { 'kid-1': MAC_KEY } },
      secrets: { [RIGHT]: `${MAC_KEY}\n`, [WRONG]: 'b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH' },
      issuers: (pebble) => {
        const solvers = [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }];
        return [
          {
            kind: 'acme',
            name: 'eab',
            server: pebble.directoryUrl,
            externalAccountBinding: { keyId: 'kid-1', hmacKeySecretArn: RIGHT },
            solvers,
          },
          {
            kind: 'acme',
            name: 'eab-wrong-key',
            server: pebble.directoryUrl,
            externalAccountBinding: { keyId: 'kid-1', hmacKeySecretArn: WRONG },
            solvers,
          },
          { kind: 'acme', name: 'no-eab', server: pebble.directoryUrl, solvers },
        ];
      },
    });
  });
  after(async () => h?.stop());

  it('registers with the binding and issues', async () => {
    const result = await h.issue({
      certificate: { name: 'bound', issuerRef: { name: 'eab' }, dnsNames: ['bound.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    assert.ok((await h.deps.store.readCurrent('bound'))?.['tls.crt'].includes('BEGIN CERTIFICATE'));
  });

  for (const [issuer, reason] of [
    ['eab-wrong-key', /acme: .*(binding|signature|verif|mac|JWS)/i],
    ['no-eab', /acme: .*(external account|binding)/i],
  ] as const) {
    it(`fails clearly and issues nothing with ${issuer}`, async () => {
      const name = `with-${issuer}`;
      const result = await h.issue({
        certificate: { name, issuerRef: { name: issuer }, dnsNames: [`${name}.example.com`] },
      });
      assert.equal(result.status, 'FAILED');
      const ready = getCondition((await h.deps.inventory.get(name))!.status.conditions, 'Ready');
      assert.equal(ready?.reason, 'Failed');
      assert.match(ready!.message, reason);
      assert.equal(await h.deps.store.readCurrent(name), undefined);
    });
  }

  it('never logs the HMAC key', () => {
    assert.ok(!h.logs().includes(MAC_KEY));
    assert.ok(!JSON.stringify(h.executions.map((e) => e.history)).includes(MAC_KEY));
  });

  it('never lets a private key into logs, execution histories or events', async () => {
    assertNoKeyMaterial(await harnessHaystacks(h), await harnessKeyPems(h));
  });
});
