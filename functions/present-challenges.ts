import { presentChallenges } from '../shared/steps/present-challenges.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { dnsSolvers } from '../shared/wiring/aws/dns.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { systemClock } from '../shared/ports/clock.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The presentChallenges step of the issuance state machine (see shared/steps/present-challenges.ts). */
export const handler = stepHandler(presentChallenges, () => ({
  issuers: awsConfig().issuers,
  dns: dnsSolvers(),
  inventory: inventory(),
  clock: systemClock,
}));
