/**
 * The Lambda functions of certflow: one ESM bundle per handler file in functions/, built by the
 * local esbuild (no Docker), each role granted only what its grants say.
 */
import { fileURLToPath } from 'node:url';
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import {
  DEFAULT_ROUTE53_MAX_WAIT_SECONDS,
  DEFAULT_ROUTE53_REQUESTS_PER_SECOND,
} from '../../shared/wiring/environment.js';
import {
  configuredZoneIds,
  crossAccountRoles,
  hookFunctions,
  ownAccountRoute53Solvers,
  route53Solvers,
  usesZoneLookup,
} from '../config/certflow-config.js';
import { acknowledgeFunction } from './nag.js';
import type { CertificateStorage } from './certificate-storage.js';
import type { InventoryTable } from './inventory-table.js';
import type { RequestSlots } from './request-slots.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Dependencies of dependencies that certflow never calls, replaced by stubs that fail loudly:
 * node-forge (acme-client's legacy helpers) and form-data (axios's multipart bodies). About 420 KB
 * less per ACME function; test/infra/bundle.test.ts runs the bundled ACME steps against Pebble.
 */
export const BUNDLE_ALIASES = {
  '--alias:node-forge': './shared/issuers/acme/stubs/node-forge.cjs',
  '--alias:form-data': './shared/issuers/acme/stubs/form-data.cjs',
};

/** The tag that names a function's handler file; the local runner binds tasks through it. */
export const STEP_TAG = 'certflow:step';

/** What each step may touch; the policy of its role is built from this and nothing else. */
export interface StepGrants {
  inventory?: boolean;
  /** Speaks ACME: may read the configured issuers' External Account Binding HMAC keys. */
  acme?: boolean;
  /** Query the inventory's index (listing). */
  inventoryList?: boolean;
  secrets?: 'read' | 'readWrite';
  /** `write`: change TXT records (and read them back); `wait`: only GetChange, for INSYNC. */
  route53?: 'write' | 'wait';
  events?: boolean;
  /** RSA 4096 key generation needs a little longer than the rest. */
  timeoutSeconds?: number;
}

export interface CertflowFunctionProps {
  /** Handler file in functions/, without `.ts`. */
  file: string;
  description: string;
  grants: StepGrants;
  issuers: readonly IssuerConfig[];
  storage: CertificateStorage;
  inventory: InventoryTable;
  environment?: Record<string, string>;
  /** The request budgets: required by functions granted `route53` when Route53 solvers exist. */
  requestSlots?: RequestSlots;
  /** Route53 requests per second across the deployment (config `route53.requestsPerSecond`). */
  route53RequestsPerSecond?: number;
}

/**
 * The timeout of the functions that call Route53 (Lambda's longest): a step makes up to five paced
 * requests (zone look-ups in a cold container, read, change), each waiting at most
 * DEFAULT_ROUTE53_MAX_WAIT_SECONDS for its slot; a longer queue fails the request as transient,
 * and the state machine retries it later.
 */
export const ROUTE53_STEP_TIMEOUT_SECONDS = 900;

/** Creates one function with certflow's runtime, bundling, logging, grants and acknowledgements. */
export function certflowFunction(scope: Construct, id: string, props: CertflowFunctionProps): NodejsFunction {
  const { grants, issuers, storage, inventory } = props;
  const fn = new NodejsFunction(scope, id, {
    entry: `${PROJECT_ROOT}functions/${props.file}.ts`,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
    handler: 'handler',
    description: props.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.seconds(grants.timeoutSeconds ?? (grants.route53 ? ROUTE53_STEP_TIMEOUT_SECONDS : 30)),
    environment: {
      CERTFLOW_ISSUERS: JSON.stringify(issuers),
      CERTFLOW_TABLE: inventory.table.tableName,
      CERTFLOW_SECRET_PREFIX: storage.secretPrefix,
      CERTFLOW_KMS_KEY_ID: storage.key.keyArn,
      CERTFLOW_EVENT_BUS: 'default',
      POWERTOOLS_SERVICE_NAME: 'certflow',
      ...props.environment,
    },
    logGroup: new logs.LogGroup(scope, `${id}Logs`, {
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
      esbuildArgs: BUNDLE_ALIASES,
    },
  });
  Tags.of(fn).add(STEP_TAG, props.file);
  if (grants.inventory) inventory.grantItemReadWrite(fn);
  if (grants.inventoryList) inventory.grantList(fn);
  if (grants.secrets === 'readWrite') storage.grantReadWrite(fn);
  if (grants.secrets === 'read') storage.grantRead(fn);
  if (grants.route53) for (const statement of route53Statements(issuers, grants.route53)) fn.addToRolePolicy(statement);
  if (grants.route53) for (const statement of hookStatements(scope, issuers)) fn.addToRolePolicy(statement);
  if (grants.route53 && route53Solvers(issuers).length > 0) {
    if (!props.requestSlots) throw new Error(`certflow: ${id} calls Route53 and needs the request slots table`);
    props.requestSlots.grantBook(fn);
    fn.addEnvironment('CERTFLOW_SLOT_TABLE', props.requestSlots.table.tableName);
    fn.addEnvironment(
      'CERTFLOW_ROUTE53_REQUESTS_PER_SECOND',
      String(props.route53RequestsPerSecond ?? DEFAULT_ROUTE53_REQUESTS_PER_SECOND),
    );
    fn.addEnvironment('CERTFLOW_ROUTE53_MAX_WAIT_SECONDS', String(DEFAULT_ROUTE53_MAX_WAIT_SECONDS));
  }
  if (grants.acme) {
    const eabSecrets = issuers.flatMap((i) =>
      i.kind === 'acme' && i.externalAccountBinding ? [i.externalAccountBinding.hmacKeySecretArn] : [],
    );
    if (eabSecrets.length) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [...new Set(eabSecrets)] }),
      );
    }
  }
  if (grants.events) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [`arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`],
      }),
    );
  }
  acknowledgeFunction(fn, grants, storage, {
    used: ownAccountRoute53Solvers(issuers).length > 0,
    anyZone: needsAnyZone(issuers),
  });
  return fn;
}

/** True when some solver finds its zone by name, so the policy cannot name the zones. */
export function needsAnyZone(issuers: readonly IssuerConfig[]): boolean {
  return usesZoneLookup(issuers);
}

/**
 * The DNS steps of a hook solver (present, check, clean up) run in the hook, so the functions with
 * Route53 grants may invoke exactly the configured hook functions: a bare name is a function of
 * this account and region, an ARN is taken as written (its qualifier included, as IAM matches it).
 */
export function hookStatements(scope: Construct, issuers: readonly IssuerConfig[]): iam.PolicyStatement[] {
  const arns = hookFunctions(issuers).map((name) =>
    name.startsWith('arn:')
      ? name
      : Stack.of(scope).formatArn({
          service: 'lambda',
          resource: 'function',
          resourceName: name,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
  );
  return arns.length ? [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: arns })] : [];
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
  const assumeRoles = crossAccountRoles(issuers);
  // Zones in other accounts are changed with the role assumed there, under that account's policy.
  const assume = assumeRoles.length
    ? [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: assumeRoles })]
    : [];
  if (!ownAccountRoute53Solvers(issuers).length) return assume;
  if (mode === 'wait') return [getChange, ...assume];
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
  return [...statements, ...assume];
}
