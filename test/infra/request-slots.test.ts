/**
 * The Route53 request budget in the synthesized stack: a slots table exists exactly when some
 * issuer writes to Route53; the functions that call Route53 (and only they) may book slots in it,
 * learn its name and the rate, and run long enough to wait for their slots.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../infra/synth.js';
import { DEFAULT_ROUTE53_MAX_WAIT_SECONDS } from '../../shared/wiring/environment.js';

type Resource = { Type: string; Properties: Record<string, any> };
// The sweep and execution-ended remove TXT values of issuances that ended without their Cleanup.
const ROUTE53_STEPS = ['present-challenges', 'check-propagation', 'cleanup', 'execution-ended', 'sweep'];

function functionsByStep(template: { Resources: Record<string, Resource> }) {
  const byStep = new Map<string, { id: string; fn: Resource }>();
  for (const [id, fn] of Object.entries(template.Resources)) {
    if (fn.Type !== 'AWS::Lambda::Function') continue;
    const step = (fn.Properties.Tags as { Key: string; Value: string }[] | undefined)?.find(
      (t) => t.Key === 'certflow:step',
    )?.Value;
    if (step) byStep.set(step, { id, fn });
  }
  return byStep;
}

function slotTables(template: { Resources: Record<string, Resource> }): string[] {
  return Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::DynamoDB::Table' && id.startsWith('RequestSlots'))
    .map(([id]) => id);
}

/** The statements of the policies attached to the role of `fnId`. */
function statementsOf(template: { Resources: Record<string, Resource> }, fn: Resource): any[] {
  const role = fn.Properties.Role?.['Fn::GetAtt']?.[0];
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

describe('Stack: Route53 request budget', () => {
  const template = synthesizeTemplate(loadConfig({ email: 'ops@example.com' })) as {
    Resources: Record<string, Resource>;
  };
  const [table] = slotTables(template);
  const steps = functionsByStep(template);

  it('has one slots table, keyed as the adapter books', () => {
    assert.equal(slotTables(template).length, 1);
    assert.deepEqual(template.Resources[table!]!.Properties.KeySchema, [{ AttributeName: 'key', KeyType: 'HASH' }]);
  });

  it('lets exactly the Route53 steps book slots, with the table, the rate and the wait in their environment', () => {
    // The loop below checks only the functions it finds: make sure it finds them all.
    for (const step of [...ROUTE53_STEPS, 'prepare', 'store', 'api'])
      assert.ok(steps.has(step), `${step} is tagged`);
    assert.ok(steps.size >= 18, `${steps.size} tagged functions`);
    for (const [step, { fn }] of steps) {
      const books = statementsOf(template, fn).some(
        (s) => [s.Action].flat().includes('dynamodb:UpdateItem') && JSON.stringify(s.Resource).includes(`"${table}"`),
      );
      const env = fn.Properties.Environment?.Variables ?? {};
      if (ROUTE53_STEPS.includes(step)) {
        assert.ok(books, `${step} may book slots`);
        assert.deepEqual(env.CERTFLOW_SLOT_TABLE, { Ref: table });
        assert.equal(env.CERTFLOW_ROUTE53_REQUESTS_PER_SECOND, '4');
        assert.equal(env.CERTFLOW_ROUTE53_MAX_WAIT_SECONDS, String(DEFAULT_ROUTE53_MAX_WAIT_SECONDS));
        // Up to five paced requests per step, each waiting at most the maximum.
        assert.ok(fn.Properties.Timeout >= 5 * DEFAULT_ROUTE53_MAX_WAIT_SECONDS, `${step} timeout`);
      } else {
        assert.ok(!books, `${step} may not book slots`);
        assert.equal(env.CERTFLOW_SLOT_TABLE, undefined);
      }
    }
  });

  it('takes the rate from the configuration', () => {
    const custom = synthesizeTemplate(
      loadConfig({ email: 'ops@example.com', route53: { requestsPerSecond: 2.5 } }),
    ) as { Resources: Record<string, Resource> };
    const { fn } = functionsByStep(custom).get('present-challenges')!;
    assert.equal(fn.Properties.Environment.Variables.CERTFLOW_ROUTE53_REQUESTS_PER_SECOND, '2.5');
  });

  it('refuses a rate above what Route53 allows, or not a number, naming the field', () => {
    for (const requestsPerSecond of [0, 6, -1, '4']) {
      assert.throws(
        () => loadConfig({ route53: { requestsPerSecond } }),
        /certflow\.route53\.requestsPerSecond: must be a number above 0 and at most 5/,
      );
    }
    assert.throws(() => loadConfig({ route53: 4 }), /certflow\.route53: must be an object/);
  });

  it('has no slots table when no issuer uses Route53', () => {
    const hookOnly = synthesizeTemplate(
      loadConfig({
        issuers: [
          {
            kind: 'acme',
            name: 'hooked',
            server: 'https://acme.test/dir',
            solvers: [{ dns01: { hook: { functionName: 'my-dns-hook' } } }],
          },
        ],
      }),
    ) as { Resources: Record<string, Resource> };
    assert.deepEqual(slotTables(hookOnly), []);
  });
});
