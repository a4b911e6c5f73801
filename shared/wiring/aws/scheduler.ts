import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeRenewalScheduler } from '../../adapters/aws/eventbridge-scheduler.js';
import { requireEnv } from '../environment.js';
import { lazy } from './config.js';

/**
 * Renewal schedules in this deployment's EventBridge Scheduler group. The variables come from the
 * Renewal construct's `schedulerEnvironment` (infra/constructs/renewal.ts).
 */
export const renewalScheduler = lazy(
  () =>
    new EventBridgeRenewalScheduler({
      client: new SchedulerClient({}),
      groupName: requireEnv('CERTFLOW_SCHEDULE_GROUP'),
      roleArn: requireEnv('CERTFLOW_SCHEDULER_ROLE_ARN'),
      deadLetterArn: requireEnv('CERTFLOW_SCHEDULER_DLQ_ARN'),
      stateMachineArn: requireEnv('CERTFLOW_STATE_MACHINE_ARN'),
    }),
);
