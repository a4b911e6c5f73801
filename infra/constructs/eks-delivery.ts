/**
 * EKS delivery: the sync function and what drives it.
 *
 *   EventBridge (certflow: Certificate Issued | Renewed) ─┐
 *   EventBridge schedule (reconcile, every 6 h) ──────────┴─▶ SQS queue ─▶ sync (batch item failures)
 *                                                             └─ 5 receives ─▶ dead-letter queue ─▶ alarm
 *
 * The sync splits a certificate into one message per failing target, so each target is retried
 * and dead-lettered on its own. In the clusters it is let in by EKS access entries (for the
 * clusters configured here) and an RBAC manifest (printed as a stack output, for any cluster).
 */
import { Arn, ArnFormat, Aws, CfnOutput, type CfnOutputProps, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_EVENT_SOURCE, DELIVERY_EVENT_TYPES, RECONCILE_MESSAGE } from '../../shared/delivery/messages.js';
import { SYNC_GROUP, rbacManifest } from '../../shared/delivery/rbac.js';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import { type DeliveryConfig, clusterId } from '../config/delivery-config.js';
import { acknowledgeDelivery } from './nag.js';
import type { CertificateStorage } from './certificate-storage.js';
import { certflowFunction } from './certflow-function.js';
import { EksPullAccess } from './eks-pull-access.js';
import type { InventoryTable } from './inventory-table.js';

export interface EksDeliveryProps {
  issuers: readonly IssuerConfig[];
  storage: CertificateStorage;
  inventory: InventoryTable;
  /** The `delivery` section of the configuration; without it, no cluster is reachable yet. */
  config?: DeliveryConfig;
  /** Where the dead-letter alarm goes. */
  alarmTopic?: sns.ITopic;
}

/** SQS moves a message to the dead-letter queue after this many receives. */
export const MAX_RECEIVE_COUNT = 5;
const SYNC_TIMEOUT_SECONDS = 60;
/** The AWS-managed access policy for `access: editPolicy`. */
const EDIT_POLICY = 'AmazonEKSEditPolicy';

export class EksDelivery extends Construct {
  readonly function: NodejsFunction;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** Raised while a target sits in the dead-letter queue; add actions (SNS) where it should page. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly accessEntries: eks.CfnAccessEntry[];
  readonly pullAccess: EksPullAccess;

  constructor(scope: Construct, id: string, props: EksDeliveryProps) {
    super(scope, id);
    const config = props.config ?? { clusters: [], pullAccess: [], reconcileIntervalHours: 6 };
    const stack = Stack.of(this);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // Messages hold certificate names and targets, never key material: SQS-managed keys suffice.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda event sources: six times the function's timeout.
      visibilityTimeout: Duration.seconds(6 * SYNC_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.function = certflowFunction(this, 'Sync', {
      file: 'sync',
      description: 'certflow: delivers certificates into Kubernetes Secrets of EKS clusters',
      grants: { inventory: true, inventoryList: true, timeoutSeconds: SYNC_TIMEOUT_SECONDS },
      issuers: props.issuers,
      storage: props.storage,
      inventory: props.inventory,
      environment: {
        CERTFLOW_DELIVERY_QUEUE_URL: this.queue.queueUrl,
        CERTFLOW_DELIVERY_DLQ_URL: this.deadLetterQueue.queueUrl,
      },
    });
    const certificates = Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${props.storage.secretPrefix}/certificates/*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      stack,
    );
    // Certificates only: not the ACME account keys nor the pending keys under the same prefix.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [certificates] }),
    );
    props.storage.key.grantDecrypt(this.function);
    if (config.clusters.length > 0) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['eks:DescribeCluster'],
          resources: config.clusters.map((c) =>
            Arn.format({ service: 'eks', resource: 'cluster', resourceName: c.name }, stack),
          ),
        }),
      );
    }
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    this.queue.grantSendMessages(this.function);
    this.deadLetterQueue.grantSendMessages(this.function);
    if (config.vpc) this.#placeInVpc(config.vpc);

    new events.Rule(this, 'CertificateEvents', {
      description: 'certflow: new and renewed certificates, to deliver into clusters',
      eventPattern: { source: [DELIVERY_EVENT_SOURCE], detailType: [...DELIVERY_EVENT_TYPES] },
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });
    new events.Rule(this, 'Reconcile', {
      description: 'certflow: delivers every certificate again, putting back what drifted',
      schedule: events.Schedule.rate(Duration.hours(config.reconcileIntervalHours)),
      targets: [
        new targets.SqsQueue(this.queue, {
          message: events.RuleTargetInput.fromObject(RECONCILE_MESSAGE),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'certflow: a certificate could not be delivered to a cluster (see the dead-letter queue)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) this.deadLetterAlarm.addAlarmAction(new SnsAction(props.alarmTopic));

    this.accessEntries = config.clusters
      .filter((c) => c.access !== 'none')
      .map(
        (c) =>
          new eks.CfnAccessEntry(this, `Access${clusterId(c.name)}`, {
            clusterName: c.name,
            principalArn: this.function.role!.roleArn,
            type: 'STANDARD',
            ...(c.access === 'editPolicy'
              ? {
                  accessPolicies: [
                    {
                      policyArn: `arn:${Aws.PARTITION}:eks::aws:cluster-access-policy/${EDIT_POLICY}`,
                      accessScope: { type: 'namespace', namespaces: c.namespaces },
                    },
                  ],
                }
              : { kubernetesGroups: [SYNC_GROUP] }),
          }),
      );
    this.pullAccess = new EksPullAccess(this, 'PullAccess', { storage: props.storage, access: config.pullAccess });

    // Stable output names (no hash suffix): the README and scripts look them up by name.
    const output = (name: string, props: CfnOutputProps) =>
      new CfnOutput(this, name, props).overrideLogicalId(`${this.node.id}${name}`);
    output('SyncRoleArn', {
      value: this.function.role!.roleArn,
      description: `certflow sync role: map it to the Kubernetes group ${SYNC_GROUP} (access entry or aws-auth)`,
    });
    output('DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    for (const c of config.clusters) {
      output(`Rbac${clusterId(c.name)}`, {
        value: JSON.stringify(rbacManifest(c.namespaces)),
        description: `RBAC for cluster ${c.name}: kubectl apply -f - (only get, create, patch on secrets)`,
      });
    }
    config.pullAccess.forEach((entry, i) => {
      output(`PullRole${i + 1}`, {
        value: this.pullAccess.roles[i]!.roleArn,
        description: `IRSA role of ${entry.serviceAccount} for certificate ${entry.certificate}`,
      });
    });
    acknowledgeDelivery(this.function, certificates, Boolean(config.vpc));
  }

  /** Private endpoints: the function runs in the clusters' subnets, with the given security groups. */
  #placeInVpc(vpc: NonNullable<DeliveryConfig['vpc']>): void {
    // Subnet and security group ids are all the configuration has; the L1 property takes exactly these.
    (this.function.node.defaultChild as lambda.CfnFunction).vpcConfig = {
      subnetIds: vpc.subnetIds,
      securityGroupIds: vpc.securityGroupIds,
    };
    this.function.role!.addManagedPolicy(
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
    );
  }
}
