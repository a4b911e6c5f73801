import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeRenewalScheduler, atExpression } from '../../shared/adapters/aws/eventbridge-scheduler.js';
import { CertflowError, TransientError } from '../../shared/errors.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:certflow-issuance';
const ROLE = 'arn:aws:iam::123456789012:role/certflow-scheduler';
const DLQ = 'arn:aws:sqs:eu-west-1:123456789012:certflow-scheduler-dlq';
const input = { name: 'web', reason: 'Renewing' };

const notFound = () =>
  new ResourceNotFoundException({
    message: 'Schedule web does not exist.',
    Message: 'Schedule web does not exist.',
    $metadata: {},
  });
const conflict = () =>
  new ConflictException({
    message: 'Schedule web already exists.',
    Message: 'Schedule web already exists.',
    $metadata: {},
  });

describe('Class: EventBridgeRenewalScheduler', () => {
  const scheduler = mockClient(SchedulerClient);
  const adapter = new EventBridgeRenewalScheduler({
    client: new SchedulerClient({ region: 'eu-west-1' }),
    groupName: 'certflow',
    roleArn: ROLE,
    deadLetterArn: DLQ,
    stateMachineArn: STATE_MACHINE,
    clock: { now: () => NOW },
  });

  beforeEach(() => {
    scheduler.reset();
  });

  it('creates a one-time schedule named after the certificate, in the certflow group', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    await adapter.schedule('web', new Date('2026-05-01T08:30:00Z'), 'web-due-abc', input);
    const request = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    assert.equal(request.Name, 'web');
    assert.equal(request.GroupName, 'certflow');
    assert.equal(request.ScheduleExpression, 'at(2026-05-01T08:30:00)');
    assert.equal(request.ScheduleExpressionTimezone, 'UTC');
    assert.deepEqual(request.FlexibleTimeWindow, { Mode: 'OFF' });
    assert.equal(request.ActionAfterCompletion, 'DELETE');
  });

  it('targets StartExecution with the execution name, so a due time starts once', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    await adapter.schedule('web', new Date('2026-05-01T08:30:00Z'), 'web-due-abc', input);
    const target = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!;
    assert.equal(target.Arn, 'arn:aws:scheduler:::aws-sdk:sfn:startExecution');
    assert.equal(target.RoleArn, ROLE);
    assert.deepEqual(JSON.parse(target.Input!), {
      StateMachineArn: STATE_MACHINE,
      Name: 'web-due-abc',
      Input: JSON.stringify(input),
    });
  });

  it('sends failed starts to the dead-letter queue after bounded retries', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    await adapter.schedule('web', new Date('2026-05-01T08:30:00Z'), 'web-due-abc', input);
    const target = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!;
    assert.deepEqual(target.DeadLetterConfig, { Arn: DLQ });
    assert.deepEqual(target.RetryPolicy, { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 });
  });

  it('replaces an existing schedule with UpdateSchedule', async () => {
    scheduler.on(CreateScheduleCommand).rejects(conflict());
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    await adapter.schedule('web', new Date('2026-06-01T00:00:00Z'), 'web-due-def', input);
    const update = scheduler.commandCalls(UpdateScheduleCommand);
    assert.equal(update.length, 1);
    assert.equal(update[0]!.args[0].input.ScheduleExpression, 'at(2026-06-01T00:00:00)');
    assert.equal(JSON.parse(update[0]!.args[0].input.Target!.Input!).Name, 'web-due-def');
  });

  it('creates again when the schedule disappears between the conflict and the update', async () => {
    scheduler.on(CreateScheduleCommand).rejectsOnce(conflict()).resolves({});
    scheduler.on(UpdateScheduleCommand).rejects(notFound());
    await adapter.schedule('web', new Date('2026-06-01T00:00:00Z'), 'web-due-def', input);
    assert.equal(scheduler.commandCalls(CreateScheduleCommand).length, 2);
    assert.equal(scheduler.commandCalls(UpdateScheduleCommand).length, 1);
  });

  it('reports a schedule that keeps racing as TransientError', async () => {
    scheduler.on(CreateScheduleCommand).rejects(conflict());
    scheduler.on(UpdateScheduleCommand).rejects(notFound());
    await assert.rejects(
      adapter.schedule('web', new Date('2026-06-01T00:00:00Z'), 'web-due-def', input),
      TransientError,
    );
  });

  it('schedules a time in the past a minute from now, keeping the execution name', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    await adapter.schedule('web', new Date('2026-02-01T00:00:00Z'), 'web-due-old', input);
    const request = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    assert.equal(request.ScheduleExpression, 'at(2026-03-01T12:01:00)');
    assert.equal(JSON.parse(request.Target!.Input!).Name, 'web-due-old');
  });

  it('rounds a time up to the next second, so a schedule never fires early', () => {
    assert.equal(atExpression(new Date('2026-05-01T08:30:00.001Z')), 'at(2026-05-01T08:30:01)');
  });

  it('uses the universal target of the state machine partition', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    const china = new EventBridgeRenewalScheduler({
      client: new SchedulerClient({ region: 'cn-north-1' }),
      groupName: 'certflow',
      roleArn: ROLE,
      deadLetterArn: DLQ,
      stateMachineArn: 'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:x',
      clock: { now: () => NOW },
    });
    await china.schedule('web', new Date('2026-05-01T08:30:00Z'), 'web-due-abc', input);
    const target = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!;
    assert.equal(target.Arn, 'arn:aws-cn:scheduler:::aws-sdk:sfn:startExecution');
  });

  it('refuses a name EventBridge Scheduler cannot hold, before calling it', async () => {
    await assert.rejects(adapter.schedule('a/b', NOW, 'x', input), /^CertflowError: scheduler: "a\/b" cannot name/);
    assert.equal(scheduler.calls().length, 0);
  });

  it('translates throttling into TransientError', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    await assert.rejects(
      adapter.schedule('web', new Date('2026-05-01T08:30:00Z'), 'web-due-abc', input),
      (error: Error) => {
        assert.ok(error instanceof TransientError);
        assert.match(error.message, /^scheduler: scheduling "web" at .*ThrottlingException/);
        return true;
      },
    );
  });

  it('translates a refused request into a terminal error', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ValidationException({ message: 'bad role', Message: 'bad role', $metadata: {} }));
    await assert.rejects(
      adapter.schedule('web', new Date('2026-05-01T08:30:00Z'), 'web-due-abc', input),
      (error: Error) => {
        assert.ok(error instanceof CertflowError && !(error instanceof TransientError));
        return true;
      },
    );
  });

  it('cancels by deleting the schedule in its group', async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});
    await adapter.cancel('web');
    assert.deepEqual(scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input, {
      Name: 'web',
      GroupName: 'certflow',
    });
  });

  it('cancels a schedule that is already gone without an error', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(notFound());
    await adapter.cancel('web');
  });

  it('translates throttling on cancel into TransientError', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    await assert.rejects(adapter.cancel('web'), TransientError);
  });
});
