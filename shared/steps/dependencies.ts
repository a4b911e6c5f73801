/** The ports the issuance steps use; each step's signature picks the few it needs. */
import type { IssuerConfig } from '../issuers/registry.js';
import type { AcmeGateway } from '../ports/acme.js';
import type { CertificateStore } from '../ports/certificate-store.js';
import type { Clock } from '../ports/clock.js';
import type { CnameResolver, DnsSolverFactory } from '../ports/dns.js';
import type { EventPublisher } from '../ports/events.js';
import type { RenewalScheduler } from '../ports/executions.js';
import type { Inventory } from '../ports/inventory.js';

export interface StepDependencies {
  issuers: readonly IssuerConfig[];
  inventory: Inventory;
  store: CertificateStore;
  acme: AcmeGateway;
  dns: DnsSolverFactory;
  cnames: CnameResolver;
  events: EventPublisher;
  clock: Clock;
  scheduler: RenewalScheduler;
}
