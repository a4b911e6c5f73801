import { systemClock } from '../shared/ports/clock.js';
import { executionEnded } from '../shared/steps/ended-issuance.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { dnsSolvers } from '../shared/wiring/aws/dns.js';
import { eventPublisher } from '../shared/wiring/aws/events.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { renewalScheduler } from '../shared/wiring/aws/scheduler.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/**
 * Step Functions "Execution Status Change" (FAILED, TIMED_OUT, ABORTED) through EventBridge:
 * Cleanup and RecordFailure for an execution that ended without them (shared/steps/ended-issuance.ts).
 */
export const handler = stepHandler(executionEnded, () => ({
  issuers: awsConfig().issuers,
  dns: dnsSolvers(),
  store: certificateStore(),
  inventory: inventory(),
  clock: systemClock,
  events: eventPublisher(),
  scheduler: renewalScheduler(),
}));
