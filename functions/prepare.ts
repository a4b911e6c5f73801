import { systemClock } from '../shared/ports/clock.js';
import { prepare } from '../shared/steps/prepare.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The prepare step of the issuance state machine (see shared/steps/prepare.ts). */
export const handler = stepHandler(prepare, () => ({
  issuers: awsConfig().issuers,
  inventory: inventory(),
  clock: systemClock,
}));
