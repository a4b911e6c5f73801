import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LETS_ENCRYPT_PRODUCTION, letsEncryptIssuers, zeroSslIssuer } from '../../shared/issuers/acme/presets.js';
import {
  ISSUER_KINDS,
  ORDERING_KINDS,
  type IssuerConfig,
  checkIssuers,
  findIssuer,
} from '../../shared/issuers/registry.js';
import { signWith, signsAtOnce } from '../../shared/issuers/signing.js';
import { validateSpec } from '../../shared/domain/validate-spec.js';
import { StoreError } from '../../shared/errors.js';
import { generatePrivateKey } from '../../shared/domain/keys.js';

const issuers: IssuerConfig[] = [
  ...letsEncryptIssuers('ops@example.com'),
  { kind: 'selfSigned', name: 'selfsigned' },
  { kind: 'ca', name: 'internal', certificateName: 'root' },
];

describe('Issuer registry', () => {
  it('knows every kind, and which of them order at a CA', () => {
    assert.deepEqual(Object.keys(ISSUER_KINDS).sort(), ['acme', 'ca', 'selfSigned']);
    assert.deepEqual(ORDERING_KINDS, ['acme']);
    assert.deepEqual(
      issuers.map((i) => signsAtOnce(i)),
      [false, false, true, true],
    );
  });

  it('finds an issuer by name, and nothing for an unknown name', () => {
    assert.equal(findIssuer(issuers, 'internal')?.kind, 'ca');
    assert.equal(findIssuer(issuers, 'nope'), undefined);
  });

  it('checks the list with each kind’s own check, naming the field', () => {
    assert.equal(checkIssuers(issuers), issuers);
    assert.throws(
      () => checkIssuers([{ kind: 'vault', name: 'v' } as unknown as IssuerConfig]),
      /^Error: certflow\.issuers\[0\]\.kind: "vault" is not an issuer kind \(acme, selfSigned, ca\)$/,
    );
    assert.throws(
      () => checkIssuers([issuers[2]!, { kind: 'ca', name: 'x', certificateName: '' }]),
      /^Error: certflow\.issuers\[1\]\.certificateName: is required for a ca issuer$/,
    );
    assert.throws(
      () => checkIssuers([{ ...issuers[0]!, solvers: [] } as IssuerConfig]),
      /^Error: certflow\.issuers\[0\]\.solvers: an acme issuer needs at least one DNS-01 solver$/,
    );
    assert.throws(
      () => checkIssuers([issuers[2]!, issuers[2]!]),
      /^Error: certflow\.issuers\[1\]\.name: "selfsigned" is declared twice$/,
    );
  });

  it('gives the presets the servers and the EAB they need', () => {
    assert.deepEqual(
      letsEncryptIssuers().map((i) => [i.name, i.server, i.email]),
      [
        ['letsencrypt', LETS_ENCRYPT_PRODUCTION, undefined],
        ['letsencrypt-staging', 'https://acme-staging-v02.api.letsencrypt.org/directory', undefined],
      ],
    );
    const zerossl = zeroSslIssuer({ keyId: 'kid', hmacKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' });
    assert.equal(zerossl.server, 'https://acme.zerossl.com/v2/DV90');
    assert.deepEqual(zerossl.externalAccountBinding, {
      keyId: 'kid',
      hmacKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
    });
  });

  it('signs with the kind’s own code: selfSigned is its own CA; ca refuses until its CA is issued', async () => {
    const spec = validateSpec({
      name: 'web',
      issuerRef: { name: 'selfsigned' },
      commonName: 'web',
      dnsNames: ['web.internal'],
    });
    const keyPem = await generatePrivateKey(spec.privateKey);
    const store = { readCurrent: async () => undefined };
    const now = new Date('2026-06-01T00:00:00Z');
    const self = await signWith(issuers[2] as never, { spec, keyPem, now, store });
    assert.equal(self.caPem, self.certificatePem);
    assert.match(self.certificatePem, /^-----BEGIN CERTIFICATE-----/);
    await assert.rejects(
      signWith(issuers[3] as never, { spec, keyPem, now, store }),
      (e: Error) =>
        e instanceof StoreError &&
        e.message === 'store: the CA certificate "root" of issuer "internal" is not issued yet',
    );
  });
});
