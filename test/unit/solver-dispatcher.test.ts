import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnsError } from '../../shared/errors.js';
import type { AcmeSolverConfig, DnsSolver } from '../../shared/ports/dns.js';
import { SOLVER_PROVIDERS, SolverDispatcher } from '../../shared/solvers/dispatcher.js';

/** A solver that says which provider and settings built it. */
function labelled(provider: string, settings: unknown): DnsSolver & { provider: string; settings: unknown } {
  return {
    provider,
    settings,
    present: async () => [],
    isPropagated: async () => true,
    cleanUp: async () => undefined,
  };
}

function dispatcher(builds: string[]) {
  return new SolverDispatcher(
    {
      route53: (settings) => (builds.push('route53'), labelled('route53', settings)),
      hook: (settings) => (builds.push('hook'), labelled('hook', settings)),
    },
    'dns: this environment has route53 and hook solvers only',
  );
}

describe('Class: SolverDispatcher', () => {
  it('builds the solver of the provider the configuration names, with its settings', () => {
    const builds: string[] = [];
    const d = dispatcher(builds);
    const route53 = d.solverFor({ dns01: { route53: { hostedZoneId: 'Z1' } } }) as ReturnType<typeof labelled>;
    const hook = d.solverFor({ dns01: { hook: { functionName: 'my-hook' } } }) as ReturnType<typeof labelled>;
    assert.equal(route53.provider, 'route53');
    assert.deepEqual(route53.settings, { hostedZoneId: 'Z1' });
    assert.equal(hook.provider, 'hook');
    assert.deepEqual(hook.settings, { functionName: 'my-hook' });
    assert.deepEqual(builds, ['route53', 'hook']);
  });

  it('keeps one solver per distinct dns01 configuration (selectors do not count)', () => {
    const builds: string[] = [];
    const d = dispatcher(builds);
    const a = d.solverFor({ dns01: { route53: { hostedZoneId: 'Z1' } } });
    const b = d.solverFor({ selector: { dnsZones: ['example.com'] }, dns01: { route53: { hostedZoneId: 'Z1' } } });
    const c = d.solverFor({ dns01: { route53: { hostedZoneId: 'Z2' } } });
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.deepEqual(builds, ['route53', 'route53']);
  });

  it('refuses a provider this environment does not build, with the wiring message, and caches nothing', () => {
    const builds: string[] = [];
    const d = dispatcher(builds);
    const local: AcmeSolverConfig = { dns01: { challtestsrv: { managementUrl: 'http://127.0.0.1:8055' } } };
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => d.solverFor(local),
        (e: unknown) => e instanceof DnsError && e.message === 'dns: this environment has route53 and hook solvers only',
      );
    }
    assert.throws(() => d.solverFor({ dns01: {} }), DnsError);
    assert.deepEqual(builds, []);
  });

  it('prefers a hook over Route53 should a configuration name both (checkSolverConfig refuses that at synth)', () => {
    const d = dispatcher([]);
    const solver = d.solverFor({ dns01: { route53: {}, hook: { functionName: 'h' } } }) as ReturnType<typeof labelled>;
    assert.equal(solver.provider, 'hook');
  });

  it('falls through to a provider it builds when another named one is not built here', () => {
    const local = new SolverDispatcher(
      { challtestsrv: (settings) => labelled('challtestsrv', settings) },
      'dns: local mode supports challtestsrv solvers only',
    );
    const solver = local.solverFor({
      dns01: { route53: {}, challtestsrv: { managementUrl: 'http://127.0.0.1:8055' } },
    }) as ReturnType<typeof labelled>;
    assert.equal(solver.provider, 'challtestsrv');
  });

  it('knows every provider a solver configuration may name', () => {
    assert.deepEqual([...SOLVER_PROVIDERS].sort(), ['challtestsrv', 'hook', 'route53']);
  });
});
