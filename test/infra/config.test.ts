import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../infra/config/certflow-config.js';

const acme = (extra: Record<string, unknown> = {}, solver: Record<string, unknown> = { route53: {} }) => ({
  issuers: [{ kind: 'acme', name: 'le', server: 'https://acme.test/dir', solvers: [{ dns01: solver }], ...extra }],
});

describe('Function: loadConfig', () => {
  it("offers Let's Encrypt production and staging when no issuer is declared", () => {
    assert.deepEqual(
      loadConfig({ email: 'ops@example.com' }).issuers.map((i) => i.name),
      ['letsencrypt', 'letsencrypt-staging'],
    );
  });

  it('adds the ZeroSSL preset, with its external account binding, when asked', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zerossl-eab-AbCdEf';
    const zerossl = loadConfig({
      email: 'ops@example.com',
      zerossl: { keyId: 'kid', hmacKeySecretArn: arn },
    }).issuers.at(-1)!;
    assert.equal(zerossl.name, 'zerossl');
    assert.deepEqual(zerossl.kind === 'acme' && zerossl.externalAccountBinding, {
      keyId: 'kid',
      hmacKeySecretArn: arn,
    });
  });

  it('takes a cross-account role, and refuses what is not a role ARN or an externalId alone', () => {
    assert.equal(
      loadConfig(acme({}, { route53: { roleArn: 'arn:aws:iam::111122223333:role/dns', externalId: 'x' } })).issuers
        .length,
      1,
    );
    assert.throws(
      () => loadConfig(acme({}, { route53: { roleArn: 'dns-role' } })),
      /solvers\[0\]\.dns01\.route53\.roleArn: "dns-role" is not an IAM role ARN/,
    );
    assert.throws(() => loadConfig(acme({}, { route53: { externalId: 'x' } })), /externalId: goes with a roleArn/);
  });

  it('takes cnameStrategy None or Follow, and nothing else', () => {
    assert.equal(loadConfig(acme({}, { route53: {}, cnameStrategy: 'Follow' })).issuers.length, 1);
    assert.throws(
      () => loadConfig(acme({}, { route53: {}, cnameStrategy: 'follow' })),
      /cnameStrategy: must be None or Follow/,
    );
  });

  it('takes an external account binding whose HMAC key is a Secrets Manager secret, and only that', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zerossl-eab-AbCdEf';
    assert.equal(
      loadConfig(acme({ externalAccountBinding: { keyId: 'kid-1', hmacKeySecretArn: arn } })).issuers.length,
      1,
    );
    assert.throws(
      () =>
        loadConfig(acme({ externalAccountBinding: { keyId: 'kid-1', hmacKeySecretArn: 'zWNDZM6eQGHWpSRTPal5eIUY' } })),
      /externalAccountBinding\.hmacKeySecretArn: must be the ARN of a Secrets Manager secret/,
    );
  });

  it('refuses an unknown kind, a duplicate name and a ca issuer without its certificate', () => {
    assert.throws(() => loadConfig({ issuers: [{ kind: 'vault', name: 'v' }] }), /kind: "vault" is not an issuer kind/);
    assert.throws(
      () =>
        loadConfig({
          issuers: [
            { kind: 'selfSigned', name: 'a' },
            { kind: 'selfSigned', name: 'a' },
          ],
        }),
      /"a" is declared twice/,
    );
    assert.throws(() => loadConfig({ issuers: [{ kind: 'ca', name: 'c' }] }), /certificateName: is required/);
  });
});
