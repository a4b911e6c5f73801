/**
 * {@link RenewalScheduler} on EventBridge Scheduler: one one-time schedule per certificate, named
 * after it, that starts the issuance state machine through the universal target
 * (`aws-sdk:sfn:startExecution`) with the execution name chosen by the pipeline. The name makes
 * the start idempotent: if the sweep started the same due time first, Step Functions refuses a
 * second execution of that name.
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { CertflowError, TransientError } from '../../errors.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { RenewalScheduler } from '../../ports/executions.js';
import type { ExecutionInput } from '../../ports/executions.js';
import { awsErrorName, translateAwsError } from './aws-errors.js';

/** EventBridge Scheduler's rule for schedule names. */
const SCHEDULE_NAME = /^[0-9a-zA-Z_.-]{1,64}$/;
/** EventBridge rejects an `at()` in the past; a late schedule fires this long after now instead. */
export const PAST_DUE_DELAY_MS = 60_000;
/** How often create and update may race someone else before the conflict is reported. */
const MAX_RACES = 3;

/** Options of {@link EventBridgeRenewalScheduler}. */
export interface EventBridgeRenewalSchedulerOptions {
  client: SchedulerClient;
  /** The schedule group (`certflow`); IAM is scoped to it. */
  groupName: string;
  /** The role EventBridge Scheduler assumes to start executions and write to the dead-letter queue. */
  roleArn: string;
  /** SQS queue that receives the starts that failed for good. */
  deadLetterArn: string;
  /** The issuance state machine. */
  stateMachineArn: string;
  /** Retries of a failed start before the event goes to the dead-letter queue. */
  retry?: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
  clock?: Clock;
}

function schedulerError(action: string, error: unknown): CertflowError {
  return translateAwsError('scheduler', action, error, CertflowError, ['InternalServerException']);
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the second so that it never fires early. */
export function atExpression(time: Date): string {
  const second = new Date(Math.ceil(time.getTime() / 1000) * 1000);
  return `at(${second.toISOString().slice(0, 19)})`;
}

/** {@link RenewalScheduler} on EventBridge Scheduler: create-or-replace and delete, by certificate name. */
export class EventBridgeRenewalScheduler implements RenewalScheduler {
  readonly #options: EventBridgeRenewalSchedulerOptions;
  readonly #clock: Clock;

  constructor(options: EventBridgeRenewalSchedulerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Creates or replaces the schedule of `name`. The execution name stays the one given even when
   * `at` has passed and the schedule fires a minute from now: the due time it acts on is `at`.
   */
  async schedule(name: string, at: Date, executionName: string, input: ExecutionInput): Promise<void> {
    const request = this.#request(name, at, executionName, input);
    const doing = `scheduling "${name}" at ${at.toISOString()}`;
    // Usually the previous schedule fired and deleted itself, so create comes first. Two writers
    // (Publish re-run, a spec change) can race: a conflict means it exists now, update it; a
    // missing schedule on update means it fired or was cancelled in between, create it.
    let create = true;
    for (let race = 0; race < MAX_RACES; race++) {
      try {
        await this.#options.client.send(
          create ? new CreateScheduleCommand(request) : new UpdateScheduleCommand(request),
        );
        return;
      } catch (error) {
        const code = awsErrorName(error);
        if (create && code === 'ConflictException') create = false;
        else if (!create && code === 'ResourceNotFoundException') create = true;
        else throw schedulerError(doing, error);
      }
    }
    throw new TransientError(`scheduler: ${doing} failed: the schedule kept changing under concurrent writers`);
  }

  /** Deletes the schedule of `name`; one that already fired (and deleted itself) is fine. */
  async cancel(name: string): Promise<void> {
    try {
      await this.#options.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.#options.groupName }));
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return;
      throw schedulerError(`cancelling the schedule of "${name}"`, error);
    }
  }

  #request(name: string, at: Date, executionName: string, input: ExecutionInput): CreateScheduleCommandInput {
    if (!SCHEDULE_NAME.test(name)) {
      throw new CertflowError(`scheduler: "${name}" cannot name a schedule (1-64 characters of 0-9a-zA-Z-_.)`);
    }
    const { stateMachineArn, retry } = this.#options;
    const earliest = this.#clock.now().getTime() + PAST_DUE_DELAY_MS;
    const fireAt = at.getTime() < earliest ? new Date(earliest) : at;
    // The universal target lives in the state machine's partition (aws, aws-cn, aws-us-gov).
    const partition = stateMachineArn.split(':')[1] || 'aws';
    return {
      Name: name,
      GroupName: this.#options.groupName,
      Description: `certflow: starts ${executionName}`,
      ScheduleExpression: atExpression(fireAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: `arn:${partition}:scheduler:::aws-sdk:sfn:startExecution`,
        RoleArn: this.#options.roleArn,
        // The StartExecution request itself; Input is a string inside it, as the API wants.
        Input: JSON.stringify({ StateMachineArn: stateMachineArn, Name: executionName, Input: JSON.stringify(input) }),
        DeadLetterConfig: { Arn: this.#options.deadLetterArn },
        RetryPolicy: {
          MaximumRetryAttempts: retry?.maximumRetryAttempts ?? 10,
          MaximumEventAgeInSeconds: retry?.maximumEventAgeSeconds ?? 86_400,
        },
      },
    };
  }
}
