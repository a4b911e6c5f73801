import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCertificateBundle, serializeCertificateBundle } from '../../shared/domain/bundle.js';
import { StoreError } from '../../shared/errors.js';

const bundle = { 'tls.crt': 'CERT', 'tls.key': 'KEY', 'ca.crt': 'CA' };
const SOURCE = 'secretsmanager: secret "certflow/certificates/web"';

function refusesAsNotABundle(json: string | undefined): void {
  assert.throws(
    () => parseCertificateBundle(json, SOURCE),
    (error: unknown) => {
      assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
      assert.equal(error.message, `${SOURCE} is not a certificate bundle`);
      return true;
    },
  );
}

describe('Function: parseCertificateBundle', () => {
  it('reads the three keys', () => {
    assert.deepEqual(parseCertificateBundle(JSON.stringify(bundle), SOURCE), bundle);
  });

  it('keeps only the three keys', () => {
    assert.deepEqual(parseCertificateBundle(JSON.stringify({ ...bundle, extra: 'x' }), SOURCE), bundle);
  });

  it('reads back what serializeCertificateBundle wrote', () => {
    assert.deepEqual(parseCertificateBundle(serializeCertificateBundle(bundle), SOURCE), bundle);
  });

  it('refuses malformed JSON without quoting it', () => {
    assert.throws(
      () => parseCertificateBundle(`{"tls.key":"${'x'.repeat(8)}`, SOURCE),
      (error: Error) => {
        assert.doesNotMatch(error.message, /xxxxxxxx/);
        return true;
      },
    );
    refusesAsNotABundle(`{"tls.key":"${'x'.repeat(8)}`);
  });

  it('refuses a secret with no string value', () => refusesAsNotABundle(undefined));

  for (const key of ['tls.crt', 'tls.key', 'ca.crt'] as const) {
    it(`refuses a bundle without ${key}`, () => {
      const { [key]: _, ...rest } = bundle;
      refusesAsNotABundle(JSON.stringify(rest));
    });
  }

  it('refuses a key that is not a string', () => refusesAsNotABundle(JSON.stringify({ ...bundle, 'ca.crt': 1 })));

  for (const json of ['null', '[]', '"CERT"', '42']) {
    it(`refuses ${json}, which is not an object`, () => refusesAsNotABundle(json));
  }
});

describe('Function: serializeCertificateBundle', () => {
  it('writes the keys in a fixed order whatever order it was given', () => {
    const shuffled = { 'ca.crt': 'CA', 'tls.key': 'KEY', 'tls.crt': 'CERT' };
    assert.equal(serializeCertificateBundle(shuffled), '{"tls.crt":"CERT","tls.key":"KEY","ca.crt":"CA"}');
  });
});
