import { systemClock } from '../shared/ports/clock.js';
import { sign } from '../shared/steps/sign.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The sign step of the issuance state machine (see shared/steps/sign.ts). */
export const handler = stepHandler(sign, () => ({
  issuers: awsConfig().issuers,
  store: certificateStore(),
  inventory: inventory(),
  clock: systemClock,
}));
