import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parseCertificate, splitPemChain } from '../../../shared/domain/certificate-info.js';
import { describePrivateKey, generatePrivateKey } from '../../../shared/domain/keys.js';
import { StoreError, ValidationError } from '../../../shared/errors.js';
import { sign } from '../../../shared/steps/sign.js';
import {
  ACME_ISSUER,
  CA_ISSUER,
  NOW,
  SELF_SIGNED,
  assertNoPrivateKey,
  assertTerminal,
  localAdapters,
  makeCa,
  makeLeaf,
  rejectsWith,
  signState,
  spec,
  spkiOf,
  withRecord,
} from './fixtures.js';

const GENERATED = { type: 'Normal', reason: 'Generated', message: 'Stored new private key in temporary Secret' };
const NINETY_DAYS = 90 * 24 * 3_600_000;

describe('Step: sign', () => {
  let local: Awaited<ReturnType<typeof localAdapters>>;

  beforeEach(async () => {
    local = await localAdapters();
  });

  afterEach(() => local.close());

  const eventsOf = async () => (await local.inventory.get('web'))!.events.map(({ time: _t, ...e }) => e);

  /** The `ca` issuer's certificate, issued by certflow as `root`. */
  async function storeRoot(options: { isCA?: boolean } = {}) {
    const root = await makeCa('Internal Root');
    let certificatePem = root.certificatePem;
    if (options.isCA === false) {
      certificatePem = (await makeLeaf(spec({ name: 'root', commonName: 'Not A CA' }), root.keyPem, root))
        .certificatePem;
    }
    await local.store.putCurrent(
      'root',
      'root-r1',
      { 'tls.crt': certificatePem, 'tls.key': root.keyPem, 'ca.crt': '' },
      {},
    );
    return { ...root, certificatePem };
  }

  it('selfSigned: signs the certificate with its own new key, which it keeps as the pending key', async () => {
    const state = signState(SELF_SIGNED);
    await withRecord(local.inventory, state.spec);
    const out = await sign(state, local);

    const keyPem = (await local.store.readPendingKey('web', 'web-r1'))!;
    assert.deepEqual(describePrivateKey(keyPem), { algorithm: 'ECDSA', size: 256 });
    const blocks = splitPemChain(out.signed!.certificatePem);
    assert.equal(blocks.length, 1, 'a self-signed certificate is its own chain');
    assert.equal(out.signed!.caPem, out.signed!.certificatePem, 'and its own CA');
    const cert = new X509Certificate(blocks[0]!);
    assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), spkiOf(keyPem));
    assert.ok(cert.verify(cert.publicKey), 'signed with its own key');
    const info = parseCertificate(blocks[0]!);
    assert.deepEqual(info.dnsNames, ['web.internal']);
    assert.equal(info.notBefore, NOW.toISOString(), 'valid from the clock');
    assert.equal(Date.parse(info.notAfter) - Date.parse(info.notBefore), NINETY_DAYS);

    assert.deepEqual(out, { ...state, signed: out.signed }, 'only signed is added');
    assert.deepEqual(await eventsOf(), [GENERATED]);
    assertNoPrivateKey(out, [keyPem]);
  });

  it("ca: signs with the CA certificate's key and ships the CA as the chain", async () => {
    const root = await storeRoot();
    const state = signState(CA_ISSUER);
    await withRecord(local.inventory, state.spec);
    const out = await sign(state, local);

    const keyPem = (await local.store.readPendingKey('web', 'web-r1'))!;
    const [leaf, chainCa, ...more] = splitPemChain(out.signed!.certificatePem);
    assert.deepEqual(more, []);
    assert.equal(chainCa, splitPemChain(root.certificatePem)[0]);
    assert.equal(out.signed!.caPem, chainCa);
    const cert = new X509Certificate(leaf!);
    const caCert = new X509Certificate(root.certificatePem);
    assert.ok(cert.verify(caCert.publicKey), 'signed by the CA');
    assert.equal(cert.issuer, caCert.subject);
    assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), spkiOf(keyPem), 'for the pending key');
    assert.deepEqual(await eventsOf(), [GENERATED]);
    assertNoPrivateKey(out, [keyPem, root.keyPem]);
  });

  it('reuses the current key under rotationPolicy Never', async () => {
    const current = await generatePrivateKey({
      algorithm: 'ECDSA',
      size: 256,
      encoding: 'PKCS1',
      rotationPolicy: 'Never',
    });
    const state = signState(SELF_SIGNED, {
      spec: spec({ issuerRef: { name: 'self' }, dnsNames: ['web.internal'], privateKey: { rotationPolicy: 'Never' } }),
    });
    const root = await makeCa('Old Root');
    const previous = await makeLeaf(state.spec, current, root);
    await local.store.putCurrent(
      'web',
      'web-r0',
      { 'tls.crt': previous.certificatePem, 'tls.key': current, 'ca.crt': '' },
      {},
    );
    await withRecord(local.inventory, state.spec);

    const out = await sign(state, local);
    assert.equal(await local.store.readPendingKey('web', 'web-r1'), current);
    assert.deepEqual(
      new X509Certificate(out.signed!.certificatePem).publicKey.export({ type: 'spki', format: 'der' }),
      spkiOf(current),
    );
    assert.deepEqual(await eventsOf(), [
      { type: 'Normal', reason: 'Generated', message: 'Reusing the stored private key (rotationPolicy Never)' },
    ]);
    assertNoPrivateKey(out, [current]);
  });

  it("fails when the ca issuer's certificate was never issued, changing no record", async () => {
    const state = signState(CA_ISSUER);
    await withRecord(local.inventory, state.spec);
    const error = await rejectsWith(
      sign(state, local),
      StoreError,
      /^store: the CA certificate "root" of issuer "internal-ca" is not issued yet$/,
    );
    assertTerminal(error);
    assert.deepEqual(await eventsOf(), []);
  });

  it("fails when the ca issuer's certificate is not a CA", async () => {
    await storeRoot({ isCA: false });
    const state = signState(CA_ISSUER);
    await withRecord(local.inventory, state.spec);
    assertTerminal(
      await rejectsWith(
        sign(state, local),
        ValidationError,
        /^issuerRef\.name: the ca issuer's certificate is not a CA \(isCA: false\)$/,
      ),
    );
    assert.deepEqual(await eventsOf(), []);
  });

  it('refuses an ACME issuer or an unknown one before making a key', async () => {
    await rejectsWith(
      sign(signState(ACME_ISSUER), local),
      ValidationError,
      /^issuerRef\.name: issuer "le" is an ACME issuer$/,
    );
    await rejectsWith(
      sign(signState(SELF_SIGNED, { issuer: 'gone' }), local),
      ValidationError,
      /^issuerRef\.name: issuer "gone" is not configured$/,
    );
    assert.equal(await local.store.readPendingKey('web', 'web-r1'), undefined);
  });
});
