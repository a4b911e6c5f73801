/**
 * CNAME delegation (cnameStrategy: Follow) for real: challtestsrv serves the CNAME, the TXT goes at
 * its target, and Pebble validates through it (challtestsrv follows one CNAME level).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getCondition } from '../../shared/domain/status.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import { type Harness, startHarness, txtValues } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

describe('Integration: CNAME delegation of _acme-challenge', { skip }, () => {
  let h: Harness;
  const cname = async (host: string, target: string) => {
    const response = await fetch(`${h.pebble.challtestsrv.managementUrl}/set-cname`, {
      method: 'POST',
      body: JSON.stringify({ host: `${host}.`, target: `${target}.` }),
    });
    assert.ok(response.ok);
  };

  before(async () => {
    h = await startHarness({
      issuers: (pebble) => [
        {
          kind: 'acme',
          name: 'follow',
          server: pebble.directoryUrl,
          solvers: [
            { dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl }, cnameStrategy: 'Follow' } },
          ],
        },
      ],
    });
  });
  after(async () => h?.stop());

  it('writes the TXT record at the CNAME target and gets validated through it', async () => {
    await cname('_acme-challenge.delegated.example.com', 'delegated.challenges.example.org');
    const result = await h.issue({
      certificate: { name: 'delegated', issuerRef: { name: 'follow' }, dnsNames: ['delegated.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const presented = (result.history as any[]).find(
      (e) => e.type === 'StateExited' && e.state?.name === 'CreateOrder',
    );
    const records = presented.state.output.acme.challenges.map((c: { recordName: string }) => c.recordName);
    assert.deepEqual(records, ['delegated.challenges.example.org']);
    assert.deepEqual(
      await txtValues(h.pebble.challtestsrv.dnsPort, 'delegated.challenges.example.org'),
      [],
      'cleaned up',
    );
  });

  it('follows names without a CNAME as they are', async () => {
    const result = await h.issue({
      certificate: { name: 'direct', issuerRef: { name: 'follow' }, dnsNames: ['direct.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
  });

  it('fails with the chain when the CNAMEs loop, and writes no certificate', async () => {
    await cname('_acme-challenge.loop.example.com', 'a.loop.example.org');
    await cname('a.loop.example.org', '_acme-challenge.loop.example.com');
    const result = await h.issue({
      certificate: { name: 'loop', issuerRef: { name: 'follow' }, dnsNames: ['loop.example.com'] },
    });
    assert.equal(result.status, 'FAILED');
    const ready = getCondition((await h.deps.inventory.get('loop'))!.status.conditions, 'Ready');
    assert.match(ready!.message, /CNAME loop for "_acme-challenge\.loop\.example\.com"/);
    assert.equal(await h.deps.store.readCurrent('loop'), undefined);
  });

  it('never lets a private key into logs, execution histories or events', async () => {
    assertNoKeyMaterial(await harnessHaystacks(h), await harnessKeyPems(h));
  });
});
