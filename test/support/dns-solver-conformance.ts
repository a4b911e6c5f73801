/**
 * The behaviour every `DnsSolver` must share, run against each implementation with its real
 * backend, so that local mode and Route53 cannot drift apart.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DnsSolver, TxtRecord } from '../../shared/ports/dns.js';

/** Records of the suite live under this domain: fixtures must be able to serve it. */
export const CONFORMANCE_DOMAIN = 'example.com';

export interface DnsSolverFixture {
  solver: DnsSolver;
  /** The values a validator would see for `name` (no trailing dot), in any order. */
  readTxt(name: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Presents, then waits as the state machine does until the solver says the change is visible. */
async function presentAndWait(solver: DnsSolver, records: TxtRecord[]): Promise<void> {
  const ids = await solver.present(records);
  for (let attempt = 0; !(await solver.isPropagated(ids)); attempt++) {
    assert.ok(attempt < 50, 'the change never propagated');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sorted = (values: string[]): string[] => [...values].sort();

/** Registers a `describe(name)` suite that checks `makeSolver`'s solver against the contract. */
export function runDnsSolverConformance(name: string, makeSolver: () => Promise<DnsSolverFixture>): void {
  describe(name, () => {
    let fixture: DnsSolverFixture;
    // Unique per run, so suites sharing one DNS server never see each other's leftovers.
    const run = randomBytes(4).toString('hex');
    const recordName = (label: string): string => `_acme-challenge.${label}-${run}.${CONFORMANCE_DOMAIN}`;

    before(async () => {
      fixture = await makeSolver();
    });

    after(async () => {
      await fixture?.close();
    });

    it('keeps the other value when one of two is cleaned up', async () => {
      const txt = recordName('two');
      await presentAndWait(fixture.solver, [{ name: txt, value: 'first' }]);
      await presentAndWait(fixture.solver, [{ name: txt, value: 'second' }]);
      assert.deepEqual(sorted(await fixture.readTxt(txt)), ['first', 'second']);
      await fixture.solver.cleanUp([{ name: txt, value: 'first' }]);
      assert.deepEqual(await fixture.readTxt(txt), ['second']);
    });

    it('is harmless to clean up twice', async () => {
      const txt = recordName('twice');
      await presentAndWait(fixture.solver, [{ name: txt, value: 'only' }]);
      await fixture.solver.cleanUp([{ name: txt, value: 'only' }]);
      await fixture.solver.cleanUp([{ name: txt, value: 'only' }]);
      assert.deepEqual(await fixture.readTxt(txt), []);
    });

    it('is harmless to clean up what was never presented', async () => {
      const txt = recordName('never');
      await fixture.solver.cleanUp([{ name: txt, value: 'ghost' }]);
      assert.deepEqual(await fixture.readTxt(txt), []);
    });

    it('holds a value once when it is presented twice', async () => {
      const txt = recordName('idempotent');
      await presentAndWait(fixture.solver, [{ name: txt, value: 'same' }]);
      await presentAndWait(fixture.solver, [{ name: txt, value: 'same' }]);
      assert.deepEqual(await fixture.readTxt(txt), ['same']);
    });

    it('lets wildcard and apex values coexist on one name', async () => {
      const txt = recordName('wildcard');
      await presentAndWait(fixture.solver, [
        { name: txt, value: 'apex' },
        { name: txt, value: 'wildcard' },
      ]);
      assert.deepEqual(sorted(await fixture.readTxt(txt)), ['apex', 'wildcard']);
      await fixture.solver.cleanUp([
        { name: txt, value: 'apex' },
        { name: txt, value: 'wildcard' },
      ]);
      assert.deepEqual(await fixture.readTxt(txt), []);
    });

    it('leaves other names alone', async () => {
      const [mine, theirs] = [recordName('mine'), recordName('theirs')];
      await presentAndWait(fixture.solver, [
        { name: mine, value: 'm' },
        { name: theirs, value: 't' },
      ]);
      await fixture.solver.cleanUp([{ name: mine, value: 'm' }]);
      assert.deepEqual(await fixture.readTxt(mine), []);
      assert.deepEqual(await fixture.readTxt(theirs), ['t']);
    });
  });
}
