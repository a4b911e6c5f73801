/**
 * `preferredChain`: with Pebble offering an alternate chain (PEBBLE_ALTERNATE_ROOTS), an issuer
 * naming the alternate root's common name gets that chain; another issuer gets the default one.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import { type Harness, startHarness, verifyChain } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';
const commonName = (pem: string) => /CN=([^\n,]+)/.exec(new X509Certificate(pem).subject)![1]!;

describe('Integration: preferred chain', { skip }, () => {
  let h: Harness;
  let alternateRoot: string;

  before(async () => {
    h = await startHarness({
      pebbleEnv: { PEBBLE_ALTERNATE_ROOTS: '1' },
      issuers: async (pebble) => {
        alternateRoot = await pebble.rootPem(1);
        const solvers = [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }];
        return [
          { kind: 'acme', name: 'default-chain', server: pebble.directoryUrl, solvers },
          {
            kind: 'acme',
            name: 'alternate-chain',
            server: pebble.directoryUrl,
            preferredChain: commonName(alternateRoot),
            solvers,
          },
        ];
      },
    });
  });
  after(async () => h?.stop());

  it('takes the chain up to the root the issuer prefers', async () => {
    const result = await h.issue({
      certificate: { name: 'alt', issuerRef: { name: 'alternate-chain' }, dnsNames: ['alt.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const stored = (await h.deps.store.readCurrent('alt'))!;
    verifyChain(stored['tls.crt'], alternateRoot);
  });

  it('takes the default chain when the issuer prefers none', async () => {
    const result = await h.issue({
      certificate: { name: 'dflt', issuerRef: { name: 'default-chain' }, dnsNames: ['dflt.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const stored = (await h.deps.store.readCurrent('dflt'))!;
    verifyChain(stored['tls.crt'], await h.pebble.rootPem(0));
    assert.throws(() => verifyChain(stored['tls.crt'], alternateRoot), 'not the alternate chain');
  });

  it('never lets a private key into logs, execution histories or events', async () => {
    assertNoKeyMaterial(await harnessHaystacks(h), await harnessKeyPems(h));
  });
});
