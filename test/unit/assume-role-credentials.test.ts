import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { assumeRole } from '../../shared/adapters/aws/assume-role-credentials.js';
import { DnsError, TransientError } from '../../shared/errors.js';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::111122223333:role/certflow-dns01';
const credentials = (expiration: Date) => ({
  Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration },
});

describe('Function: assumeRole', () => {
  beforeEach(() => sts.reset());

  it("assumes the zone owner's role with its external id and a named session", async () => {
    sts.on(AssumeRoleCommand).resolves(credentials(new Date(Date.now() + 3_600_000)));
    const provider = assumeRole({ sts: new STSClient({}), roleArn: ROLE, externalId: 'zone-owner-secret' });
    const creds = await provider();
    assert.equal(creds.accessKeyId, 'ASIA');
    assert.deepEqual(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input, {
      RoleArn: ROLE,
      RoleSessionName: 'certflow-dns01',
      ExternalId: 'zone-owner-secret',
      DurationSeconds: 900,
    });
  });

  it('reuses the credentials until five minutes before they expire', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    sts.on(AssumeRoleCommand).resolves(credentials(new Date(now + 15 * 60_000)));
    const provider = assumeRole({ sts: new STSClient({}), roleArn: ROLE, now: () => now });
    await provider();
    now += 9 * 60_000;
    await provider();
    assert.equal(sts.commandCalls(AssumeRoleCommand).length, 1);
    now += 2 * 60_000;
    await provider();
    assert.equal(sts.commandCalls(AssumeRoleCommand).length, 2);
  });

  it('reports a refused role as a DNS error naming the role, and throttling as transient', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: {} }));
    await assert.rejects(
      assumeRole({ sts: new STSClient({}), roleArn: ROLE })(),
      (e: Error) => e instanceof DnsError && e.message.includes(ROLE),
    );
    sts.reset();
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('slow down'), { name: 'Throttling', $metadata: {} }));
    await assert.rejects(assumeRole({ sts: new STSClient({}), roleArn: ROLE })(), TransientError);
  });
});
