/** Every port at once: what the wiring builds and a handler hands to its step (each step picks the few it uses). */
import type { IssuerConfig } from '../issuers/config.js';
import type { AcmeGateway } from './acme.js';
import type { CertificateStore } from './certificate-store.js';
import type { Clock } from './clock.js';
import type { ClusterSecretWriter, DeliveryQueue } from './delivery.js';
import type { CnameResolver, DnsSolverFactory } from './dns.js';
import type { EventPublisher } from './events.js';
import type { Inventory } from './inventory.js';
import type { IssuanceStarter, RenewalScheduler, Revoker } from './executions.js';

export interface Dependencies {
  issuers: readonly IssuerConfig[];
  inventory: Inventory;
  store: CertificateStore;
  acme: AcmeGateway;
  dns: DnsSolverFactory;
  cnames: CnameResolver;
  events: EventPublisher;
  clock: Clock;
  issuance: IssuanceStarter;
  revoker: Revoker;
  scheduler: RenewalScheduler;
  /** Only the sync uses these; optional so that the pipeline's wiring need not build them. */
  clusterSecrets?: ClusterSecretWriter;
  deliveryQueue?: DeliveryQueue;
}
