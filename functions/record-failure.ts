import { systemClock } from '../shared/ports/clock.js';
import { recordFailure } from '../shared/steps/record-failure.js';
import { eventPublisher } from '../shared/wiring/aws/events.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { renewalScheduler } from '../shared/wiring/aws/scheduler.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The recordFailure step of the issuance state machine (see shared/steps/record-failure.ts). */
export const handler = stepHandler(recordFailure, () => ({
  inventory: inventory(),
  clock: systemClock,
  events: eventPublisher(),
  scheduler: renewalScheduler(),
}));
