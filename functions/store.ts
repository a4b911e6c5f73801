import { systemClock } from '../shared/ports/clock.js';
import { store } from '../shared/steps/store.js';
import { acmeGateway } from '../shared/wiring/aws/acme.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The store step of the issuance state machine (see shared/steps/store.ts). */
export const handler = stepHandler(store, () => ({
  issuers: awsConfig().issuers,
  acme: acmeGateway(),
  store: certificateStore(),
  inventory: inventory(),
  clock: systemClock,
}));
