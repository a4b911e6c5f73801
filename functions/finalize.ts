import { systemClock } from '../shared/ports/clock.js';
import { finalize } from '../shared/steps/finalize.js';
import { acmeGateway } from '../shared/wiring/aws/acme.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The finalize step of the issuance state machine (see shared/steps/finalize.ts). */
export const handler = stepHandler(finalize, () => ({
  issuers: awsConfig().issuers,
  acme: acmeGateway(),
  store: certificateStore(),
  inventory: inventory(),
  clock: systemClock,
}));
