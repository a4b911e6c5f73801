import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnsError, TransientError, ValidationError } from '../../../shared/errors.js';
import { MemoryInventory } from '../../../shared/adapters/local/memory-inventory.js';
import { issuing } from '../../../shared/certificates/status.js';
import { updateRecord } from '../../../shared/inventory/records.js';
import { presentChallenges } from '../../../shared/steps/present-challenges.js';
import {
  ACME_ISSUER,
  ISSUERS,
  RecordingSolver,
  acmeState,
  assertTerminal,
  clock,
  withRecord,
  assertTransient,
  rejectsWith,
  solversOf,
} from './fixtures.js';

function setup() {
  const solvers = [new RecordingSolver(['C-ROUTE53-1']), new RecordingSolver([])];
  const inventory = new MemoryInventory();
  return { solvers, inventory, deps: { issuers: ISSUERS, dns: solversOf(ACME_ISSUER, solvers), inventory, clock } };
}

describe('Step: presentChallenges', () => {
  it("writes each challenge's TXT value with its solver, one batch per solver, and keeps the change ids", async () => {
    const { solvers, deps } = setup();
    const base = acmeState();
    const wildcard = { ...base.acme!.challenges[0]!, identifier: 'example.com', wildcard: true };
    const state = acmeState({
      acme: {
        ...base.acme!,
        challenges: [
          ...base.acme!.challenges,
          { ...wildcard, recordName: '_acme-challenge.example.com', value: 'txt-wild' },
        ],
      },
      poll: { done: false, attempts: 3, delaySeconds: 2 },
    });
    const out = await presentChallenges(state, deps);
    assert.deepEqual(solvers[0]!.presented, [
      [
        { name: '_acme-challenge.web.example.com', value: 'txt-web' },
        { name: '_acme-challenge.example.com', value: 'txt-wild' },
      ],
    ]);
    assert.deepEqual(solvers[1]!.presented, [[{ name: '_acme-challenge.api.example.org', value: 'txt-api' }]]);
    assert.deepEqual(out.dns, [
      { solver: 0, changeIds: ['C-ROUTE53-1'] },
      { solver: 1, changeIds: [] },
    ]);
    assert.equal(out.poll, undefined, 'the propagation loop starts afresh');
    const { dns: _dns, ...rest } = out;
    const { poll: _poll, ...input } = state;
    assert.deepEqual(rest, input, 'nothing else changes');
  });

  it("names the values in the issuance's lease before writing them, so an execution that dies can be cleaned up", async () => {
    const { solvers, inventory, deps } = setup();
    const state = acmeState();
    await withRecord(inventory, { ...state.spec });
    await updateRecord(inventory, clock, 'web', (record, now) => ({
      ...issuing(record, { issuanceId: 'web-r2', issuer: 'le', reason: 'Issuing', message: 'Issuing' }, now)!,
      revision: 2,
    }));
    let leaseWhenPresenting: unknown;
    const original = solvers[0]!.present.bind(solvers[0]!);
    solvers[0]!.present = async (records) => {
      leaseWhenPresenting = (await inventory.get('web'))!.status.issuance?.presented;
      return original(records);
    };
    await presentChallenges(state, deps);
    const expected = state.acme!.challenges.map(({ recordName, value, solver }) => ({ recordName, value, solver }));
    assert.deepEqual(leaseWhenPresenting, expected, 'in the lease before the first write');
    await presentChallenges(state, deps);
    assert.deepEqual((await inventory.get('web'))!.status.issuance?.presented, expected, 'a re-run adds nothing');
  });

  it('presents the same values again when re-run (the solver merges them)', async () => {
    const { solvers, deps } = setup();
    const first = await presentChallenges(acmeState(), deps);
    const again = await presentChallenges(acmeState(), deps);
    assert.deepEqual(again, first);
    assert.deepEqual(solvers[0]!.presented[1], solvers[0]!.presented[0]);
  });

  it('presents nothing when every authorization was reused', async () => {
    const { solvers, deps } = setup();
    const out = await presentChallenges(acmeState({ acme: { ...acmeState().acme!, challenges: [] } }), deps);
    assert.deepEqual(out.dns, []);
    assert.deepEqual([solvers[0]!.presented, solvers[1]!.presented], [[], []]);
  });

  it("passes a solver's error through as it is: transient ones are retried, DNS refusals are not", async () => {
    const { solvers, deps } = setup();
    const throttled = new TransientError('route53: Throttling: Rate exceeded');
    solvers[0]!.failWith = throttled;
    const error = await rejectsWith(presentChallenges(acmeState(), deps), TransientError, /Throttling/);
    assert.equal(error, throttled);
    assertTransient(error);

    solvers[0]!.failWith = new DnsError('dns: no hosted zone for "web.example.com"');
    assertTerminal(await rejectsWith(presentChallenges(acmeState(), deps), DnsError, /no hosted zone/));
  });

  it('refuses a state whose issuer is missing, not ACME, or lacks the solver', async () => {
    const { solvers, deps } = setup();
    const errors = [
      await rejectsWith(
        presentChallenges(acmeState({ issuer: 'gone' }), deps),
        ValidationError,
        /^issuerRef\.name: issuer "gone" is not configured$/,
      ),
      await rejectsWith(
        presentChallenges(acmeState({ issuer: 'self' }), deps),
        ValidationError,
        /^issuerRef\.name: issuer "self" is not an ACME issuer$/,
      ),
    ];
    const state = acmeState();
    state.acme!.challenges[1]!.solver = 5;
    errors.push(
      await rejectsWith(
        presentChallenges(state, deps),
        ValidationError,
        /^issuerRef\.name: issuer "le" has no solver #5$/,
      ),
    );
    errors.forEach(assertTerminal);
    assert.deepEqual(solvers[1]!.presented, [], 'nothing presented for the missing solver');
  });
});
