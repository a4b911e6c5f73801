/**
 * cdk-nag (AwsSolutions) as `cdk synth` runs it (infra/app.ts): every finding is either fixed or
 * acknowledged on the construct it concerns, with a reason a reviewer can judge.
 *
 * cdk-nag 3 is a CDK validation plugin. It drops the findings acknowledged through
 * `Validations.of(scope).acknowledge()` (construct metadata `aws:cdk:acknowledged-rules`) and
 * reports the rest to CDK, which writes them to `validation-report.json` in the cloud assembly and
 * throws from `app.synth()` only when one of them is an error. Warnings never throw, so the report
 * is what these tests read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CertflowStack } from '../../infra/certflow-stack.js';
import { type CertflowConfig, loadConfig } from '../../infra/config/certflow-config.js';
import { INFRA_CONFIGS } from '../support/infra-configs.js';

const PLUGIN = 'AwsSolutions';
const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
const MIN_REASON_LENGTH = 20;
// The feature flags of cdk.json change policies (minimizePolicies), hence the finding ids.
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;
const CONFIGS = INFRA_CONFIGS;

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}
interface NagRun {
  app: App;
  /** What `app.synth()` threw: cdk-nag errors that nobody acknowledged. */
  synthError?: Error;
  /** Findings nobody acknowledged, errors and warnings alike. */
  findings: { rule: string; severity: string; paths: string[] }[];
}

const outdirs: string[] = [];

/** Synthesizes the stack, Lambda bundling skipped, with AwsSolutions registered as app.ts does. */
function nag(config: CertflowConfig, change?: (stack: CertflowStack) => void): NagRun {
  const outdir = mkdtempSync(join(tmpdir(), 'certflow-nag-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new CertflowStack(app, 'Certflow', { config });
  change?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthError: Error | undefined;
  try {
    app.synth();
  } catch (error) {
    synthError = error as Error;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: Violation[] }[];
  };
  const findings = report.pluginReports
    .filter((r) => r.pluginName === PLUGIN)
    .flatMap((r) => r.violations)
    .map((v) => ({ rule: v.ruleName, severity: v.severity, paths: v.violatingConstructs.map((c) => c.constructPath) }));
  return { app, ...(synthError ? { synthError } : {}), findings };
}

/** Every acknowledgement in the construct tree: where it was made, the rule, the reason. */
function acknowledgements(app: App): { path: string; rule: string; reason: unknown }[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === ACKNOWLEDGED)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          rule: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** Findings as cdk-nag sees them before acknowledgements, per CfnResource path. */
function unacknowledgedFindings(app: App): { rule: string; path: string }[] {
  const checks = new AwsSolutionsChecks();
  // isAcknowledged is cdk-nag's private hook; turning it off is the only way to list what the
  // acknowledgements are there for.
  Object.assign(checks, { isAcknowledged: () => false });
  return checks
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
}

const publishOf = (stack: CertflowStack) =>
  stack.node.findChild('Pipeline').node.findChild('Publish') as lambda.IFunction;

describe('Stack: Certflow', () => {
  const runs = new Map<string, NagRun>();
  /** Each configuration run through cdk-nag once per file. */
  const runOf = (entry: (typeof CONFIGS)[number]): NagRun => {
    if (!runs.has(entry.name)) runs.set(entry.name, nag(entry.config()));
    return runs.get(entry.name)!;
  };
  after(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const entry of CONFIGS) {
    describe(entry.name, () => {
      it('synthesizes with AwsSolutions without an error', () => {
        assert.equal(runOf(entry).synthError, undefined);
      });

      it('leaves no AwsSolutions finding unacknowledged, error or warning', () => {
        assert.deepEqual(runOf(entry).findings, []);
      });

      it('acknowledges on each construct only findings that construct has', () => {
        const { app } = runOf(entry);
        const raw = unacknowledgedFindings(app);
        const unused = acknowledgements(app).filter(
          (ack) => !raw.some((f) => f.rule === ack.rule && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
        );
        assert.deepEqual(
          unused.map((ack) => `${ack.path}: ${ack.rule}`),
          [],
        );
      });

      it(`gives every acknowledgement a reason of at least ${MIN_REASON_LENGTH} characters`, () => {
        const acks = acknowledgements(runOf(entry).app);
        assert.ok(acks.length > 0, 'the stack acknowledges findings');
        for (const { path, rule, reason } of acks) {
          assert.equal(typeof reason, 'string', `${path}: ${rule}`);
          assert.ok((reason as string).trim().length >= MIN_REASON_LENGTH, `${path}: ${rule}: "${String(reason)}"`);
        }
      });
    });
  }

  it('reports a wildcard action added to a function without an acknowledgement', (t) => {
    // CDK prints the report before throwing; the assertions below read it.
    t.mock.method(console, 'error', () => undefined);
    const run = nag(loadConfig({}), (stack) =>
      publishOf(stack).addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::certflow-example/*'] }),
      ),
    );
    assert.ok(run.synthError, 'synth fails');
    assert.deepEqual(
      run.findings.map((f) => f.rule),
      ['AwsSolutions-IAM5[Action::s3:Get*]', 'AwsSolutions-IAM5[Resource::arn:aws:s3:::certflow-example/*]'],
    );
  });

  it('reports a wildcard resource added to a function without an acknowledgement', (t) => {
    t.mock.method(console, 'error', () => undefined);
    const run = nag(loadConfig({}), (stack) =>
      publishOf(stack).addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })),
    );
    assert.deepEqual(
      run.findings.map((f) => [f.rule, f.paths]),
      [['AwsSolutions-IAM5[Resource::*]', ['Certflow/Pipeline/Publish/ServiceRole/DefaultPolicy/Resource']]],
    );
  });
});
