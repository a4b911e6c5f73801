/**
 * EKS delivery in the synthesized template: the event rule, the reconcile schedule, the queue and
 * its dead-letter queue, the alarm, the event source mapping, the access entries, the RBAC
 * manifest, the IRSA pull roles, VPC placement, and cdk-nag with all of it switched on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CertflowStack } from '../../infra/certflow-stack.js';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { cdkJsonContext, synthesizeTemplate } from '../../infra/synth.js';

type Json = any;
type Resources = Record<string, { Type: string; Properties?: Record<string, Json> }>;

const OIDC_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${OIDC_ISSUER}`;
const DELIVERY = {
  clusters: [
    { name: 'prod-eu', namespaces: ['shop', 'web'] },
    { name: 'edge', namespaces: ['ingress'], access: 'editPolicy' },
    { name: 'legacy', namespaces: ['default'], access: 'none' },
  ],
  pullAccess: [{ certificate: 'web', oidcProviderArn: PROVIDER_ARN, serviceAccount: 'shop/frontend' }],
  vpc: { subnetIds: ['subnet-0123abcd', 'subnet-4567ef01'], securityGroupIds: ['sg-0a1b2c3d'] },
};

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** An ARN built with intrinsics, as `${Ref}` text. */
function render(node: Json): string {
  if (typeof node === 'string') return node;
  if (node?.Ref !== undefined) return `\${${node.Ref}}`;
  if (node?.['Fn::GetAtt']) return `\${${(node['Fn::GetAtt'] as string[]).join('.')}}`;
  if (node?.['Fn::Join']) return (node['Fn::Join'][1] as Json[]).map(render).join(node['Fn::Join'][0]);
  return JSON.stringify(node);
}

function ofType(resources: Resources, type: string): [string, Record<string, Json>][] {
  return Object.entries(resources).flatMap(([id, r]) => (r.Type === type ? [[id, r.Properties ?? {}]] : []));
}

function syncFunction(resources: Resources): [string, Record<string, Json>] {
  const found = ofType(resources, 'AWS::Lambda::Function').find(([, p]) =>
    asArray<{ Key: string; Value: string }>(p.Tags).some((t) => t.Key === 'certflow:step' && t.Value === 'sync'),
  );
  assert.ok(found, 'a function is tagged certflow:step=sync');
  return found;
}

/** Every statement of the policies attached to `roleId`. */
function roleStatements(resources: Resources, roleId: string): Json[] {
  const inline = asArray<Json>(resources[roleId]!.Properties!.Policies).flatMap((p) => p.PolicyDocument.Statement);
  const attached = ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray<Json>(p.Roles).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.PolicyDocument.Statement as Json[]);
  return [...inline, ...attached];
}

/** IAM's `*` and `?` wildcards as a regular expression. */
const iamPattern = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

describe('Stack: Certflow with EKS delivery', () => {
  let template: Template;
  let resources: Resources;
  let syncId: string;
  let syncRoleId: string;
  let queueId: string;
  let dlqId: string;

  before(() => {
    const json = synthesizeTemplate(loadConfig({ delivery: DELIVERY }));
    template = Template.fromJSON(json);
    resources = json.Resources as Resources;
    const [id, props] = syncFunction(resources);
    syncId = id;
    syncRoleId = props.Role['Fn::GetAtt'][0];
    const queues = ofType(resources, 'AWS::SQS::Queue').filter(([qid]) => qid.startsWith('Delivery'));
    queueId = queues.find(([, p]) => p.RedrivePolicy)![0];
    dlqId = queues.find(([, p]) => !p.RedrivePolicy)![0];
  });

  describe('queue and trigger', () => {
    it('sends Certificate Issued and Renewed events of source certflow to the queue', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['certflow'], 'detail-type': ['Certificate Issued', 'Certificate Renewed'] },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })],
      });
    });

    it('puts a reconcile message on the queue every 6 hours', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(6 hours)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, Input: '{"kind":"reconcile"}' })],
      });
    });

    it('dead-letters a message after 5 receives', () => {
      assert.deepEqual(resources[queueId]!.Properties!.RedrivePolicy, {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: 5,
      });
    });

    it('encrypts both queues and refuses requests without TLS', () => {
      for (const id of [queueId, dlqId]) {
        assert.equal(resources[id]!.Properties!.SqsManagedSseEnabled, true, id);
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('feeds the sync from the queue, reporting failed items one by one', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: syncId },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
      });
    });

    it('keeps a message invisible for six times the function timeout', () => {
      const timeout = resources[syncId]!.Properties!.Timeout as number;
      assert.equal(resources[queueId]!.Properties!.VisibilityTimeout, 6 * timeout);
    });

    it('raises an alarm, sent to the alert topic, as soon as a message is in the dead-letter queue', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: ofType(resources, 'AWS::SNS::Topic')[0]![0] }],
      });
    });

    it('tells the sync both queue URLs', () => {
      const env = resources[syncId]!.Properties!.Environment.Variables;
      assert.deepEqual(env.CERTFLOW_DELIVERY_QUEUE_URL, { Ref: queueId });
      assert.deepEqual(env.CERTFLOW_DELIVERY_DLQ_URL, { Ref: dlqId });
    });
  });

  describe('the sync role', () => {
    it('reads certificate secrets only, never writes one', () => {
      const secrets = roleStatements(resources, syncRoleId).filter((s) =>
        asArray<string>(s.Action).some((a) => a.startsWith('secretsmanager:')),
      );
      assert.deepEqual(
        secrets.map((s) => [s.Action, asArray(s.Resource).map(render)]),
        [
          [
            'secretsmanager:GetSecretValue',
            ['arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:certflow/certificates/*'],
          ],
        ],
      );
    });

    it('describes exactly the configured clusters', () => {
      const describe = roleStatements(resources, syncRoleId).filter((s) => s.Action === 'eks:DescribeCluster');
      assert.deepEqual(
        describe.flatMap((s) => asArray(s.Resource).map(render)).sort(),
        ['edge', 'legacy', 'prod-eu'].map(
          (name) => `arn:\${AWS::Partition}:eks:\${AWS::Region}:\${AWS::AccountId}:cluster/${name}`,
        ),
      );
    });

    it('describes no cluster when none is configured', () => {
      const plain = synthesizeTemplate(loadConfig({})).Resources as Resources;
      const [, props] = syncFunction(plain);
      const statements = roleStatements(plain, props.Role['Fn::GetAtt'][0]);
      assert.deepEqual(
        statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('eks:'))),
        [],
      );
    });

    it('runs in the configured subnets and security groups', () => {
      assert.deepEqual(resources[syncId]!.Properties!.VpcConfig, {
        SubnetIds: DELIVERY.vpc.subnetIds,
        SecurityGroupIds: DELIVERY.vpc.securityGroupIds,
      });
      const managed = asArray<Json>(resources[syncRoleId]!.Properties!.ManagedPolicyArns).map(render);
      assert.ok(managed.some((arn) => arn.endsWith(':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole')));
    });
  });

  describe('access in the clusters', () => {
    it('creates an access entry for each cluster whose access is not none', () => {
      template.resourceCountIs('AWS::EKS::AccessEntry', 2);
    });

    it('maps the sync role to the group certflow-sync, with no access policy, in rbac mode', () => {
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        ClusterName: 'prod-eu',
        PrincipalArn: { 'Fn::GetAtt': [syncRoleId, 'Arn'] },
        Type: 'STANDARD',
        KubernetesGroups: ['certflow-sync'],
        AccessPolicies: Match.absent(),
      });
    });

    it('associates AmazonEKSEditPolicy scoped to the namespaces in editPolicy mode', () => {
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        ClusterName: 'edge',
        PrincipalArn: { 'Fn::GetAtt': [syncRoleId, 'Arn'] },
        AccessPolicies: [
          {
            PolicyArn: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy'],
              ],
            },
            AccessScope: { Type: 'namespace', Namespaces: ['ingress'] },
          },
        ],
      });
    });

    it('outputs an RBAC manifest allowing only get, create and patch on secrets in the listed namespaces', () => {
      const outputs = template.findOutputs('*');
      const manifest = JSON.parse(outputs.DeliveryRbacProdEu!.Value as string) as { kind: string; items: Json[] };
      assert.equal(manifest.kind, 'List');
      const roles = manifest.items.filter((i) => i.kind === 'Role');
      assert.deepEqual(
        roles.map((r) => r.metadata.namespace),
        ['shop', 'web'],
      );
      for (const role of roles) {
        assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'patch'] }]);
      }
      const bindings = manifest.items.filter((i) => i.kind === 'RoleBinding');
      assert.deepEqual(
        bindings.map((b) => [b.metadata.namespace, b.roleRef.name, b.subjects]),
        ['shop', 'web'].map((ns) => [
          ns,
          'certflow-sync',
          [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'certflow-sync' }],
        ]),
      );
    });

    it('names its outputs without hash suffixes, as the README does', () => {
      assert.deepEqual(
        Object.keys(template.findOutputs('*'))
          .filter((k) => k.startsWith('Delivery'))
          .sort(),
        [
          'DeliveryDeadLetterQueueUrl',
          'DeliveryPullRole1',
          'DeliveryRbacEdge',
          'DeliveryRbacLegacy',
          'DeliveryRbacProdEu',
          'DeliverySyncRoleArn',
        ],
      );
    });

    it('outputs no ClusterRole, nothing cluster-wide', () => {
      const values = Object.values(template.findOutputs('*')).map((o) => String(o.Value));
      assert.ok(values.every((v) => !v.includes('ClusterRole')));
    });
  });

  describe('IRSA pull mode', () => {
    let roleId: string;
    let trust: Json;
    before(() => {
      const found = ofType(resources, 'AWS::IAM::Role').find(([, p]) =>
        JSON.stringify(p.AssumeRolePolicyDocument).includes('AssumeRoleWithWebIdentity'),
      )!;
      [roleId, { AssumeRolePolicyDocument: trust }] = found;
    });

    it('trusts only the service account, through the cluster OIDC provider, for STS', () => {
      assert.deepEqual(trust.Statement, [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: PROVIDER_ARN },
          Condition: {
            StringEquals: {
              [`${OIDC_ISSUER}:sub`]: 'system:serviceaccount:shop:frontend',
              [`${OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ]);
    });

    it("reads only that certificate's secret", () => {
      const secrets = roleStatements(resources, roleId).filter((s) =>
        asArray<string>(s.Action).some((a) => a.startsWith('secretsmanager:')),
      );
      assert.deepEqual(
        secrets.map((s) => [asArray(s.Action).sort(), asArray(s.Resource).map(render)]),
        [
          [
            ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            [
              'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:certflow/certificates/web-??????',
            ],
          ],
        ],
      );
    });

    it('matches the secret of "web" and not that of a certificate named "web-admin"', () => {
      const pattern = iamPattern('secret:certflow/certificates/web-??????');
      assert.ok(pattern.test('secret:certflow/certificates/web-AbC123'));
      assert.ok(!pattern.test('secret:certflow/certificates/web-admin-AbC123'));
    });

    it('decrypts with the certflow key only through Secrets Manager, for that secret', () => {
      const keyId = ofType(resources, 'AWS::KMS::Key')[0]![0];
      const kms = roleStatements(resources, roleId).filter((s) =>
        asArray<string>(s.Action).some((a) => a.startsWith('kms:')),
      );
      assert.equal(kms.length, 1);
      assert.equal(kms[0].Action, 'kms:Decrypt');
      assert.deepEqual(kms[0].Resource, { 'Fn::GetAtt': [keyId, 'Arn'] });
      assert.equal(
        render(kms[0].Condition.StringEquals['kms:ViaService']),
        'secretsmanager.${AWS::Region}.amazonaws.com',
      );
      assert.match(
        render(kms[0].Condition.StringLike['kms:EncryptionContext:SecretARN']),
        /:secret:certflow\/certificates\/web-\?{6}$/,
      );
    });

    it('has no other permission', () => {
      const actions = roleStatements(resources, roleId).flatMap((s) => asArray<string>(s.Action));
      assert.deepEqual(actions.sort(), [
        'kms:Decrypt',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
    });
  });

  describe('configuration', () => {
    it('names the field of a malformed service account', () => {
      assert.throws(
        () => loadConfig({ delivery: { pullAccess: [{ ...DELIVERY.pullAccess[0], serviceAccount: 'frontend' }] } }),
        /config: delivery\.pullAccess\[0\]\.serviceAccount: must be "namespace\/name"/,
      );
    });

    it('refuses two cluster names that would share an id', () => {
      assert.throws(
        () =>
          loadConfig({
            delivery: {
              clusters: [
                { name: 'a-b', namespaces: ['x'] },
                { name: 'a_b', namespaces: ['x'] },
              ],
            },
          }),
        /delivery\.clusters: "a-b" and "a_b" would share the id AB/,
      );
    });

    it('refuses a cluster without namespaces', () => {
      assert.throws(
        () => loadConfig({ delivery: { clusters: [{ name: 'x', namespaces: [] }] } }),
        /delivery\.clusters\[0\]\.namespaces: must name at least one namespace/,
      );
    });
  });

  describe('cdk-nag', () => {
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    it('leaves no AwsSolutions finding unacknowledged with clusters, IRSA roles and a VPC', () => {
      const outdir = mkdtempSync(join(tmpdir(), 'certflow-nag-delivery-'));
      dirs.push(outdir);
      const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      new CertflowStack(app, 'Certflow', { config: loadConfig({ delivery: DELIVERY }) });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      app.synth();
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
      };
      const findings = report.pluginReports
        .filter((r) => r.pluginName === 'AwsSolutions')
        .flatMap((r) => r.violations.map((v) => v.ruleName));
      assert.deepEqual(findings, []);

      // Each acknowledgement made here must match a finding that cdk-nag reports without it.
      const checks = new AwsSolutionsChecks();
      Object.assign(checks, { isAcknowledged: () => false });
      const raw = checks
        .validateScope(app)
        .violations.flatMap((v) =>
          v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })),
        );
      const unused = app.node
        .findAll()
        .filter((c) => c.node.path.startsWith('Certflow/Delivery'))
        .flatMap((c) =>
          c.node.metadata
            .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .flatMap((m) =>
              Object.keys(m.data as object).map((id) => ({
                path: c.node.path,
                rule: id.replace(/^annotation::/i, ''),
              })),
            ),
        )
        .filter((a) => !raw.some((f) => f.rule === a.rule && (f.path === a.path || f.path.startsWith(`${a.path}/`))));
      assert.deepEqual(unused, []);
    });
  });
});
