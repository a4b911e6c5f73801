import { systemClock } from '../shared/pipeline/ports.js';
import { sign } from '../shared/pipeline/steps/sign.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The sign step of the issuance state machine (see shared/pipeline/steps/sign.ts). */
export const handler = stepHandler(sign, () => ({
  issuers: awsConfig().issuers,
  store: certificateStore(),
  inventory: inventory(),
  clock: systemClock,
}));
