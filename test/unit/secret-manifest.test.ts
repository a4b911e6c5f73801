import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CERTFLOW_ANNOTATIONS, type SecretSource, isCurrent, secretManifest } from '../../shared/delivery/manifest.js';

const source: SecretSource = {
  name: 'web',
  revision: 3,
  issuer: 'letsencrypt',
  serialNumber: '4f1a9c',
  notAfter: '2026-04-01T00:00:00.000Z',
  secretTemplate: { labels: { team: 'shop' }, annotations: { 'example.com/owner': 'ops' } },
  bundle: { 'tls.crt': 'CERT PEM\n', 'tls.key': 'KEY PEM\n', 'ca.crt': 'CA PEM\n' },
};
const target = { cluster: 'blue', namespace: 'shop', secretName: 'web-tls' };
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('Function: secretManifest', () => {
  const secret = secretManifest(source, target);

  it('is a v1 Secret of type kubernetes.io/tls', () => {
    assert.equal(secret.apiVersion, 'v1');
    assert.equal(secret.kind, 'Secret');
    assert.equal(secret.type, 'kubernetes.io/tls');
  });

  it('is named and placed as the target says', () => {
    assert.equal(secret.metadata.name, 'web-tls');
    assert.equal(secret.metadata.namespace, 'shop');
  });

  it('holds tls.crt, tls.key and ca.crt, base64-encoded', () => {
    assert.deepEqual(Object.keys(secret.data).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(decode(secret.data['tls.crt']!), 'CERT PEM\n');
    assert.equal(decode(secret.data['tls.key']!), 'KEY PEM\n');
    assert.equal(decode(secret.data['ca.crt']!), 'CA PEM\n');
  });

  it('carries the secretTemplate labels and annotations', () => {
    assert.equal(secret.metadata.labels?.team, 'shop');
    assert.equal(secret.metadata.annotations?.['example.com/owner'], 'ops');
  });

  it('labels the Secret as managed by certflow', () => {
    assert.equal(secret.metadata.labels?.['app.kubernetes.io/managed-by'], 'certflow');
  });

  it('annotates the certificate name, revision, serial number, notAfter and issuer', () => {
    assert.deepEqual(
      Object.fromEntries(Object.values(CERTFLOW_ANNOTATIONS).map((key) => [key, secret.metadata.annotations?.[key]])),
      {
        'certflow.io/certificate-name': 'web',
        'certflow.io/revision': '3',
        'certflow.io/serial-number': '4f1a9c',
        'certflow.io/not-after': '2026-04-01T00:00:00.000Z',
        'certflow.io/issuer-name': 'letsencrypt',
      },
    );
  });

  it('keeps certflow annotations over template annotations of the same key', () => {
    const forged = secretManifest(
      { ...source, secretTemplate: { annotations: { 'certflow.io/revision': '99' } } },
      target,
    );
    assert.equal(forged.metadata.annotations?.['certflow.io/revision'], '3');
  });

  it('works without a secretTemplate', () => {
    const plain = secretManifest({ ...source, secretTemplate: undefined }, target);
    assert.deepEqual(plain.metadata.labels, { 'app.kubernetes.io/managed-by': 'certflow' });
    assert.equal(Object.keys(plain.metadata.annotations ?? {}).length, 5);
  });
});

describe('Function: isCurrent', () => {
  const desired = secretManifest(source, target);
  const live = () => structuredClone(desired);

  it('is true for the same Secret', () => {
    assert.equal(isCurrent(live(), desired), true);
  });

  it('ignores labels, annotations and data that others added', () => {
    const secret = live();
    secret.metadata.labels!['added-by'] = 'someone';
    secret.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'] = '{}';
    secret.data['extra'] = 'eA==';
    assert.equal(isCurrent(secret, desired), true);
  });

  it('is false when a template label was changed', () => {
    const secret = live();
    secret.metadata.labels!.team = 'other';
    assert.equal(isCurrent(secret, desired), false);
  });

  it('is false for another serial number', () => {
    const renewed = secretManifest({ ...source, serialNumber: '77' }, target);
    assert.equal(isCurrent(live(), renewed), false);
  });

  it('is false for another revision', () => {
    const next = secretManifest({ ...source, revision: 4 }, target);
    assert.equal(isCurrent(live(), next), false);
  });

  it('is false when the data was changed', () => {
    const secret = live();
    secret.data['tls.crt'] = Buffer.from('other').toString('base64');
    assert.equal(isCurrent(secret, desired), false);
  });

  it('is false for a Secret of another type', () => {
    assert.equal(isCurrent({ ...live(), type: 'Opaque' }, desired), false);
  });
});
