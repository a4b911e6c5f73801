/**
 * Alerts and the dashboard: an encrypted SNS topic (with an optional e-mail subscription), the
 * alarms that page before anything expires or when renewal stops working, and one dashboard.
 * Metric names come from shared/monitoring/metrics.ts, which the functions emit as EMF.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE, MetricKeys, MetricNames } from '../../shared/monitoring/metrics.js';

export interface MonitoringProps {
  /** The certflow key; CloudWatch is allowed to use it to publish to the encrypted topic. */
  key: kms.IKey;
  stateMachine: sfn.IStateMachine;
  sweep: lambda.IFunction;
  schedulerDeadLetterQueue: sqs.IQueue;
  /** Log groups of the functions that write per-certificate EMF lines (sweep, Publish, RecordFailure). */
  metricLogGroups: logs.ILogGroup[];
  /** Where alerts are mailed; none when omitted (subscribe to the topic some other way). */
  email?: string;
}

const FIVE_MINUTES = Duration.minutes(5);
const DAY = Duration.days(1);

function certflowMetric(metricName: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic,
    period,
  });
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: Record<string, cloudwatch.Alarm>;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    // A topic under the AWS-managed SNS key cannot receive alarms (CloudWatch may not use that
    // key), so it is the certflow key, with CloudWatch allowed to encrypt with it.
    this.topic = new sns.Topic(this, 'Alerts', {
      displayName: 'certflow alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheAlertTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    const expiringSoon = certflowMetric(MetricNames.CertificatesExpiringSoon, 'Maximum', DAY);
    const alarm = (
      name: string,
      description: string,
      options: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number },
    ) => {
      const created = new cloudwatch.Alarm(this, name, {
        alarmDescription: `certflow: ${description}`,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      return created;
    };
    this.alarms = {
      // Missing data is not "nothing expires" here: the SweepMissing alarm owns that case, so
      // that each alarm says one thing.
      expiringSoon: alarm('CertificatesExpiringSoon', 'a certificate expires within the warning window', {
        metric: expiringSoon,
        threshold: 1,
      }),
      // The sweep emits the count every day, zero included: two days without it mean the sweep
      // is broken (or not deployed), and then nothing else would warn before an expiry.
      sweepMissing: alarm('SweepMissing', 'the daily sweep has reported nothing for two days', {
        metric: certflowMetric(MetricNames.CertificatesExpiringSoon, 'SampleCount', DAY),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      executionsFailed: alarm('ExecutionsFailed', 'an issuance execution failed', {
        metric: props.stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
      }),
      // An execution that times out or is stopped ends without Cleanup and RecordFailure: no
      // IssuanceFailures metric tells of it, so these two alarms do (AWS/States metrics).
      executionsTimedOut: alarm(
        'ExecutionsTimedOut',
        'an issuance execution timed out (its certificate may stay Issuing)',
        {
          metric: props.stateMachine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
        },
      ),
      executionsAborted: alarm(
        'ExecutionsAborted',
        'an issuance execution was stopped (its certificate may stay Issuing)',
        {
          metric: props.stateMachine.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
        },
      ),
      issuanceFailures: alarm('IssuanceFailures', 'an issuance failed (the certificate name is in the logs)', {
        metric: certflowMetric(MetricNames.IssuanceFailures, 'Sum', FIVE_MINUTES),
        threshold: 1,
      }),
      sweepFailed: alarm('SweepFailed', 'the daily sweep function failed', {
        metric: props.sweep.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
      }),
      sweepErrors: alarm('SweepErrors', 'the daily sweep could not start or report some certificates', {
        metric: certflowMetric(MetricNames.SweepErrors, 'Sum', FIVE_MINUTES),
        threshold: 1,
      }),
      scheduleDeadLetters: alarm('ScheduleDeadLetters', 'a renewal schedule could not start its execution', {
        metric: props.schedulerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: 1,
      }),
    };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-certificates`,
      defaultInterval: Duration.days(14),
    });
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Days to expiry per certificate (latest reading in range)',
        logGroupNames: props.metricLogGroups.map((group) => group.logGroupName),
        // notAfter orders exactly; DaysToExpiry is as of the reading (daily for expiring ones).
        queryLines: [
          `fields ${MetricKeys.certificate}, ${MetricNames.DaysToExpiry} as daysToExpiry, notAfter`,
          `filter ispresent(${MetricNames.DaysToExpiry}) and ispresent(${MetricKeys.certificate})`,
          `stats latest(daysToExpiry) as daysToExpiry, latest(notAfter) as notAfter by ${MetricKeys.certificate}`,
          'sort notAfter asc',
          'limit 200',
        ],
        width: 12,
        height: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Days to expiry (certificates within the warning window)',
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},${MetricKeys.certificate},service} MetricName="${MetricNames.DaysToExpiry}"', 'Minimum', 86400)`,
            label: '',
            period: DAY,
          }),
        ],
        width: 12,
        height: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Issuances',
        left: [props.stateMachine.metricSucceeded({ period: DAY, statistic: 'Sum', label: 'succeeded' })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Failures',
        left: [
          props.stateMachine.metricFailed({ period: DAY, statistic: 'Sum', label: 'executions failed' }),
          certflowMetric(MetricNames.IssuanceFailures, 'Sum', DAY).with({ label: 'issuance failures' }),
          certflowMetric(MetricNames.SweepErrors, 'Sum', DAY).with({ label: 'sweep errors' }),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Issuance duration (seconds)',
        left: [
          certflowMetric(MetricNames.IssuanceDurationSeconds, 'p50', DAY).with({ label: 'p50' }),
          certflowMetric(MetricNames.IssuanceDurationSeconds, 'p90', DAY).with({ label: 'p90' }),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Certificates expiring soon',
        left: [expiringSoon.with({ label: 'expiring' })],
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'certflow alarms', alarms: Object.values(this.alarms), width: 24 }),
    );
  }
}
