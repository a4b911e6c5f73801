import type { AcmeSolverConfig } from '../ports/dns.js';
import type { DnsSolver, DnsSolverFactory } from '../ports/dns.js';

/** One solver per distinct configuration, kept for the process's life (zone look-ups cached). */
export class SolverCache implements DnsSolverFactory {
  private readonly solvers = new Map<string, DnsSolver>();
  constructor(private readonly make: (config: AcmeSolverConfig) => DnsSolver) {}
  solverFor(config: AcmeSolverConfig): DnsSolver {
    const key = JSON.stringify(config.dns01);
    let solver = this.solvers.get(key);
    if (!solver) {
      solver = this.make(config);
      this.solvers.set(key, solver);
    }
    return solver;
  }
}
