/**
 * Renewal: the per-certificate one-time schedules (EventBridge Scheduler) and the daily sweep
 * that catches whatever the schedules missed. The schedules themselves are written at run time by
 * the pipeline (Publish, RecordFailure) and the API (cancel on delete); this construct gives them a
 * group, a role to start executions with and a dead-letter queue, and grants their writers.
 */
import { ArnFormat, Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import { nagName } from './nag.js';
import type { CertificateStorage } from './certificate-storage.js';
import { certflowFunction } from './certflow-function.js';
import type { InventoryTable } from './inventory-table.js';
import type { RequestSlots } from './request-slots.js';

export interface RenewalProps {
  issuers: readonly IssuerConfig[];
  storage: CertificateStorage;
  inventory: InventoryTable;
  stateMachine: sfn.IStateMachine;
  /**
   * The state machine's ARN built from its name, not a reference to it: the functions that write
   * schedules are steps of that state machine, so a reference would be a dependency cycle.
   */
  stateMachineArn: string;
  /** Certificates expiring within this many days are reported by the sweep. */
  expiryWarningDays: number;
  /** The schedule group; `certflow` by default. */
  groupName?: string;
  /** The sweep cleans up after abandoned issuances (TXT records): Route53's request budget. */
  requestSlots?: RequestSlots;
  route53RequestsPerSecond?: number;
}

export class Renewal extends Construct {
  readonly groupName: string;
  /** The role EventBridge Scheduler assumes: StartExecution on the state machine, SendMessage to the DLQ. */
  readonly schedulerRole: iam.Role;
  /** Where a schedule's start goes when it failed for good. */
  readonly deadLetterQueue: sqs.Queue;
  readonly sweep: lambda.Function;
  /** What a function that writes schedules needs to know (shared/wiring/aws/scheduler.ts reads it). */
  readonly schedulerEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: RenewalProps) {
    super(scope, id);
    if (!(props.expiryWarningDays > 0)) {
      throw new Error(`renewal: alerts.expiryWarningDays must be a positive number, not ${props.expiryWarningDays}`);
    }
    this.groupName = props.groupName ?? 'certflow';
    const group = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', { name: this.groupName });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the renewal schedules; a queue behind it would only move the same messages, which the DLQ alarm reports.',
    });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'certflow: EventBridge Scheduler starts renewal executions with this role',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': this.#groupArn() },
        },
      }),
    });
    // Added as a separate policy, not inline: an inline reference to the state machine would make
    // the role (which the Publish step's policy names) depend on the state machine: a cycle.
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachine.stateMachineArn] }),
    );
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );

    this.schedulerEnvironment = {
      CERTFLOW_SCHEDULE_GROUP: group.ref,
      CERTFLOW_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      CERTFLOW_SCHEDULER_DLQ_ARN: this.deadLetterQueue.queueArn,
      CERTFLOW_STATE_MACHINE_ARN: props.stateMachineArn,
    };

    this.sweep = certflowFunction(this, 'Sweep', {
      file: 'sweep',
      description: 'certflow: daily sweep, starts what is due and reports what expires soon',
      // A sweep with thousands of due certificates starts them eight at a time.
      // inventory: the ARI re-check writes the new window and renewal time.
      // route53 and secrets: it settles issuances whose execution ended without Cleanup (their
      // TXT values and pending key), and removes TXT values a failed Cleanup left.
      grants: { events: true, inventory: true, route53: 'write', secrets: 'readWrite', timeoutSeconds: 900 },
      issuers: props.issuers,
      storage: props.storage,
      inventory: props.inventory,
      ...(props.requestSlots ? { requestSlots: props.requestSlots } : {}),
      ...(props.route53RequestsPerSecond ? { route53RequestsPerSecond: props.route53RequestsPerSecond } : {}),
      environment: {
        CERTFLOW_STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        CERTFLOW_EXPIRY_WARNING_DAYS: String(props.expiryWarningDays),
      },
    });
    props.inventory.grantSweep(this.sweep);
    // The ARI re-check moves the schedule when the CA moved the window.
    for (const [name, value] of Object.entries(this.schedulerEnvironment)) this.sweep.addEnvironment(name, value);
    this.grantSchedule(this.sweep);
    props.stateMachine.grantStartExecution(this.sweep);
    // The sweep asks whether an execution that still holds a lease past the timeout has ended.
    props.stateMachine.grantExecution(this.sweep, 'states:DescribeExecution');
    Validations.of(this.sweep).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagName(this.sweep, `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${Stack.of(this).splitArn(props.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}:*`)}]`,
      reason:
        'DescribeExecution of this state machine\'s executions only; their names are made at run time (one per issuance).',
    });


    new events.Rule(this, 'Daily', {
      description: 'certflow: runs the renewal sweep once a day',
      schedule: events.Schedule.rate(Duration.days(1)),
      // The sweep is idempotent; a failed run is retried, and tomorrow's catches the rest.
      targets: [new targets.LambdaFunction(this.sweep, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });
  }

  /**
   * Lets `fn` create, replace, read and delete schedules in the group, and pass the scheduler
   * role (to EventBridge Scheduler only). Schedule names are certificate names, known at run time.
   */
  grantSchedule(fn: lambda.IFunction): void {
    const schedules = `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${this.groupName}/*`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        resources: [schedules],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagName(fn, schedules)}]`,
      reason:
        'One schedule per certificate, named after it at run time; the grant is limited to the certflow schedule group.',
    });
  }

  #groupArn(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule-group',
      resourceName: this.groupName,
    });
  }
}
