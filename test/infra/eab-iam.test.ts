import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../infra/synth.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zerossl-eab-AbCdEf';

describe('Stack: External Account Binding key access', () => {
  const template = synthesizeTemplate(loadConfig({ zerossl: { keyId: 'kid', hmacKeySecretArn: ARN } }));
  const resources = Object.entries(template.Resources);

  /** The step files whose role may read the EAB secret. */
  function readersOfEabSecret(): string[] {
    const roleOf = (policy: Record<string, any>) => policy.Properties?.Roles?.[0]?.Ref as string;
    const readingRoles = new Set(
      resources
        .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
        .filter(([, r]) =>
          (r.Properties?.PolicyDocument?.Statement as any[]).some((s) => [s.Resource].flat().includes(ARN)),
        )
        .map(([, r]) => roleOf(r)),
    );
    return resources
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .filter(([, r]) => readingRoles.has(r.Properties?.Role?.['Fn::GetAtt']?.[0]))
      .map(
        ([, r]) =>
          (r.Properties?.Tags as { Key: string; Value: string }[]).find((t) => t.Key === 'certflow:step')!.Value,
      )
      .sort();
  }

  it('lets exactly the functions that speak ACME read the HMAC key, and nothing more of it', () => {
    assert.deepEqual(readersOfEabSecret(), [
      'accept-challenges',
      'create-order',
      'finalize',
      'poll-authorizations',
      'poll-order',
      'revoke',
      'store',
    ]);
  });

  it('grants only GetSecretValue on that one ARN', () => {
    for (const [, r] of resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy')) {
      for (const s of r.Properties?.PolicyDocument?.Statement as any[]) {
        if ([s.Resource].flat().includes(ARN)) {
          assert.deepEqual(s.Action, 'secretsmanager:GetSecretValue');
          assert.deepEqual(s.Resource, ARN);
        }
      }
    }
  });
});
