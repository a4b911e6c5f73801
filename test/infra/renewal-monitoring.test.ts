/**
 * Renewal (schedule group, scheduler role, DLQ, daily sweep) and monitoring (alarms, topic,
 * dashboard) in the synthesized template. Lambda bundling is skipped, as in stack.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../infra/synth.js';

type Json = any;
type Resources = Record<string, { Type: string; Properties?: Record<string, Json> }>;

function ofType(resources: Resources, type: string): [string, Record<string, Json>][] {
  return Object.entries(resources).flatMap(([id, r]) => (r.Type === type ? [[id, r.Properties ?? {}]] : []));
}

/** The logical id of the function whose `certflow:step` tag is `file`. */
function functionOf(resources: Resources, file: string): string {
  const match = ofType(resources, 'AWS::Lambda::Function').find(([, p]) =>
    (p.Tags as { Key: string; Value: string }[]).some((t) => t.Key === 'certflow:step' && t.Value === file),
  );
  assert.ok(match, `a function is tagged certflow:step=${file}`);
  return match[0];
}

/** Statements of the policies attached to `roleId`. */
function roleStatements(resources: Resources, roleId: string): Json[] {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.PolicyDocument.Statement as Json[]);
}

function functionStatements(resources: Resources, file: string): Json[] {
  const role = resources[functionOf(resources, file)]!.Properties!.Role['Fn::GetAtt'][0] as string;
  return roleStatements(resources, role);
}

/** The one resource of `type` whose logical id starts with `prefix` (its construct's id). */
function only(resources: Resources, type: string, prefix = ''): [string, Record<string, Json>] {
  const found = ofType(resources, type).filter(([id]) => id.startsWith(prefix));
  assert.equal(found.length, 1, `one ${type} under ${prefix || 'the stack'}`);
  return found[0]!;
}

describe('Stack: Certflow renewal and monitoring', () => {
  let template: Template;
  let resources: Resources;
  let stateMachineId: string;
  let queueId: string;
  let schedulerRoleId: string;

  before(() => {
    const json = synthesizeTemplate(loadConfig({}));
    template = Template.fromJSON(json);
    resources = json.Resources as Resources;
    stateMachineId = only(resources, 'AWS::StepFunctions::StateMachine')[0];
    queueId = only(resources, 'AWS::SQS::Queue', 'Renewal')[0];
    schedulerRoleId = ofType(resources, 'AWS::IAM::Role').find(([, p]) =>
      JSON.stringify(p.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    )![0];
  });

  describe('renewal schedules', () => {
    it('creates the certflow schedule group', () => {
      template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'certflow' });
    });

    it('lets only EventBridge Scheduler of this account and group assume the scheduler role', () => {
      const trust = resources[schedulerRoleId]!.Properties!.AssumeRolePolicyDocument.Statement as Json[];
      assert.equal(trust.length, 1);
      assert.deepEqual(trust[0].Principal, { Service: 'scheduler.amazonaws.com' });
      assert.deepEqual(trust[0].Condition.StringEquals, { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
      assert.match(JSON.stringify(trust[0].Condition.ArnLike['aws:SourceArn']), /schedule-group\/certflow/);
    });

    it('lets the scheduler role start the issuance state machine and write to its DLQ, nothing else', () => {
      const statements = roleStatements(resources, schedulerRoleId);
      assert.deepEqual(
        statements.map((s) => [s.Action, s.Resource]),
        [
          ['states:StartExecution', { Ref: stateMachineId }],
          ['sqs:SendMessage', { 'Fn::GetAtt': [queueId, 'Arn'] }],
        ],
      );
      assert.equal(resources[schedulerRoleId]!.Properties!.ManagedPolicyArns, undefined);
    });

    it('encrypts the dead-letter queue and refuses plain HTTP', () => {
      assert.equal(resources[queueId]!.Properties!.SqsManagedSseEnabled, true);
      const [, policy] = only(resources, 'AWS::SQS::QueuePolicy', 'Renewal');
      assert.deepEqual(policy.Queues, [{ Ref: queueId }]);
      const deny = (policy.PolicyDocument.Statement as Json[]).find((s) => s.Effect === 'Deny');
      assert.deepEqual(deny?.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
    });

    it('names the state machine, so schedule writers can be told its ARN without a cycle', () => {
      const name = resources[stateMachineId]!.Properties!.StateMachineName as string;
      assert.equal(name, 'Certflow-issuance');
      const env = resources[functionOf(resources, 'publish')]!.Properties!.Environment.Variables;
      assert.match(JSON.stringify(env.CERTFLOW_STATE_MACHINE_ARN), /:stateMachine:Certflow-issuance"/);
    });

    for (const file of ['publish', 'record-failure', 'api']) {
      it(`tells ${file} the schedule group, the scheduler role and the DLQ`, () => {
        const env = resources[functionOf(resources, file)]!.Properties!.Environment.Variables;
        assert.ok(env.CERTFLOW_SCHEDULE_GROUP, 'group');
        assert.deepEqual(env.CERTFLOW_SCHEDULER_ROLE_ARN, { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] });
        assert.deepEqual(env.CERTFLOW_SCHEDULER_DLQ_ARN, { 'Fn::GetAtt': [queueId, 'Arn'] });
        assert.ok(env.CERTFLOW_STATE_MACHINE_ARN, 'state machine');
      });

      it(`lets ${file} write schedules in the certflow group only, and pass the scheduler role to Scheduler only`, () => {
        const statements = functionStatements(resources, file);
        const schedules = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('scheduler:')));
        assert.equal(schedules.length, 1);
        assert.match(JSON.stringify(schedules[0].Resource), /:schedule\/certflow\/\*"/);
        const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
        assert.deepEqual(
          passRole.map((s) => [s.Resource, s.Condition]),
          [
            [
              { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
              { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
            ],
          ],
        );
      });
    }
  });

  describe('executions that end without their Cleanup', () => {
    it('sends this state machine\'s FAILED, TIMED_OUT and ABORTED status changes to execution-ended', () => {
      const fn = functionOf(resources, 'execution-ended');
      const machine = Object.keys(resources).find((id) => resources[id]!.Type === 'AWS::StepFunctions::StateMachine');
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: machine }] },
        },
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RetryPolicy: Match.anyValue() })],
      });
    });

    it('gives execution-ended Cleanup\'s and RecordFailure\'s rights, and no start or query', () => {
      const actions = new Set(functionStatements(resources, 'execution-ended').flatMap((s) => [s.Action].flat() as string[]));
      for (const needed of ['route53:ChangeResourceRecordSets', 'secretsmanager:DeleteSecret', 'dynamodb:PutItem', 'events:PutEvents', 'scheduler:CreateSchedule']) {
        assert.ok(actions.has(needed), needed);
      }
      for (const refused of ['states:StartExecution', 'dynamodb:Query', 'dynamodb:Scan']) assert.ok(!actions.has(refused), refused);
    });
  });

  describe('the daily sweep', () => {
    it('runs the sweep once a day from an EventBridge rule', () => {
      const sweep = functionOf(resources, 'sweep');
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 day)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweep, 'Arn'] } })],
      });
    });

    it('lets the sweep query the time indexes, start and describe executions, put events, write records and schedules, and clean up after abandoned issuances, and nothing else', () => {
      const actions = [
        ...new Set(functionStatements(resources, 'sweep').flatMap((s) => [s.Action].flat() as string[])),
      ].sort();
      assert.deepEqual(actions, [
        // Item read/write comes with the shared inventory grant: the re-check uses Get and Put.
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        // Route53's request slots (Cleanup of abandoned issuances books them).
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'iam:PassRole',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
        // Cleanup of abandoned issuances and leftovers: TXT records.
        'route53:ChangeResourceRecordSets',
        'route53:ListHostedZonesByName',
        'route53:ListResourceRecordSets',
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:GetSchedule',
        'scheduler:UpdateSchedule',
        // The pending key of an abandoned issuance (the shared secrets grant).
        'secretsmanager:CreateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:TagResource',
        'states:DescribeExecution',
        'states:StartExecution',
      ]);
      const describe = functionStatements(resources, 'sweep').find((s) => s.Action === 'states:DescribeExecution');
      // This state machine's executions only.
      assert.match(JSON.stringify(describe.Resource), /:execution:",\{"Fn::Select":\[6,\{"Fn::Split":\[":",\{"Ref":"IssuanceStateMachine[0-9A-F]+"\}\]\}\]\},":\*"/);
      const query = functionStatements(resources, 'sweep').find((s) => s.Action === 'dynamodb:Query');
      const indexes = JSON.stringify(query.Resource);
      assert.match(indexes, /index\/byDueTime/);
      assert.match(indexes, /index\/byNotAfter/);
      assert.doesNotMatch(indexes, /index\/byName|index\/\*/);
    });

    it('tells the sweep the state machine and a 20-day warning window by default', () => {
      const env = resources[functionOf(resources, 'sweep')]!.Properties!.Environment.Variables;
      // Built from the state machine's name (as for the schedules' target), not a Ref.
      assert.match(JSON.stringify(env.CERTFLOW_STATE_MACHINE_ARN), /:stateMachine:Certflow-issuance"/);
      assert.equal(env.CERTFLOW_EXPIRY_WARNING_DAYS, '20');
    });

    it('takes the warning window from alerts.expiryWarningDays', () => {
      const json = synthesizeTemplate(loadConfig({ alerts: { expiryWarningDays: 30 } }));
      const sweep = functionOf(json.Resources as Resources, 'sweep');
      assert.equal(json.Resources[sweep]!.Properties!.Environment.Variables.CERTFLOW_EXPIRY_WARNING_DAYS, '30');
    });
  });

  describe('alarms', () => {
    let topicId: string;
    let alarms: Record<string, Json>[];
    before(() => {
      topicId = only(resources, 'AWS::SNS::Topic', 'Monitoring')[0];
      alarms = ofType(resources, 'AWS::CloudWatch::Alarm')
        .filter(([id]) => id.startsWith('Monitoring'))
        .map(([, p]) => p);
    });

    const alarmOn = (metricName: string) => {
      const found = alarms.filter((a) => a.MetricName === metricName);
      assert.ok(found.length > 0, `an alarm on ${metricName}`);
      return found;
    };

    it('sends every alarm to the alert topic', () => {
      assert.equal(alarms.length, 9);
      for (const alarm of alarms) assert.deepEqual(alarm.AlarmActions, [{ Ref: topicId }], alarm.AlarmDescription);
    });

    it('alarms when a certificate expires within the warning window', () => {
      const [alarm] = alarmOn('CertificatesExpiringSoon').filter((a) => a.Statistic === 'Maximum');
      assert.equal(alarm?.Namespace, 'certflow');
      assert.deepEqual(alarm?.Dimensions, [{ Name: 'service', Value: 'certflow' }]);
      assert.equal(alarm?.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
      assert.equal(alarm?.Threshold, 1);
      assert.equal(alarm?.TreatMissingData, 'notBreaching');
    });

    it('alarms when the sweep reports nothing for two days, treating missing data as breaching', () => {
      const [alarm] = alarmOn('CertificatesExpiringSoon').filter((a) => a.Statistic === 'SampleCount');
      assert.equal(alarm?.ComparisonOperator, 'LessThanThreshold');
      assert.equal(alarm?.Period, 86_400);
      assert.equal(alarm?.EvaluationPeriods, 2);
      assert.equal(alarm?.TreatMissingData, 'breaching');
    });

    it('alarms on a failed execution of the issuance state machine', () => {
      const [alarm] = alarmOn('ExecutionsFailed');
      assert.equal(alarm?.Namespace, 'AWS/States');
      assert.deepEqual(alarm?.Dimensions, [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }]);
    });

    it('alarms on an execution that timed out or was stopped (neither reaches RecordFailure)', () => {
      for (const metric of ['ExecutionsTimedOut', 'ExecutionsAborted']) {
        const [alarm] = alarmOn(metric);
        assert.equal(alarm?.Namespace, 'AWS/States', metric);
        assert.equal(alarm?.Statistic, 'Sum', metric);
        assert.equal(alarm?.Threshold, 1, metric);
        assert.deepEqual(alarm?.Dimensions, [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }], metric);
        assert.equal((alarm?.AlarmActions as unknown[] | undefined)?.length, 1, `${metric} notifies the topic`);
      }
    });

    it('alarms on issuance failures, sweep errors and a failed sweep', () => {
      alarmOn('IssuanceFailures');
      alarmOn('SweepErrors');
      const [errors] = alarmOn('Errors');
      assert.deepEqual(errors?.Dimensions, [{ Name: 'FunctionName', Value: { Ref: functionOf(resources, 'sweep') } }]);
    });

    it('alarms on any message in the schedules dead-letter queue', () => {
      const [alarm] = alarmOn('ApproximateNumberOfMessagesVisible');
      assert.deepEqual(alarm?.Dimensions, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
      assert.equal(alarm?.Threshold, 1);
    });

    it('encrypts the alert topic with the certflow key, which CloudWatch may use to publish', () => {
      const [keyId, key] = only(resources, 'AWS::KMS::Key');
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      const statement = (key.KeyPolicy.Statement as Json[]).find(
        (s) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
      );
      assert.deepEqual(statement?.Action, ['kms:Decrypt', 'kms:GenerateDataKey*']);
    });

    it('refuses plain HTTP on the alert topic', () => {
      const [, policy] = only(resources, 'AWS::SNS::TopicPolicy', 'Monitoring');
      const deny = (policy.PolicyDocument.Statement as Json[]).find((s) => s.Effect === 'Deny');
      assert.deepEqual(deny?.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
    });

    it('subscribes no one when no alert e-mail is configured', () => {
      assert.deepEqual(
        ofType(resources, 'AWS::SNS::Subscription').filter(([id]) => id.startsWith('Monitoring')),
        [],
      );
    });

    it('subscribes the configured e-mail address to the alert topic', () => {
      const json = synthesizeTemplate(loadConfig({ alerts: { email: 'ops@example.com' } }));
      const topic = only(json.Resources as Resources, 'AWS::SNS::Topic', 'Monitoring')[0];
      const [, subscription] = only(json.Resources as Resources, 'AWS::SNS::Subscription', 'Monitoring');
      assert.deepEqual(subscription, { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topic } });
    });
  });

  describe('dashboard', () => {
    let body: string;
    before(() => {
      const [, dashboard] = only(resources, 'AWS::CloudWatch::Dashboard', 'Monitoring');
      body = JSON.stringify(dashboard.DashboardBody);
    });

    it('lists days to expiry per certificate from the functions EMF logs', () => {
      assert.match(body, /fields name, DaysToExpiry as daysToExpiry, notAfter/);
      assert.match(body, /stats latest\(daysToExpiry\) as daysToExpiry, latest\(notAfter\) as notAfter by name/);
    });

    it('graphs issuances, failures, issuance durations and the expiring count', () => {
      for (const part of [
        'ExecutionsSucceeded',
        'ExecutionsFailed',
        'IssuanceDurationSeconds',
        'p90',
        'CertificatesExpiringSoon',
      ]) {
        assert.ok(body.includes(part), part);
      }
    });
  });
});
