import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryInventory } from '../../../shared/adapters/local/memory-inventory.js';
import { issued } from '../../../shared/certificates/status.js';
import { getCondition } from '../../../shared/domain/status.js';
import { NotFoundError, ValidationError } from '../../../shared/errors.js';
import { updateRecord } from '../../../shared/inventory/records.js';
import { prepare } from '../../../shared/steps/prepare.js';
import type { IssuanceState } from '../../../shared/steps/state.js';
import { ISSUERS, NOW, assertTerminal, clock, rejectsWith, spec, withRecord } from './fixtures.js';

/** Prepare, asserting it started an issuance (did not end busy). */
async function prepared(...args: Parameters<typeof prepare>): Promise<IssuanceState> {
  const out = await prepare(...args);
  assert.ok(!('holder' in out), `prepare ended busy: ${JSON.stringify(out)}`);
  return out as IssuanceState;
}

describe('Step: prepare', () => {
  let inventory: MemoryInventory;
  const deps = () => ({ issuers: ISSUERS, inventory, clock });

  beforeEach(() => {
    inventory = new MemoryInventory();
  });

  it('applies a spec from the input, marks it Issuing and returns the issuance', async () => {
    const input = { name: 'web', issuerRef: { name: 'le' }, dnsNames: ['Web.Example.com'] };
    const out = await prepared({ input: { certificate: input }, executionName: 'web-r1-abc' }, deps());
    assert.deepEqual(out, {
      name: 'web',
      revision: 1,
      issuanceId: 'web-r1-abc',
      generation: NOW.toISOString(),
      startedAt: NOW.toISOString(),
      issuer: 'le',
      issuerKind: 'acme',
      reason: 'Issuing',
      renewal: false,
      spec: spec(),
    });
    const record = (await inventory.get('web'))!;
    assert.equal(record.revision, 1);
    assert.deepEqual(record.spec, spec(), 'the normalised spec is stored');
    assert.equal(record.status.lastIssuanceId, 'web-r1-abc');
    assert.deepEqual(getCondition(record.status.conditions, 'Issuing'), {
      type: 'Issuing',
      status: 'True',
      reason: 'Issuing',
      message: 'Issuing certificate as Secret does not exist',
      lastTransitionTime: NOW.toISOString(),
    });
    assert.equal(getCondition(record.status.conditions, 'Ready'), undefined);
    assert.deepEqual(record.events, [
      {
        time: NOW.toISOString(),
        type: 'Normal',
        reason: 'Issuing',
        message: 'Issuing certificate as Secret does not exist',
      },
    ]);
  });

  it('bumps the revision when the input carries a changed spec', async () => {
    await withRecord(inventory, spec());
    const changed = { name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com', 'www.example.com'] };
    const out = await prepared({ input: { certificate: changed, reason: 'SpecChanged' }, executionName: 'e2' }, deps());
    assert.equal(out.revision, 2);
    assert.equal(out.reason, 'SpecChanged');
    assert.deepEqual(out.spec.dnsNames, ['web.example.com', 'www.example.com']);
    assert.equal((await inventory.get('web'))!.revision, 2);
  });

  it('renews a certificate named in the input, naming the one it replaces (ARI)', async () => {
    await withRecord(inventory, spec());
    await updateRecord(inventory, clock, 'web', (record, now) =>
      issued(
        record,
        {
          notBefore: '2026-03-01T00:00:00.000Z',
          notAfter: '2026-05-30T00:00:00.000Z',
          renewalTime: '2026-04-30T00:00:00.000Z',
          serialNumber: '0a1b',
          secretArn: 'file:///tmp/certificates/web',
          revision: 1,
          renewalInfo: {
            certificateId: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
            url: 'https://ca.test/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
            windowStart: '2026-04-29T00:00:00.000Z',
            windowEnd: '2026-05-01T00:00:00.000Z',
          },
        },
        now,
      ),
    );
    const out = await prepared({ input: { name: 'web' }, executionName: 'web-due-x' }, deps());
    assert.equal(out.renewal, true);
    assert.equal(out.reason, 'Renewing');
    assert.equal(out.replaces, 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
    assert.equal(out.revision, 1);
    const record = (await inventory.get('web'))!;
    const issuing = getCondition(record.status.conditions, 'Issuing');
    assert.equal(issuing?.message, 'Renewing certificate (Renewing)');
    assert.equal(getCondition(record.status.conditions, 'Ready')?.status, 'True', 'the old certificate still serves');
    assert.equal(record.events.at(-1)?.message, 'Renewing certificate (Renewing)');
  });

  it("keeps the input's reason (a retry after a failure)", async () => {
    await withRecord(inventory, spec());
    const out = await prepared({ input: { name: 'web', reason: 'Retrying' }, executionName: 'web-due-y' }, deps());
    assert.equal(out.reason, 'Retrying');
    assert.equal(out.renewal, false);
    assert.equal(out.replaces, undefined);
    const issuing = getCondition((await inventory.get('web'))!.status.conditions, 'Issuing');
    assert.equal(issuing?.reason, 'Retrying');
    assert.equal(issuing?.message, 'Issuing certificate as Secret does not exist');
  });

  it('writes nothing when re-run for the same execution, and returns the same issuance', async () => {
    const event = { input: { name: 'web' }, executionName: 'web-r1-abc' };
    await withRecord(inventory, spec());
    const first = await prepared(event, deps());
    const stored = (await inventory.get('web'))!;
    const again = await prepared(event, deps());
    assert.deepEqual(again, first);
    const after = (await inventory.get('web'))!;
    assert.equal(after.version, stored.version, 'no write');
    assert.equal(after.events.length, 1);
  });

  it('refuses an input without an execution name', async () => {
    const error = await rejectsWith(
      prepare({ input: { name: 'web' }, executionName: '' }, deps()),
      ValidationError,
      /^executionName: is required$/,
    );
    assert.equal(error.field, 'executionName');
    assertTerminal(error);
  });

  it('refuses an input with neither spec nor name', async () => {
    const error = await rejectsWith(
      prepare({ input: {}, executionName: 'e' }, deps()),
      ValidationError,
      /^name: is required \(or give a certificate spec\)$/,
    );
    assertTerminal(error);
  });

  it('refuses a spec as the API would, writing nothing', async () => {
    await rejectsWith(
      prepare(
        {
          input: { certificate: { name: 'web', issuerRef: { name: 'nope' }, dnsNames: ['a.example.com'] } },
          executionName: 'e',
        },
        deps(),
      ),
      ValidationError,
      /^issuerRef\.name: issuer "nope" is not configured \(known: le, self, internal-ca\)$/,
    );
    await rejectsWith(
      prepare(
        {
          input: {
            certificate: {
              name: 'web',
              issuerRef: { name: 'le' },
              dnsNames: ['a.example.com'],
              ipAddresses: ['192.0.2.1'],
            },
          },
          executionName: 'e',
        },
        deps(),
      ),
      ValidationError,
      /^ipAddresses: an ACME issuer cannot validate IP addresses with DNS-01$/,
    );
    await rejectsWith(
      prepare(
        { input: { certificate: { name: 'web', issuerRef: { name: 'le' }, dnsNames: ['*.*.x'] } }, executionName: 'e' },
        deps(),
      ),
      ValidationError,
      /^dnsNames\[0\]: /,
    );
    assert.equal(await inventory.get('web'), undefined);
  });

  it('fails for a name the inventory does not hold', async () => {
    const error = await rejectsWith(
      prepare({ input: { name: 'ghost' }, executionName: 'e' }, deps()),
      NotFoundError,
      /^inventory: certificate "ghost" does not exist$/,
    );
    assertTerminal(error);
  });

  it('fails for a stored certificate whose issuer is gone, or cannot prove its names', async () => {
    await withRecord(inventory, spec({ issuerRef: { name: 'removed' } }));
    await rejectsWith(
      prepare({ input: { name: 'web' }, executionName: 'e' }, deps()),
      ValidationError,
      /^issuerRef\.name: issuer "removed" is not configured \(known: le, self, internal-ca\)$/,
    );
    await withRecord(inventory, spec({ name: 'ip', ipAddresses: ['192.0.2.1'] }));
    await rejectsWith(
      prepare({ input: { name: 'ip' }, executionName: 'e' }, deps()),
      ValidationError,
      /^ipAddresses: an ACME issuer cannot validate IP addresses with DNS-01$/,
    );
    assert.equal((await inventory.get('ip'))!.status.lastIssuanceId, undefined, 'not marked Issuing');
  });
});
