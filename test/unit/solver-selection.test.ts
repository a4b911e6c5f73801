import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcmeSolverConfig } from '../../shared/ports/dns.js';
import { selectSolver } from '../../shared/solvers/selection.js';

const solver = (selector?: AcmeSolverConfig['selector']): AcmeSolverConfig => ({
  ...(selector ? { selector } : {}),
  dns01: { route53: {} },
});

describe('Function: selectSolver (cert-manager precedence)', () => {
  const solvers = [
    solver(), // 0: fallback
    solver({ dnsZones: ['example.com'] }), // 1
    solver({ dnsZones: ['sub.example.com'] }), // 2: longer zone
    solver({ dnsNames: ['www.sub.example.com'] }), // 3: exact name
    solver({ dnsZones: ['example.com'] }), // 4: tie with 1, listed later
    solver({ dnsNames: ['*.wild.example.org'] }), // 5: wildcard name as written in the spec
  ];
  const cases: [string, string, number][] = [
    ['a dnsNames match beats any zone', 'www.sub.example.com', 3],
    ['the longest matching zone wins', 'api.sub.example.com', 2],
    ['a zone matches its apex', 'example.com', 1],
    ['ties go to the first listed', 'shop.example.com', 1],
    ['a solver without selector is the fallback', 'other.test', 0],
    ['a wildcard matches a dnsNames entry written as the wildcard', '*.wild.example.org', 5],
    ['a wildcard falls back to its zone without an exact entry', '*.sub.example.com', 2],
    ['matching ignores case', 'WWW.SUB.EXAMPLE.COM', 3],
  ];
  for (const [name, dnsName, expected] of cases) {
    it(name, () => assert.equal(selectSolver(solvers, dnsName), expected));
  }

  it('finds no solver when none matches and there is no fallback', () => {
    assert.equal(selectSolver([solver({ dnsZones: ['example.com'] })], 'example.org'), -1);
  });
});
