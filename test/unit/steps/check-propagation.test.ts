import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnsError, TransientError, ValidationError } from '../../../shared/errors.js';
import { MAX_POLLS } from '../../../shared/steps/context.js';
import { checkPropagation } from '../../../shared/steps/check-propagation.js';
import {
  ACME_ISSUER,
  ISSUERS,
  RecordingSolver,
  acmeState,
  assertTerminal,
  assertTransient,
  rejectsWith,
  solversOf,
} from './fixtures.js';

const DNS = [
  { solver: 0, changeIds: ['C1', 'C2'] },
  { solver: 1, changeIds: ['C3'] },
];

function setup(propagated: [boolean, boolean] = [true, true]) {
  const solvers = [new RecordingSolver([], () => propagated[0]), new RecordingSolver([], () => propagated[1])];
  return { solvers, deps: { issuers: ISSUERS, dns: solversOf(ACME_ISSUER, solvers) } };
}

describe('Step: checkPropagation', () => {
  it('asks each solver about its own change ids and is done when all are in sync', async () => {
    const { solvers, deps } = setup();
    const state = acmeState({ dns: DNS });
    const out = await checkPropagation(state, deps);
    assert.deepEqual(solvers[0]!.checked, [['C1', 'C2']]);
    assert.deepEqual(solvers[1]!.checked, [['C3']]);
    assert.deepEqual(out.poll, { done: true, attempts: 1, delaySeconds: 10 });
    assert.deepEqual({ ...out, poll: undefined }, { ...state, poll: undefined }, 'only poll changes');
  });

  it('counts one more attempt while a change is pending, and stops asking at the first pending one', async () => {
    const { solvers, deps } = setup([false, true]);
    const out = await checkPropagation(
      acmeState({ dns: DNS, poll: { done: false, attempts: 4, delaySeconds: 10 } }),
      deps,
    );
    assert.deepEqual(out.poll, { done: false, attempts: 5, delaySeconds: 10 });
    assert.deepEqual(solvers[1]!.checked, [], 'the second solver is not asked');
  });

  it('does not ask a solver that returned no change ids (challtestsrv), nor any without DNS state', async () => {
    const { solvers, deps } = setup([false, false]);
    const out = await checkPropagation(
      acmeState({
        dns: [
          { solver: 0, changeIds: [] },
          { solver: 1, changeIds: [] },
        ],
      }),
      deps,
    );
    assert.deepEqual(out.poll, { done: true, attempts: 1, delaySeconds: 10 });
    assert.deepEqual((await checkPropagation(acmeState(), deps)).poll, { done: true, attempts: 1, delaySeconds: 10 });
    assert.deepEqual([solvers[0]!.checked, solvers[1]!.checked], [[], []]);
  });

  it(`gives up with a DnsError at check ${MAX_POLLS.propagation}, but not when that check succeeds`, async () => {
    assert.equal(MAX_POLLS.propagation, 90);
    const pending = setup([false, true]).deps;
    const at = (attempts: number) => acmeState({ dns: DNS, poll: { done: false, attempts, delaySeconds: 10 } });
    assert.equal((await checkPropagation(at(88), pending)).poll?.attempts, 89);
    const error = await rejectsWith(
      checkPropagation(at(89), pending),
      DnsError,
      /^dns: TXT records for "web" did not propagate after 90 checks$/,
    );
    assertTerminal(error);
    assert.deepEqual((await checkPropagation(at(89), setup().deps)).poll, {
      done: true,
      attempts: 90,
      delaySeconds: 10,
    });
  });

  it("passes a solver's transient error through, for the state machine to retry", async () => {
    const { solvers, deps } = setup();
    solvers[0]!.failWith = new TransientError('route53: GetChange: Throttling');
    assertTransient(await rejectsWith(checkPropagation(acmeState({ dns: DNS }), deps), TransientError, /GetChange/));
  });

  it('refuses a solver index the issuer does not have', async () => {
    const { deps } = setup();
    assertTerminal(
      await rejectsWith(
        checkPropagation(acmeState({ dns: [{ solver: 2, changeIds: ['C9'] }] }), deps),
        ValidationError,
        /^issuerRef\.name: issuer "le" has no solver #2$/,
      ),
    );
  });
});
