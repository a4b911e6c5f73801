import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type CertflowConfig, route53Solvers } from './config/certflow-config.js';
import { CertificateApi } from './constructs/certificate-api.js';
import { CertificateStorage } from './constructs/certificate-storage.js';
import { EksDelivery } from './constructs/eks-delivery.js';
import { EndedExecutions } from './constructs/ended-executions.js';
import { InventoryTable } from './constructs/inventory-table.js';
import { IssuanceStateMachine } from './constructs/issuance-state-machine.js';
import { Monitoring } from './constructs/monitoring.js';
import { PipelineFunctions } from './constructs/pipeline-functions.js';
import { Renewal } from './constructs/renewal.js';
import { RequestSlots } from './constructs/request-slots.js';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../shared/certificates/renewal-policy.js';
import { acknowledgeStateMachine } from './constructs/nag.js';

export interface CertflowStackProps extends StackProps {
  config: CertflowConfig;
}

/** certflow: storage, inventory, the pipeline's functions and the issuance state machine. */
export class CertflowStack extends Stack {
  readonly issuance: IssuanceStateMachine;
  readonly api: CertificateApi;
  readonly renewal: Renewal;
  readonly monitoring: Monitoring;
  readonly delivery: EksDelivery;
  readonly ended: EndedExecutions;

  constructor(scope: Construct, id: string, props: CertflowStackProps) {
    super(scope, id, props);
    const storage = new CertificateStorage(this, 'Storage', { secretPrefix: props.config.secretPrefix });
    const inventory = new InventoryTable(this, 'Inventory', { key: storage.key });
    // Route53's five requests per second are shared by every execution: each request books a slot.
    const requestSlots =
      route53Solvers(props.config.issuers).length > 0 ? new RequestSlots(this, 'RequestSlots') : undefined;
    const route53Options = {
      ...(requestSlots ? { requestSlots } : {}),
      ...(props.config.route53?.requestsPerSecond
        ? { route53RequestsPerSecond: props.config.route53.requestsPerSecond }
        : {}),
    };
    const pipeline = new PipelineFunctions(this, 'Pipeline', {
      issuers: props.config.issuers,
      storage,
      inventory,
      ...route53Options,
    });
    this.issuance = new IssuanceStateMachine(this, 'Issuance', { functions: pipeline.functions });
    this.api = new CertificateApi(this, 'Api', {
      issuers: props.config.issuers,
      storage,
      inventory,
      stateMachine: this.issuance.stateMachine,
    });

    // Renewal: one schedule per certificate, written by Publish and RecordFailure (cancelled by
    // the API on delete), and the daily sweep. Those functions are steps of the state machine, so
    // they learn its ARN from its name: a reference to the state machine would be a cycle.
    const stateMachineName = `${this.stackName.slice(0, 71)}-issuance`;
    (this.issuance.stateMachine.node.defaultChild as sfn.CfnStateMachine).stateMachineName = stateMachineName;
    this.renewal = new Renewal(this, 'Renewal', {
      issuers: props.config.issuers,
      storage,
      inventory,
      stateMachine: this.issuance.stateMachine,
      stateMachineArn: this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: stateMachineName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      expiryWarningDays: props.config.alerts?.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
      ...route53Options,
    });
    // Executions that end without Cleanup and RecordFailure: an EventBridge rule runs them.
    this.ended = new EndedExecutions(this, 'Ended', {
      issuers: props.config.issuers,
      storage,
      inventory,
      stateMachine: this.issuance.stateMachine,
      ...route53Options,
    });
    for (const fn of [
      pipeline.functions.Publish,
      pipeline.functions.RecordFailure,
      this.ended.handler,
      this.api.handler,
      this.api.revoker,
    ]) {
      const writer = asFunction(fn);
      for (const [name, value] of Object.entries(this.renewal.schedulerEnvironment)) writer.addEnvironment(name, value);
      this.renewal.grantSchedule(writer);
    }

    // Monitoring: alarms to an SNS topic (mailed when alerts.email is set) and a dashboard.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      key: storage.key,
      stateMachine: this.issuance.stateMachine,
      sweep: this.renewal.sweep,
      schedulerDeadLetterQueue: this.renewal.deadLetterQueue,
      metricLogGroups: [this.renewal.sweep, pipeline.functions.Publish, pipeline.functions.RecordFailure].map(
        (fn) => asFunction(fn).logGroup,
      ),
      ...(props.config.alerts?.email ? { email: props.config.alerts.email } : {}),
    });

    // EKS delivery: the sync behind its queue, access entries, RBAC and IRSA roles (config.delivery).
    this.delivery = new EksDelivery(this, 'Delivery', {
      issuers: props.config.issuers,
      storage,
      inventory,
      ...(props.config.delivery ? { config: props.config.delivery } : {}),
      alarmTopic: this.monitoring.topic,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.api.url,
      description: 'certflow API (IAM auth); certflow --endpoint <this>',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.issuance.stateMachine.stateMachineArn });
    new CfnOutput(this, 'InventoryTableName', { value: inventory.table.tableName });
    new CfnOutput(this, 'KmsKeyArn', { value: storage.key.keyArn });
    new CfnOutput(this, 'AlertTopicArn', { value: this.monitoring.topic.topicArn });
    acknowledgeStateMachine(this.issuance.stateMachine, Object.values(pipeline.functions));
  }
}

/** The functions here are all `lambda.Function`s; the constructs expose them as `IFunction`. */
function asFunction(fn: lambda.IFunction): lambda.Function {
  if (!(fn instanceof lambda.Function)) throw new Error(`certflow: ${fn.node.path} is not a Lambda function`);
  return fn;
}
