/**
 * Every port at once: what the wiring builds (AWS adapters, or local ones) and a handler hands
 * to its step, its sweep or its sync. Each of those declares the few ports it uses.
 */
import type { ClusterSecretWriter, DeliveryQueue } from '../ports/delivery.js';
import type { AbandonedIssuances, IssuanceStarter, Revoker } from '../ports/executions.js';
import type { StepDependencies } from '../steps/dependencies.js';

export interface Dependencies extends StepDependencies {
  issuance: IssuanceStarter;
  revoker: Revoker;
  /** The sweep's: issuances that ended still holding their lease, and leftovers. */
  abandoned: AbandonedIssuances;
  /** Only the sync uses these; optional so that the pipeline's wiring need not build them. */
  clusterSecrets?: ClusterSecretWriter;
  deliveryQueue?: DeliveryQueue;
}
