/**
 * The synthesized CloudFormation template: encryption, the functions, the state machine's error
 * handling and the least privilege of each step's role. Lambda bundling is skipped (the code is
 * covered by bundle.test.ts), so this file synthesizes in seconds.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type CertflowConfig, loadConfig } from '../../infra/config/certflow-config.js';
import { INFRA_CONFIGS, ZONE_ID } from '../support/infra-configs.js';
import { synthesizeTemplate } from '../../infra/synth.js';
import { definitionFromTemplate } from '../../shared/local/state-machine.js';
import { MAX_POLLS, MAX_POLL_DELAY_SECONDS } from '../../shared/steps/context.js';

type Json = any;
type Resources = Record<string, { Type: string; Properties?: Record<string, Json> }>;
interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: Json;
  Condition?: Record<string, Json>;
  Principal?: Json;
}

const CONFIGS = INFRA_CONFIGS;

const STEPS = [
  'Prepare',
  'CreateOrder',
  'PresentChallenges',
  'CheckPropagation',
  'AcceptChallenges',
  'PollAuthorizations',
  'Sign',
  'Finalize',
  'PollOrder',
  'Store',
  'Cleanup',
  'Publish',
  'RecordFailure',
];
/** Functions outside the state machine: the API, the revocation it calls, the daily sweep, the EKS sync. */
const API_FUNCTIONS = ['api', 'revoke', 'sweep', 'sync', 'execution-ended'];
/** These run once the outcome is known, so a failure there must not send the execution back to Cleanup. */
const UNCAUGHT_STEPS = new Set(['Cleanup', 'Publish', 'RecordFailure']);
const ACME_CHALLENGE_CONDITIONS = {
  'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
  'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
};
const SECRETS_PATTERN = 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:certflow/*';

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const kebab = (name: string) => name.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();

/** Renders an ARN built with intrinsics as `${Ref}`/`${Id.Attr}` text, so it can be compared. */
function render(node: Json): string {
  if (typeof node === 'string') return node;
  if (node?.Ref !== undefined) return `\${${node.Ref}}`;
  if (node?.['Fn::GetAtt']) return `\${${(node['Fn::GetAtt'] as string[]).join('.')}}`;
  if (node?.['Fn::Join']) {
    const [separator, parts] = node['Fn::Join'] as [string, Json[]];
    return parts.map(render).join(separator);
  }
  return JSON.stringify(node);
}

function ofType(resources: Resources, type: string): [string, Record<string, Json>][] {
  return Object.entries(resources).flatMap(([id, r]) => (r.Type === type ? [[id, r.Properties ?? {}]] : []));
}

/** Every policy statement in the template, identity or resource policy, with where it sits. */
function allStatements(resources: Resources): { owner: string; type: string; statement: Statement }[] {
  const found: { owner: string; type: string; statement: Statement }[] = [];
  const visit = (owner: string, type: string, node: Json) => {
    if (Array.isArray(node)) return node.forEach((n) => visit(owner, type, n));
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node.Statement) && typeof node.Version === 'string') {
      for (const statement of node.Statement as Statement[]) found.push({ owner, type, statement });
      return;
    }
    for (const value of Object.values(node)) visit(owner, type, value);
  };
  for (const [id, r] of Object.entries(resources)) visit(id, r.Type, r.Properties);
  return found;
}

/** The logical id of the function whose `certflow:step` tag names `file`. */
function functionOf(resources: Resources, step: string): string {
  const file = kebab(step);
  const match = ofType(resources, 'AWS::Lambda::Function').find(([, p]) =>
    asArray<{ Key: string; Value: string }>(p.Tags).some((t) => t.Key === 'certflow:step' && t.Value === file),
  );
  assert.ok(match, `a function is tagged certflow:step=${file}`);
  return match[0];
}

/** The statements a function's role carries: inline, and from every policy attached to it. */
function statementsOfFunction(resources: Resources, step: string): Statement[] {
  const fn = resources[functionOf(resources, step)]!.Properties!;
  const [roleId] = fn.Role['Fn::GetAtt'] as [string, string];
  const role = resources[roleId]!.Properties!;
  const inline = asArray<Json>(role.Policies).flatMap((p) => p.PolicyDocument.Statement as Statement[]);
  const attached = [...ofType(resources, 'AWS::IAM::Policy'), ...ofType(resources, 'AWS::IAM::ManagedPolicy')]
    .filter(([, p]) => asArray<Json>(p.Roles).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.PolicyDocument.Statement as Statement[]);
  return [...inline, ...attached];
}

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Action));
const grants = (statement: Statement, action: string) => asArray(statement.Action).includes(action);

function synth(config: CertflowConfig) {
  const json = synthesizeTemplate(config);
  return { json, template: Template.fromJSON(json), resources: json.Resources as Resources };
}

const synthesized = new Map<string, ReturnType<typeof synth>>();
/** Each configuration of CONFIGS synthesized once per file, whichever test asks first. */
function synthOf(entry: (typeof CONFIGS)[number]): ReturnType<typeof synth> {
  if (!synthesized.has(entry.name)) synthesized.set(entry.name, synth(entry.config()));
  return synthesized.get(entry.name)!;
}

const ACCOUNT_ROOT = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root';
/** What CDK's `Key.grantEncryptDecrypt` writes. */
const ENCRYPT_DECRYPT = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const sameActions = (statement: Statement, actions: string[]) =>
  JSON.stringify(asArray(statement.Action).toSorted()) === JSON.stringify(actions.toSorted());
/** IAM's wildcards: `*` (any run of characters) and `?` (any one). */
const hasWildcard = (action: string) => /[*?]/.test(action);

interface Placed {
  owner: string;
  type: string;
  statement: Statement;
}
/**
 * The only wildcard actions certflow grants, each for exactly one kind of statement, with the
 * reason. Anything else with a `*` or `?` in an Allow statement fails the checks below.
 */
const WILDCARD_ALLOW_LIST: {
  id: string;
  actions: string[];
  matches: (placed: Placed, keyArn: string) => boolean;
  reason: string;
}[] = [
  {
    id: 'key policy: account root',
    actions: ['kms:*'],
    matches: ({ type, statement }) =>
      type === 'AWS::KMS::Key' &&
      render(statement.Principal?.AWS) === ACCOUNT_ROOT &&
      sameActions(statement, ['kms:*']),
    reason:
      "AWS's default key policy statement: it delegates the key to IAM, so that identity policies (checked here) decide who uses it; without it no role could.",
  },
  {
    id: 'grantEncryptDecrypt on the certflow key',
    actions: ['kms:GenerateDataKey*', 'kms:ReEncrypt*'],
    matches: ({ type, statement }, keyArn) =>
      type === 'AWS::IAM::Policy' &&
      asArray(statement.Resource).map(render).join() === keyArn &&
      asArray(statement.Action).every((a) => ENCRYPT_DECRYPT.includes(a)),
    reason:
      'CDK Key.grantEncryptDecrypt, on the one customer-managed key only: Secrets Manager and DynamoDB generate data keys and re-encrypt with it.',
  },
  {
    id: 'key policy: CloudWatch alarms',
    actions: ['kms:GenerateDataKey*'],
    matches: ({ type, statement }) =>
      type === 'AWS::KMS::Key' &&
      statement.Principal?.Service === 'cloudwatch.amazonaws.com' &&
      sameActions(statement, ['kms:Decrypt', 'kms:GenerateDataKey*']),
    reason:
      "AWS's documented key policy statement for CloudWatch alarms publishing to a KMS-encrypted SNS topic (the alert topic, monitoring.ts).",
  },
];

/** Wildcard actions of Allow statements that no allow-list entry covers, and the entries used. */
function wildcardGrants(resources: Resources): { violations: string[]; used: Set<string> } {
  const [keyId] = ofType(resources, 'AWS::KMS::Key').map(([id]) => id);
  const keyArn = render({ 'Fn::GetAtt': [keyId, 'Arn'] });
  const violations: string[] = [];
  const used = new Set<string>();
  for (const placed of allStatements(resources)) {
    const { owner, statement } = placed;
    // A Deny grants nothing (enforceSSL denies sqs:* without TLS).
    if (statement.Effect === 'Deny') continue;
    // Allow with NotAction grants every action but the listed ones.
    if ((statement as { NotAction?: unknown }).NotAction !== undefined)
      violations.push(`${owner}: Allow with NotAction`);
    for (const action of asArray(statement.Action).filter(hasWildcard)) {
      const entry = WILDCARD_ALLOW_LIST.find((e) => e.actions.includes(action) && e.matches(placed, keyArn));
      if (entry) used.add(entry.id);
      else violations.push(`${owner}: ${action}`);
    }
  }
  return { violations, used };
}

/** AWS managed policies the roles attach: not in the template, so pinned by ARN. None grants a wildcard action. */
const AWS_MANAGED_POLICIES = [
  'service-role/AWSLambdaBasicExecutionRole',
  'service-role/AWSLambdaVPCAccessExecutionRole',
  'service-role/AmazonAPIGatewayPushToCloudWatchLogs',
];

describe('Stack: Certflow', () => {
  let json: ReturnType<typeof synthesizeTemplate>;
  let template: Template;
  let resources: Resources;
  let keyId: string;

  before(() => {
    ({ json, template, resources } = synthOf(CONFIGS[0]!));
    keyId = ofType(resources, 'AWS::KMS::Key')[0]![0];
  });

  describe('encryption and inventory', () => {
    it('creates one customer-managed KMS key', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
    });

    it('rotates the KMS key', () => {
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('bills the inventory table per request', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' });
    });

    it('keeps point-in-time recovery on for the inventory table', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('encrypts the inventory table with the certflow key', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      });
    });

    it('keys inventory items by certificate name', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
        AttributeDefinitions: Match.arrayWith([{ AttributeName: 'name', AttributeType: 'S' }]),
      });
    });

    it('lists certificates through an index, in name order', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        // Among others: the sweep's time indexes sit next to it.
        GlobalSecondaryIndexes: Match.arrayWith([
          Match.objectLike({
            IndexName: 'byName',
            KeySchema: [
              { AttributeName: 'kind', KeyType: 'HASH' },
              { AttributeName: 'name', KeyType: 'RANGE' },
            ],
          }),
        ]),
      });
    });
  });

  describe('functions', () => {
    let functions: [string, Record<string, Json>][];
    before(() => {
      functions = ofType(resources, 'AWS::Lambda::Function');
    });

    it('deploys one function per pipeline step, plus the API, revocation, the sweep and the sync', () => {
      template.resourceCountIs('AWS::Lambda::Function', STEPS.length + API_FUNCTIONS.length);
    });

    it('runs every function on nodejs22.x', () => {
      for (const [id, p] of functions) assert.equal(p.Runtime, 'nodejs22.x', id);
    });

    it('runs every function on arm64', () => {
      for (const [id, p] of functions) assert.deepEqual(p.Architectures, ['arm64'], id);
    });

    it('tells every function the issuers, the table, the secret prefix and the key', () => {
      const tableId = ofType(resources, 'AWS::DynamoDB::Table')[0]![0];
      for (const [id, p] of functions) {
        const env = p.Environment?.Variables ?? {};
        assert.deepEqual(JSON.parse(env.CERTFLOW_ISSUERS), loadConfig({}).issuers, id);
        assert.deepEqual(env.CERTFLOW_TABLE, { Ref: tableId }, id);
        assert.equal(env.CERTFLOW_SECRET_PREFIX, 'certflow', id);
        assert.deepEqual(env.CERTFLOW_KMS_KEY_ID, { 'Fn::GetAtt': [keyId, 'Arn'] }, id);
      }
    });

    it('ends the API function before API Gateway’s 29 s integration timeout', () => {
      const api = resources[functionOf(resources, 'api')]!.Properties!;
      assert.ok(api.Timeout < 29, `api: Timeout ${api.Timeout}`);
    });

    it('tags every function with a handler file that exists in functions/', () => {
      const files = functions.map(([id, p]) => {
        const tag = asArray<{ Key: string; Value: string }>(p.Tags).find((t) => t.Key === 'certflow:step');
        assert.ok(tag, `${id} has a certflow:step tag`);
        const file = new URL(`../../functions/${tag.Value}.ts`, import.meta.url);
        assert.ok(existsSync(file), `${id}: functions/${tag.Value}.ts exists`);
        return tag.Value;
      });
      assert.equal(new Set(files).size, STEPS.length + API_FUNCTIONS.length, 'no two functions share a handler file');
    });
  });

  describe('state machine', () => {
    let states: Record<string, Json>;
    let taskSteps: Record<string, string>;
    let tasks: [string, Json][];
    let timeoutSeconds: number;
    before(() => {
      const parsed = definitionFromTemplate(json);
      timeoutSeconds = (parsed.definition as Json).TimeoutSeconds;
      states = parsed.definition.States as Record<string, Json>;
      taskSteps = parsed.taskSteps;
      tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    });

    it('deploys one Standard state machine', () => {
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    });

    it('has a state for every step of the pipeline', () => {
      for (const step of STEPS) assert.ok(states[step], `state ${step}`);
    });

    it('runs each step in the function named after it', () => {
      assert.deepEqual(taskSteps, Object.fromEntries(STEPS.map((step) => [step, kebab(step)])));
    });

    it('catches every failure before the end into Cleanup, keeping the error in $.error', () => {
      for (const [name, state] of tasks.filter(([name]) => !UNCAUGHT_STEPS.has(name))) {
        assert.ok(
          asArray<Json>(state.Catch).some(
            (c) => c.ErrorEquals.includes('States.ALL') && c.Next === 'Cleanup' && c.ResultPath === '$.error',
          ),
          `${name} catches States.ALL into Cleanup`,
        );
      }
    });

    it('records a failed cleanup without overwriting the original error', () => {
      assert.deepEqual(states.Cleanup.Catch, [
        { ErrorEquals: ['States.ALL'], Next: 'RecordFailure', ResultPath: '$.cleanupError' },
      ]);
    });

    it('retries TransientError at least twice in every task', () => {
      for (const [name, state] of tasks) {
        const retry = asArray<Json>(state.Retry).find((r) => r.ErrorEquals.includes('TransientError'));
        assert.ok(retry, `${name} retries TransientError`);
        assert.ok(retry.MaxAttempts >= 2, `${name}: MaxAttempts ${retry.MaxAttempts}`);
      }
    });

    it('retries the Lambda service exceptions Step Functions documents as transient, in every task', () => {
      assert.ok(tasks.length >= 10, `${tasks.length} tasks`);
      const documented = [
        'Lambda.ClientExecutionTimeoutException',
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
      ];
      for (const [name, state] of tasks) {
        const retried = asArray<Json>(state.Retry).flatMap((r) => r.ErrorEquals as string[]);
        for (const error of documented) assert.ok(retried.includes(error), `${name} retries ${error}`);
      }
    });

    it('retries RateLimitedError in every task', () => {
      for (const [name, state] of tasks) {
        const retry = asArray<Json>(state.Retry).find((r) => r.ErrorEquals.includes('RateLimitedError'));
        assert.ok(retry && retry.MaxAttempts >= 1, `${name} retries RateLimitedError`);
      }
    });

    it('waits only as long as the polling step asks, never a fixed time', () => {
      const waits = Object.entries(states).filter(([, s]) => s.Type === 'Wait');
      assert.ok(waits.length > 0, 'the state machine polls');
      for (const [name, state] of waits) {
        assert.equal(state.SecondsPath, '$.poll.delaySeconds', name);
        for (const fixed of ['Seconds', 'Timestamp', 'TimestampPath']) assert.equal(state[fixed], undefined, name);
      }
    });

    it('ends every poll loop, at its longest, well inside the execution timeout', () => {
      assert.equal(timeoutSeconds, 7200);
      // Every Wait is capped, whatever the CA's Retry-After; at least 15 % of the timeout is left to the steps.
      const longestWaits = Object.values(MAX_POLLS).reduce((sum, polls) => sum + polls * MAX_POLL_DELAY_SECONDS, 0);
      assert.equal(longestWaits, 5800);
      assert.ok(longestWaits <= timeoutSeconds * 0.85, `${longestWaits} s of waits in a ${timeoutSeconds} s execution`);
    });

    it('logs every event but not the execution data, which holds certificate material', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    });

    it('traces executions with X-Ray', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
    });
  });

  describe('IAM', () => {
    it('lets PresentChallenges change only TXT records named _acme-challenge.*', () => {
      const changes = statementsOfFunction(resources, 'PresentChallenges').filter((s) =>
        grants(s, 'route53:ChangeResourceRecordSets'),
      );
      assert.ok(changes.length > 0, 'PresentChallenges may change record sets');
      for (const s of changes) {
        assert.deepEqual(asArray(s.Action), ['route53:ChangeResourceRecordSets']);
        assert.deepEqual(s.Condition, ACME_CHALLENGE_CONDITIONS);
      }
    });

    it('scopes every Secrets Manager statement to secrets under certflow/', () => {
      const secrets = allStatements(resources).filter(({ statement }) =>
        asArray(statement.Action).some((a) => a.startsWith('secretsmanager:')),
      );
      assert.ok(secrets.length > 0, 'some step uses Secrets Manager');
      // The whole prefix, or a narrower part of it (the sync reads certflow/certificates/* only).
      const underPrefix = SECRETS_PATTERN.slice(0, -1);
      for (const { owner, statement } of secrets) {
        const resources = asArray(statement.Resource).map(render);
        assert.ok(resources.length > 0 && resources.every((r) => r.startsWith(underPrefix)), `${owner}: ${resources}`);
      }
    });

    it('lets the revoke function delete the schedule of the certificate it revoked', () => {
      const actions = actionsOf(statementsOfFunction(resources, 'revoke'));
      assert.ok(actions.includes('scheduler:DeleteSchedule'), actions.join(', '));
    });

    it('keeps Publish away from Secrets Manager and KMS', () => {
      const actions = actionsOf(statementsOfFunction(resources, 'Publish'));
      assert.deepEqual(
        actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('kms:')),
        [],
      );
    });

    it('keeps Prepare away from Route53 and Secrets Manager', () => {
      const actions = actionsOf(statementsOfFunction(resources, 'Prepare'));
      assert.deepEqual(
        actions.filter((a) => a.startsWith('route53:') || a.startsWith('secretsmanager:')),
        [],
      );
    });

    describe('when every solver names its hosted zone', () => {
      let scoped: Resources;
      before(() => {
        scoped = synthOf(CONFIGS[1]!).resources;
      });

      it('lets PresentChallenges change records in exactly that zone', () => {
        const changes = statementsOfFunction(scoped, 'PresentChallenges').filter((s) =>
          grants(s, 'route53:ChangeResourceRecordSets'),
        );
        assert.ok(changes.length > 0, 'PresentChallenges may change record sets');
        for (const s of changes) {
          assert.deepEqual(asArray(s.Resource).map(render), [`arn:\${AWS::Partition}:route53:::hostedzone/${ZONE_ID}`]);
          assert.deepEqual(s.Condition, ACME_CHALLENGE_CONDITIONS);
        }
      });

      it('grants no other hosted zone', () => {
        const anyZone = allStatements(scoped).filter(({ statement }) =>
          asArray(statement.Resource).some((r) => render(r).endsWith(':hostedzone/*')),
        );
        assert.deepEqual(anyZone, []);
      });

      it('does not allow looking zones up', () => {
        const lookups = allStatements(scoped).filter(({ statement }) =>
          grants(statement, 'route53:ListHostedZonesByName'),
        );
        assert.deepEqual(lookups, []);
      });
    });
  });

  describe('IAM in every configuration', () => {
    for (const entry of CONFIGS) {
      describe(entry.name, () => {
        let resources: Resources;
        before(() => {
          ({ resources } = synthOf(entry));
        });

        it('grants no action with a wildcard beyond the allow-list', () => {
          assert.deepEqual(wildcardGrants(resources).violations, []);
        });

        it('attaches no AWS managed policy beyond the known ones', () => {
          const attached = ofType(resources, 'AWS::IAM::Role')
            .flatMap(([, p]) => asArray<Json>(p.ManagedPolicyArns).map(render))
            .filter((arn) => arn.includes(':iam::aws:policy/'));
          const unknown = attached.filter(
            (arn) => !AWS_MANAGED_POLICIES.some((name) => arn.endsWith(`:policy/${name}`)),
          );
          assert.deepEqual(unknown, []);
        });

        it('changes Route53 records only as TXT records named _acme-challenge.*', () => {
          const changes = allStatements(resources).filter(({ statement }) =>
            grants(statement, 'route53:ChangeResourceRecordSets'),
          );
          if (entry.route53Writes) assert.ok(changes.length > 0, 'some function changes Route53 records');
          else assert.deepEqual(changes, [], 'every zone is reached through another account or a hook');
          for (const { owner, statement } of changes) {
            assert.equal(statement.Effect, 'Allow', owner);
            assert.deepEqual(asArray(statement.Action), ['route53:ChangeResourceRecordSets'], owner);
            assert.deepEqual(statement.Condition, ACME_CHALLENGE_CONDITIONS, owner);
          }
        });
      });
    }

    it('needs every entry of the wildcard allow-list in some configuration', () => {
      const used = new Set(CONFIGS.flatMap((entry) => [...wildcardGrants(synthOf(entry).resources).used]));
      assert.deepEqual(
        WILDCARD_ALLOW_LIST.map((e) => e.id).filter((id) => !used.has(id)),
        [],
      );
    });

    it('rejects a wildcard the allow-list does not name', () => {
      const [keyId] = ofType(resources, 'AWS::KMS::Key').map(([id]) => id);
      const planted: Resources = {
        ...resources,
        Planted: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                // Allow-listed actions, but on another resource than the certflow key.
                { Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: '*' },
                { Effect: 'Allow', Action: ['s3:GetObject', 's3:Get*'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
                { Effect: 'Allow', Action: 'dynamodb:?etItem', Resource: '*' },
                { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
              ],
            },
          },
        },
      };
      assert.deepEqual(wildcardGrants(planted).violations, [
        'Planted: kms:ReEncrypt*',
        'Planted: s3:Get*',
        'Planted: dynamodb:?etItem',
        'Planted: Allow with NotAction',
      ]);
    });
  });
});
