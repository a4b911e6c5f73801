import { withMetrics } from '../shared/monitoring/metrics.js';
import { systemClock } from '../shared/ports/clock.js';
import { sweep, type SweepDependencies } from '../shared/renewal/sweep.js';
import { eventPublisher } from '../shared/wiring/aws/events.js';
import { issuanceStarter } from '../shared/wiring/aws/executions.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { renewalScheduler } from '../shared/wiring/aws/scheduler.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { dnsSolvers } from '../shared/wiring/aws/dns.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { abandonedIssuances } from '../shared/steps/ended-issuance.js';
import { readSweepOptions } from '../shared/wiring/environment.js';
import { stepHandler } from '../shared/wiring/index.js';

const options = readSweepOptions();

/** The daily sweep, run by an EventBridge rule (see shared/renewal/sweep.ts). */
export const handler = withMetrics(
  stepHandler(
    (_event: unknown, deps: SweepDependencies) => sweep(deps, options),
    () => {
      const deps = {
        inventory: inventory(),
        issuance: issuanceStarter(),
        events: eventPublisher(),
        clock: systemClock,
        scheduler: renewalScheduler(),
      };
      // Settling abandoned issuances and removing leftovers: Cleanup's and RecordFailure's ports.
      const settle = { ...deps, issuers: awsConfig().issuers, dns: dnsSolvers(), store: certificateStore() };
      return { ...deps, abandoned: abandonedIssuances(() => settle) };
    },
  ),
);
