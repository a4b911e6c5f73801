/**
 * One issuance at a time per certificate, against a real Pebble through the synthesized state
 * machine (issue #12, cases a–c): concurrent renews reach the CA once; an issuance overtaken by a
 * spec change, or by a delete and re-apply with other names, ends quietly and never becomes the
 * served certificate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCertificate } from '../../shared/domain/certificate-info.js';
import { getCondition } from '../../shared/domain/status.js';
import { admitSpec } from '../../shared/certificates/admission.js';
import { applySpec } from '../../shared/inventory/records.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import type { ExecutionResult } from '../../shared/local/state-machine.js';
import { type Harness, startHarness } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

/** The states an execution entered, in order. */
function statesOf(result: ExecutionResult): string[] {
  return result.history
    .filter((e) => (e as { type: string }).type === 'StateEntered')
    .map((e) => (e as { state?: { name?: string } }).state?.name ?? '');
}

describe('Integration: single flight and fencing', { skip }, () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({
      issuers: (pebble) => [
        {
          kind: 'acme',
          name: 'pebble',
          server: pebble.directoryUrl,
          solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
        },
      ],
    });
  });
  const results: ExecutionResult[] = [];
  after(async () => h?.stop());
  const run = async (input: unknown, name: string) => {
    const result = await h.machine.execute(input, name);
    results.push(result);
    return result;
  };

  const spec = (name: string, dnsNames: string[]) => ({ name, issuerRef: { name: 'pebble' }, dnsNames });

  /** Resolves once an issuance holds the certificate's lease (Prepare has run). */
  async function leaseTaken(name: string, not?: string): Promise<string> {
    for (;;) {
      const lease = (await h.deps.inventory.get(name))?.status.issuance;
      if (lease && lease.id !== not) return lease.id;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async function served(name: string) {
    const current = await h.deps.store.readCurrent(name);
    assert.ok(current, `${name} has a certificate`);
    return parseCertificate(current['tls.crt']);
  }

  it('(c) 8 concurrent renews: one reaches the CA, the others end AlreadyIssuing', async () => {
    const first = await run({ certificate: spec('busy', ['busy.example.com']) }, 'busy-r1');
    assert.equal(first.status, 'SUCCEEDED', `${first.error}: ${first.cause}`);
    const before = (await served('busy')).serialNumber;

    const renews = await Promise.all(
      Array.from({ length: 8 }, (_, i) => run({ name: 'busy', reason: 'ManuallyTriggered' }, `busy-renew-${i}`)),
    );
    for (const r of renews) assert.equal(r.status, 'SUCCEEDED', `${r.executionName}: ${r.error}: ${r.cause}`);
    const ordered = renews.filter((r) => statesOf(r).includes('CreateOrder'));
    const waved = renews.filter((r) => statesOf(r).includes('AlreadyIssuing'));
    assert.equal(ordered.length, 1, 'one order at the CA');
    assert.equal(waved.length, 7);
    for (const r of waved) assert.deepEqual(statesOf(r), ['Prepare', 'IssuerKind', 'AlreadyIssuing']);

    const record = (await h.deps.inventory.get('busy'))!;
    assert.equal(record.status.issuance, undefined, 'the lease is released');
    assert.equal(record.status.failedIssuanceAttempts, 0);
    assert.notEqual((await served('busy')).serialNumber, before, 'renewed once');
    assert.equal(record.status.serialNumber, (await served('busy')).serialNumber);
  });

  it('(b) a spec update during an issuance: revision 2 is issued, no failure counted, the schedule kept', async () => {
    const old = run({ certificate: spec('moving', ['moving.example.com']) }, 'moving-r1');
    await leaseTaken('moving');
    const { record } = await applySpec(
      h.deps.inventory,
      h.deps.clock,
      admitSpec(spec('moving', ['moving.example.com', 'www.moving.example.com']), h.deps.issuers).spec,
    );
    assert.equal(record.revision, 2);
    const next = run({ name: 'moving', reason: 'SpecChanged' }, 'moving-r2');
    const [a, b] = await Promise.all([old, next]);

    assert.equal(a.status, 'SUCCEEDED', `${a.error}: ${a.cause}`);
    assert.ok(statesOf(a).includes('Superseded'), statesOf(a).join(' → '));
    assert.ok(!statesOf(a).includes('RecordFailure'), 'no failure recorded');
    assert.equal(b.status, 'SUCCEEDED', `${b.error}: ${b.cause}`);
    assert.ok(statesOf(b).includes('Issued'));

    const after = (await h.deps.inventory.get('moving'))!;
    assert.equal(after.status.revision, 2);
    assert.equal(after.status.failedIssuanceAttempts, 0);
    assert.equal(after.status.nextAttemptTime, undefined);
    assert.equal(getCondition(after.status.conditions, 'Ready')?.status, 'True');
    assert.equal(getCondition(after.status.conditions, 'Issuing'), undefined);
    assert.deepEqual((await served('moving')).dnsNames.sort(), ['moving.example.com', 'www.moving.example.com']);
    const schedule = h.deps.scheduler.list()['moving'];
    assert.equal(schedule?.at, after.status.renewalTime, 'the renewal schedule, not a retry');
    assert.equal(schedule?.input.reason, 'Renewing');
    assert.equal(await h.deps.store.readPendingKey('moving', 'moving-r1'), undefined, 'its key discarded');
  });

  it('(a) delete and re-apply with other names during an issuance: the served certificate matches the spec', async () => {
    const old = run({ certificate: spec('reborn', ['old.reborn.example.com']) }, 'reborn-r1-a');
    await leaseTaken('reborn');
    const gone = (await h.deps.inventory.get('reborn'))!;
    await h.deps.inventory.delete('reborn', gone.version);
    await new Promise((resolve) => setTimeout(resolve, 5)); // another creation time
    const next = run({ certificate: spec('reborn', ['new.reborn.example.com']) }, 'reborn-r1-b');
    const [a, b] = await Promise.all([old, next]);

    assert.equal(a.status, 'SUCCEEDED', `${a.error}: ${a.cause}`);
    assert.ok(statesOf(a).includes('Superseded'), statesOf(a).join(' → '));
    assert.equal(b.status, 'SUCCEEDED', `${b.error}: ${b.cause}`);
    const record = (await h.deps.inventory.get('reborn'))!;
    assert.equal(record.revision, 1);
    assert.equal(record.status.failedIssuanceAttempts, 0);
    assert.equal(getCondition(record.status.conditions, 'Ready')?.status, 'True');
    const cert = await served('reborn');
    assert.deepEqual(cert.dnsNames, ['new.reborn.example.com']);
    assert.equal(record.status.serialNumber, cert.serialNumber);
  });

  it('never lets a private key into logs, execution histories or the inventory', async () => {
    const haystacks = { ...(await harnessHaystacks(h)), executions: JSON.stringify(results) };
    assertNoKeyMaterial(haystacks, await harnessKeyPems(h));
  });
});
