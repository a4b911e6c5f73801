import { systemClock } from '../shared/ports/clock.js';
import { publish } from '../shared/steps/publish.js';
import { eventPublisher } from '../shared/wiring/aws/events.js';
import { renewalScheduler } from '../shared/wiring/aws/scheduler.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The publish step of the issuance state machine (see shared/steps/publish.ts). */
export const handler = stepHandler(publish, () => ({
  events: eventPublisher(),
  scheduler: renewalScheduler(),
  clock: systemClock,
}));
