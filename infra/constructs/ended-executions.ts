/**
 * Executions that end without their own Cleanup and RecordFailure (the state machine's timeout,
 * a StopExecution, an error no Catch caught): Step Functions sends "Execution Status Change" to
 * the default event bus (Step Functions Developer Guide, "Automating Step Functions event delivery
 * with EventBridge"), and a rule passes FAILED, TIMED_OUT and ABORTED ones of this state machine to
 * the `execution-ended` function, which cleans up and records the failure when the execution still
 * holds its certificate's lease (shared/steps/ended-issuance.ts). An event lost for good is
 * caught by the sweep when the lease expires.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import type { CertificateStorage } from './certificate-storage.js';
import { certflowFunction } from './certflow-function.js';
import type { InventoryTable } from './inventory-table.js';
import type { RequestSlots } from './request-slots.js';

export interface EndedExecutionsProps {
  issuers: readonly IssuerConfig[];
  storage: CertificateStorage;
  inventory: InventoryTable;
  stateMachine: sfn.IStateMachine;
  requestSlots?: RequestSlots;
  route53RequestsPerSecond?: number;
}

export class EndedExecutions extends Construct {
  readonly handler: lambda.Function;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: EndedExecutionsProps) {
    super(scope, id);
    this.handler = certflowFunction(this, 'ExecutionEnded', {
      file: 'execution-ended',
      description: 'certflow: cleans up after issuance executions that failed, timed out or were stopped',
      // Cleanup's and RecordFailure's rights: TXT records, the pending key, the record, the event.
      grants: { route53: 'write', secrets: 'readWrite', inventory: true, events: true },
      issuers: props.issuers,
      storage: props.storage,
      inventory: props.inventory,
      ...(props.requestSlots ? { requestSlots: props.requestSlots } : {}),
      ...(props.route53RequestsPerSecond ? { route53RequestsPerSecond: props.route53RequestsPerSecond } : {}),
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'certflow: issuance executions that ended without their Cleanup (failed, timed out, stopped)',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [props.stateMachine.stateMachineArn] },
      },
      // Idempotent: a redelivered event finds the lease released and changes nothing.
      targets: [new targets.LambdaFunction(this.handler, { retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });
  }
}
