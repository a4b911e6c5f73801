import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CertflowConfig, loadConfig } from '../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../infra/synth.js';

const HOOK_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:dns-hook:live';

const hookConfig = (): CertflowConfig =>
  loadConfig({
    issuers: [
      {
        kind: 'acme',
        name: 'a',
        server: 'https://acme.test/dir',
        solvers: [{ dns01: { hook: { functionName: 'acme-dns-hook' } } }],
      },
      {
        kind: 'acme',
        name: 'b',
        server: 'https://acme.test/dir',
        solvers: [
          { dns01: { hook: { functionName: HOOK_ARN } } },
          { dns01: { hook: { functionName: 'acme-dns-hook' } } },
        ],
      },
    ],
  });

/** A resource as written, with `{Ref: X}` rendered `<X>` (the way cdk-nag names resources). */
function render(node: unknown): string {
  if (typeof node === 'string') return node;
  const o = node as Record<string, unknown>;
  if ('Ref' in o) return `<${String(o.Ref)}>`;
  if ('Fn::Join' in o) {
    const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  return JSON.stringify(node);
}

type Template = ReturnType<typeof synthesizeTemplate>;

/** Step file → what its role may invoke. */
function invokersOf(template: Template): Map<string, string[]> {
  const resources = Object.values(template.Resources);
  const byRole = new Map<string, string[]>();
  for (const policy of resources.filter((r) => r.Type === 'AWS::IAM::Policy')) {
    const role = policy.Properties?.Roles?.[0]?.Ref as string;
    for (const s of policy.Properties?.PolicyDocument?.Statement as { Action: unknown; Resource: unknown }[]) {
      if (![s.Action].flat().includes('lambda:InvokeFunction')) continue;
      byRole.set(role, [...(byRole.get(role) ?? []), ...[s.Resource].flat().map(render)]);
    }
  }
  const result = new Map<string, string[]>();
  for (const fn of resources.filter((r) => r.Type === 'AWS::Lambda::Function')) {
    const step = (fn.Properties?.Tags as { Key: string; Value: string }[]).find(
      (t) => t.Key === 'certflow:step',
    )!.Value;
    const invokes = byRole.get(fn.Properties?.Role?.['Fn::GetAtt']?.[0]);
    if (invokes) result.set(step, invokes.sort());
  }
  return result;
}

describe('Stack: DNS hook solver', () => {
  const template = synthesizeTemplate(hookConfig());
  const ownHook = 'arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:acme-dns-hook';

  it('lets exactly the DNS steps invoke exactly the configured hooks', () => {
    const invokers = invokersOf(template);
    // The sweep and execution-ended clean up after issuances that ended without their Cleanup.
    const dnsSteps = ['check-propagation', 'cleanup', 'execution-ended', 'present-challenges', 'sweep'];
    for (const step of dnsSteps) assert.deepEqual(invokers.get(step), [HOOK_ARN, ownHook].sort(), step);
    for (const [step, resources] of invokers) {
      if (dnsSteps.includes(step)) continue;
      assert.ok(!resources.some((r) => r.includes('dns-hook')), `${step} may invoke ${resources.join(', ')}`);
    }
  });

  it('gives no Route53 rights when every solver is a hook', () => {
    const actions = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) =>
        (r.Properties?.PolicyDocument?.Statement as { Action: unknown }[]).flatMap((s) => [s.Action].flat()),
      );
    assert.deepEqual(
      actions.filter((a) => String(a).startsWith('route53:')),
      [],
    );
  });

  it('lets no function invoke a hook when no solver is a hook', () => {
    const invokers = invokersOf(synthesizeTemplate(loadConfig({})));
    for (const step of ['check-propagation', 'cleanup', 'present-challenges'])
      assert.equal(invokers.get(step), undefined);
  });
  // cdk-nag for this configuration: test/infra/nag.test.ts, with every other configuration.
});

describe('Config: DNS hook solver', () => {
  const withSolver = (dns01: unknown) =>
    loadConfig({ issuers: [{ kind: 'acme', name: 'le', server: 'https://acme.test/dir', solvers: [{ dns01 }] }] });

  it('takes a function name, a qualified name or a function ARN', () => {
    for (const functionName of ['dns-hook', 'dns-hook:live', 'dns_hook:$LATEST', HOOK_ARN]) {
      assert.equal(withSolver({ hook: { functionName } }).issuers.length, 1, functionName);
    }
  });

  it('requires a non-empty functionName', () => {
    assert.throws(() => withSolver({ hook: {} }), /solvers\[0\]\.dns01\.hook\.functionName: is required/);
    assert.throws(() => withSolver({ hook: { functionName: '' } }), /hook\.functionName: is required/);
  });

  it('refuses what is neither a function name nor a function ARN', () => {
    for (const functionName of ['my hook', 'arn:aws:lambda:eu-west-1:1:function:x', 'arn:aws:s3:::bucket', 'a/b']) {
      assert.throws(
        () => withSolver({ hook: { functionName } }),
        /hook\.functionName: ".*" is neither a Lambda function name nor a function ARN/,
        functionName,
      );
    }
  });

  it('refuses a solver with two DNS providers or none', () => {
    assert.throws(
      () => withSolver({ route53: {}, hook: { functionName: 'dns-hook' } }),
      /solvers\[0\]\.dns01: needs exactly one of route53, challtestsrv, hook \(has route53, hook\)/,
    );
    assert.throws(
      () => withSolver({ cnameStrategy: 'Follow' }),
      /dns01: needs exactly one of route53, challtestsrv, hook$/,
    );
    assert.throws(() => withSolver(undefined), /dns01: needs exactly one of/);
  });
});
