import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../infra/config.js';

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

  it('refuses a cross-account roleArn rather than ignore it', () => {
    assert.throws(
      () => loadConfig(acme({}, { route53: { roleArn: 'arn:aws:iam::111122223333:role/dns' } })),
      /certflow\.issuers\[0\]\.solvers\[0\]\.dns01\.route53\.roleArn: cross-account Route53 is not supported yet/,
    );
  });

  it('refuses CNAME following and external account binding, not implemented yet', () => {
    assert.throws(() => loadConfig(acme({}, { route53: {}, cnameStrategy: 'Follow' })), /cnameStrategy: Follow/);
    assert.throws(
      () => loadConfig(acme({ externalAccountBinding: { keyId: 'k', hmacKeySecretArn: 'arn' } })),
      /externalAccountBinding: not supported yet/,
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
