/**
 * Picks the DNS-01 solver for a name with cert-manager's precedence: a `dnsNames` match beats a
 * `dnsZones` match, the longest matching zone wins, ties go to the first listed, and a solver
 * without selector is the fallback.
 */
import type { AcmeSolverConfig } from '../ports/dns.js';

/** Index of the solver for `dnsName` (as in the spec, `*.` kept), or -1 when none applies. */
export function selectSolver(solvers: readonly AcmeSolverConfig[], dnsName: string): number {
  const name = dnsName.toLowerCase();
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  let best = -1;
  let bestZoneLength = -1;
  let fallback = -1;
  for (const [index, solver] of solvers.entries()) {
    const selector = solver.selector;
    const hasNames = Boolean(selector?.dnsNames?.length);
    const hasZones = Boolean(selector?.dnsZones?.length);
    if (!hasNames && !hasZones) {
      if (fallback === -1) fallback = index;
      continue;
    }
    if (selector?.dnsNames?.some((n) => n.toLowerCase() === name)) return index;
    for (const zone of selector?.dnsZones ?? []) {
      const z = zone.toLowerCase().replace(/\.$/, '');
      if ((bare === z || bare.endsWith(`.${z}`)) && z.length > bestZoneLength) {
        best = index;
        bestZoneLength = z.length;
      }
    }
  }
  return best !== -1 ? best : fallback;
}
