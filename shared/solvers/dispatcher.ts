/**
 * The one DNS-01 dispatcher: a solver configuration names one provider (`route53`, `hook`,
 * `challtestsrv`); the wiring says which providers its environment has and how to build each.
 * Lambda's wiring gives route53 and hook, local mode gives challtestsrv. One solver is built per
 * distinct configuration and kept for the process's life, so a solver's zone look-ups are cached.
 */
import { DnsError } from '../errors.js';
import type { AcmeSolverConfig, DnsSolver, DnsSolverFactory } from '../ports/dns.js';

type Providers = Required<Omit<AcmeSolverConfig['dns01'], 'cnameStrategy'>>;

/** The DNS providers a solver may name. */
export type SolverProvider = keyof Providers;

/**
 * The providers, in the order the dispatcher tries them. A configuration that passed
 * {@link checkSolverConfig} names exactly one; should it name more, a hook wins over Route53.
 */
export const SOLVER_PROVIDERS: readonly SolverProvider[] = ['hook', 'route53', 'challtestsrv'];

/** How this environment builds a solver for each provider it supports. */
export type SolverBuilders = { [K in SolverProvider]?: (config: Providers[K]) => DnsSolver };

export class SolverDispatcher implements DnsSolverFactory {
  private readonly solvers = new Map<string, DnsSolver>();

  /** `unsupported` is the error's message when a configuration names no provider built here. */
  constructor(
    private readonly builders: SolverBuilders,
    private readonly unsupported: string,
  ) {}

  solverFor(config: AcmeSolverConfig): DnsSolver {
    const key = JSON.stringify(config.dns01);
    let solver = this.solvers.get(key);
    if (!solver) {
      solver = this.build(config);
      this.solvers.set(key, solver);
    }
    return solver;
  }

  private build(config: AcmeSolverConfig): DnsSolver {
    for (const provider of SOLVER_PROVIDERS) {
      const settings = config.dns01[provider];
      const builder = this.builders[provider] as ((settings: Providers[typeof provider]) => DnsSolver) | undefined;
      if (settings !== undefined && builder) return builder(settings);
    }
    throw new DnsError(this.unsupported);
  }
}
