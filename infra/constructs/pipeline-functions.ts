import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IssuerConfig } from '../../shared/domain/issuer.js';
import { configuredZoneIds, usesZoneLookup } from '../config.js';
import { acknowledgePipelineFunction } from '../nag.js';
import type { CertificateStorage } from './certificate-storage.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What each step may touch; the policy of its role is built from this and nothing else. */
export interface StepGrants {
  inventory?: boolean;
  secrets?: 'read' | 'readWrite';
  /** `write`: change TXT records (and read them back); `wait`: only GetChange, for INSYNC. */
  route53?: 'write' | 'wait';
  events?: boolean;
  /** RSA 4096 key generation needs a little longer than the rest. */
  timeoutSeconds?: number;
}

/** Every step of the issuance pipeline: state name, handler file in functions/, grants. */
export const PIPELINE_STEPS = {
  Prepare: { file: 'prepare', grants: { inventory: true } },
  CreateOrder: { file: 'create-order', grants: { secrets: 'readWrite' } },
  PresentChallenges: { file: 'present-challenges', grants: { route53: 'write' } },
  CheckPropagation: { file: 'check-propagation', grants: { route53: 'wait' } },
  AcceptChallenges: { file: 'accept-challenges', grants: { secrets: 'read' } },
  PollAuthorizations: { file: 'poll-authorizations', grants: { secrets: 'read' } },
  Finalize: { file: 'finalize', grants: { secrets: 'readWrite', inventory: true, timeoutSeconds: 60 } },
  PollOrder: { file: 'poll-order', grants: { secrets: 'read' } },
  Store: { file: 'store', grants: { secrets: 'readWrite', inventory: true } },
  Cleanup: { file: 'cleanup', grants: { route53: 'write', secrets: 'readWrite' } },
  Publish: { file: 'publish', grants: { events: true } },
  RecordFailure: { file: 'record-failure', grants: { inventory: true, events: true } },
} as const satisfies Record<string, { file: string; grants: StepGrants }>;

export type StepName = keyof typeof PIPELINE_STEPS;

/** The tag that names a function's handler file; the local runner binds tasks through it. */
export const STEP_TAG = 'certflow:step';

export interface PipelineFunctionsProps {
  issuers: readonly IssuerConfig[];
  storage: CertificateStorage;
  table: dynamodb.ITable;
}

/** One small Lambda per pipeline step, each with only the permissions its step needs. */
export class PipelineFunctions extends Construct {
  readonly functions: Record<StepName, lambda.IFunction>;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const environment = {
      CERTFLOW_ISSUERS: JSON.stringify(props.issuers),
      CERTFLOW_TABLE: props.table.tableName,
      CERTFLOW_SECRET_PREFIX: props.storage.secretPrefix,
      CERTFLOW_KMS_KEY_ID: props.storage.key.keyArn,
      CERTFLOW_EVENT_BUS: 'default',
      POWERTOOLS_SERVICE_NAME: 'certflow',
    };
    const anyZone = needsAnyZone(props.issuers);
    const functions = {} as Record<StepName, lambda.IFunction>;
    for (const [name, step] of Object.entries(PIPELINE_STEPS) as [StepName, (typeof PIPELINE_STEPS)[StepName]][]) {
      const grants: StepGrants = step.grants;
      const fn = new NodejsFunction(this, name, {
        entry: `${PROJECT_ROOT}functions/${step.file}.ts`,
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
        handler: 'handler',
        description: `certflow issuance step ${name}`,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(grants.timeoutSeconds ?? 30),
        environment,
        logGroup: new logs.LogGroup(this, `${name}Logs`, {
          retention: logs.RetentionDays.ONE_YEAR,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        bundling: {
          format: OutputFormat.ESM,
          target: 'node22',
          minify: true,
          sourceMap: false,
          mainFields: ['module', 'main'],
          // acme-client and axios are CommonJS and call require() on Node built-ins.
          banner: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
          externalModules: ['@aws-sdk/*'],
        },
      });
      Tags.of(fn).add(STEP_TAG, step.file);
      if (grants.inventory) props.table.grantReadWriteData(fn);
      if (grants.secrets === 'readWrite') props.storage.grantReadWrite(fn);
      if (grants.secrets === 'read') props.storage.grantRead(fn);
      if (grants.route53)
        for (const statement of route53Statements(props.issuers, grants.route53)) fn.addToRolePolicy(statement);
      if (grants.events) {
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['events:PutEvents'],
            resources: [`arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`],
          }),
        );
      }
      acknowledgePipelineFunction(fn, grants, props.storage, anyZone);
      functions[name] = fn;
    }
    this.functions = functions;
  }
}

/** True when some solver finds its zone by name, so the policy cannot name the zones. */
export function needsAnyZone(issuers: readonly IssuerConfig[]): boolean {
  return usesZoneLookup(issuers) || configuredZoneIds(issuers).length === 0;
}

/**
 * Route53 rights for DNS-01. `write`: change only TXT records named `_acme-challenge.*`, in the
 * configured zones (or any zone when a solver looks its zone up), and read them back to merge.
 * `wait`: only GetChange, to see INSYNC.
 */
function route53Statements(issuers: readonly IssuerConfig[], mode: 'write' | 'wait'): iam.PolicyStatement[] {
  const getChange = new iam.PolicyStatement({
    actions: ['route53:GetChange'],
    resources: [`arn:${Aws.PARTITION}:route53:::change/*`],
  });
  if (mode === 'wait') return [getChange];
  const anyZone = needsAnyZone(issuers);
  const zones = anyZone
    ? [`arn:${Aws.PARTITION}:route53:::hostedzone/*`]
    : configuredZoneIds(issuers).map((id) => `arn:${Aws.PARTITION}:route53:::hostedzone/${id}`);
  const statements = [
    new iam.PolicyStatement({
      actions: ['route53:ChangeResourceRecordSets'],
      resources: zones,
      conditions: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
      },
    }),
    new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: zones }),
  ];
  if (anyZone) {
    // ListHostedZonesByName has no resource-level permissions: `*` is the only resource it takes.
    statements.push(new iam.PolicyStatement({ actions: ['route53:ListHostedZonesByName'], resources: ['*'] }));
  }
  return statements;
}
