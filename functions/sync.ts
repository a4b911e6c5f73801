import { syncBatch } from '../shared/delivery/sqs-batch.js';
import { systemClock } from '../shared/ports/clock.js';
import { clusterSecretWriter, deliveryQueue } from '../shared/wiring/aws/delivery.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The sync behind the delivery queue: certificates into Kubernetes Secrets (see shared/delivery/sync.ts). */
export const handler = stepHandler(syncBatch, () => ({
  inventory: inventory(),
  store: certificateStore(),
  clock: systemClock,
  clusterSecrets: clusterSecretWriter(),
  deliveryQueue: deliveryQueue(),
}));
