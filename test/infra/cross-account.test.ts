import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../infra/synth.js';

const ROLE = 'arn:aws:iam::111122223333:role/certflow-dns01';

describe('Stack: cross-account Route53', () => {
  const template = synthesizeTemplate(
    loadConfig({
      issuers: [
        {
          kind: 'acme',
          name: 'le',
          server: 'https://acme.test/dir',
          solvers: [{ dns01: { route53: { hostedZoneId: 'ZOTHER', roleArn: ROLE, externalId: 'x' } } }],
        },
      ],
    }),
  );
  const statements = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => r.Properties?.PolicyDocument?.Statement as { Action: string | string[]; Resource: unknown }[]);
  const actions = statements.flatMap((s) => [s.Action].flat());

  it('allows sts:AssumeRole on the configured role only', () => {
    const assume = statements.filter((s) => [s.Action].flat().includes('sts:AssumeRole'));
    assert.ok(assume.length > 0);
    for (const s of assume) assert.deepEqual(s.Resource, ROLE);
  });

  it('gives the functions no Route53 rights of their own when every zone is in another account', () => {
    assert.ok(
      !actions.some((a) => a.startsWith('route53:')),
      actions.filter((a) => a.startsWith('route53:')).join(','),
    );
  });
});
