/**
 * DNS-01 as the steps use it: a solver per configuration, and CNAME look-ups. The configuration
 * types are declared here, by the factory that takes them; shared/solvers/ validates and
 * implements them.
 */

export interface Route53SolverConfig {
  /** Skip the zone look-up and write into this zone. */
  hostedZoneId?: string;
  region?: string;
  /** Cross-account: assume this role for the zone (with `externalId`). */
  roleArn?: string;
  externalId?: string;
}

export interface SolverSelector {
  dnsZones?: string[];
  dnsNames?: string[];
}

export interface AcmeSolverConfig {
  selector?: SolverSelector;
  dns01: {
    route53?: Route53SolverConfig;
    /** Local mode and tests: pebble-challtestsrv's management API. */
    challtestsrv?: { managementUrl: string };
    /**
     * Any other DNS provider (cert-manager's webhook solver, serverless): a Lambda function of
     * the operator's that implements `present` and `cleanUp` (see README, "DNS hook solver").
     */
    hook?: { functionName: string };
    cnameStrategy?: 'None' | 'Follow';
  };
}

export interface TxtRecord {
  /** Fully qualified, no trailing dot: `_acme-challenge.example.com`. */
  name: string;
  value: string;
}

/** A DNS-01 solver (cert-manager's Present / CleanUp, plus Check for propagation). */
export interface DnsSolver {
  /** Adds the values, merged with any already there; returns change ids to wait on. */
  present(records: TxtRecord[]): Promise<string[]>;
  /** True when every change is visible on the authoritative servers (Route53: INSYNC). */
  isPropagated(changeIds: string[]): Promise<boolean>;
  /** Removes only these values; removing what is not there is not an error. */
  cleanUp(records: TxtRecord[]): Promise<void>;
}

/** Looks up CNAME records (CNAME delegation of `_acme-challenge`, cert-manager's `cnameStrategy: Follow`). */
export interface CnameResolver {
  /** The target of `name`'s CNAME (no trailing dot), or undefined when it has none. */
  cnameOf(name: string): Promise<string | undefined>;
}

export interface DnsSolverFactory {
  solverFor(config: AcmeSolverConfig): DnsSolver;
}
