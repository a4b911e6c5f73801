// @peculiar/x509 2.x needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Pkcs10CertificateRequest, type SubjectAlternativeNameExtension } from '@peculiar/x509';
import { describePrivateKey, generatePrivateKey } from '../../../shared/domain/keys.js';
import { AcmeError, TransientError } from '../../../shared/errors.js';
import { finalize } from '../../../shared/steps/finalize.js';
import type { IssuanceState } from '../../../shared/steps/state.js';
import {
  FakeCa,
  NOW,
  ORDER_URL,
  acmeState,
  assertNoPrivateKey,
  assertTerminal,
  assertTransient,
  gatewayOf,
  localAdapters,
  makeCa,
  makeLeaf,
  rejectsWith,
  spec,
  spkiOf,
  withRecord,
} from './fixtures.js';

const OID_SAN = '2.5.29.17';
const GENERATED = { type: 'Normal', reason: 'Generated', message: 'Stored new private key in temporary Secret' };
const REQUESTED = { type: 'Normal', reason: 'Requested', message: 'Created new CertificateRequest' };

describe('Step: finalize', () => {
  let local: Awaited<ReturnType<typeof localAdapters>>;
  let ca: FakeCa;
  let deps: Parameters<typeof finalize>[1];

  beforeEach(async () => {
    local = await localAdapters();
    ca = new FakeCa();
    ca.setOrder({ status: 'ready' });
    deps = { ...local, acme: gatewayOf(ca).acme };
    await withRecord(local.inventory, acmeState().spec);
  });

  afterEach(() => local.close());

  const eventsOf = async () => (await local.inventory.get('web'))!.events.map(({ time: _t, ...e }) => e);

  /** A current certificate in the store, as an earlier issuance left it. */
  async function storeCurrent(keyPem: string) {
    const root = await makeCa('Test Root');
    const leaf = await makeLeaf(acmeState().spec, keyPem, root);
    await local.store.putCurrent(
      'web',
      'web-r1',
      { 'tls.crt': leaf.certificatePem, 'tls.key': keyPem, 'ca.crt': root.certificatePem },
      {},
    );
  }

  it('makes the key, keeps it as the pending key, and sends the CSR for it', async () => {
    const state = acmeState({ poll: { done: true, attempts: 5, delaySeconds: 3 } });
    const out = await finalize(state, deps);

    const keyPem = await local.store.readPendingKey('web', 'web-r2');
    assert.ok(keyPem, 'the pending key is stored under the issuance');
    assert.deepEqual(describePrivateKey(keyPem), { algorithm: 'ECDSA', size: 256 }, "the spec's default key");
    assert.match(keyPem, /^-----BEGIN EC PRIVATE KEY-----/, 'PKCS1 encoding');

    assert.deepEqual(ca.calls, [`getOrder ${ORDER_URL}`, `finalize ${ORDER_URL}`]);
    const csr = new Pkcs10CertificateRequest(ca.csrs[0]!);
    assert.deepEqual(Buffer.from(csr.publicKey.rawData), spkiOf(keyPem), 'the CSR is for the pending key');
    const san = csr.getExtension(OID_SAN) as SubjectAlternativeNameExtension | null;
    assert.deepEqual(
      san?.names.toJSON().map((n) => n.value),
      ['web.example.com', 'api.example.org', 'reused.example.com'],
    );

    const { poll: _poll, ...rest } = state;
    assert.deepEqual(out, { ...rest, poll: { done: false, attempts: 1, delaySeconds: 2 } }, 'a fresh poll');
    assert.deepEqual(await eventsOf(), [GENERATED, REQUESTED]);
    const times = (await local.inventory.get('web'))!.events.map((e) => e.time);
    assert.deepEqual(times, [NOW.toISOString(), NOW.toISOString()]);
    assertNoPrivateKey(out, [keyPem]);
  });

  it('is done at once when the CA issues on finalize', async () => {
    ca.finalizeTo = 'valid';
    const out = await finalize(acmeState(), deps);
    assert.deepEqual(out.poll, { done: true, attempts: 1, delaySeconds: 2 });
  });

  it('reuses the current key under rotationPolicy Never, when it still fits the spec', async () => {
    const current = await generatePrivateKey({
      algorithm: 'ECDSA',
      size: 256,
      encoding: 'PKCS1',
      rotationPolicy: 'Never',
    });
    await storeCurrent(current);
    const never = spec({
      dnsNames: ['web.example.com', 'api.example.org', 'reused.example.com'],
      privateKey: { rotationPolicy: 'Never' },
    });
    const out = await finalize(acmeState({ spec: never }), deps);
    assert.equal(await local.store.readPendingKey('web', 'web-r2'), current);
    assert.deepEqual(Buffer.from(new Pkcs10CertificateRequest(ca.csrs[0]!).publicKey.rawData), spkiOf(current));
    assert.deepEqual(await eventsOf(), [
      { type: 'Normal', reason: 'Generated', message: 'Reusing the stored private key (rotationPolicy Never)' },
      REQUESTED,
    ]);
    assertNoPrivateKey(out, [current]);
  });

  it('makes a new key under rotationPolicy Never when the spec asks for another algorithm', async () => {
    const current = await generatePrivateKey({
      algorithm: 'ECDSA',
      size: 256,
      encoding: 'PKCS1',
      rotationPolicy: 'Never',
    });
    await storeCurrent(current);
    const rsa = spec({
      dnsNames: ['web.example.com'],
      privateKey: { rotationPolicy: 'Never', algorithm: 'RSA', size: 2048 },
    });
    await finalize(acmeState({ spec: rsa }), deps);
    const keyPem = (await local.store.readPendingKey('web', 'web-r2'))!;
    assert.notEqual(keyPem, current);
    assert.deepEqual(describePrivateKey(keyPem), { algorithm: 'RSA', size: 2048 });
    assert.deepEqual(await eventsOf(), [GENERATED, REQUESTED]);
  });

  for (const [status, done] of [
    ['processing', false],
    ['valid', true],
  ] as const) {
    it(`leaves an order the CA already finalized (${status}) as it is when re-run`, async () => {
      await finalize(acmeState(), deps);
      const keyPem = await local.store.readPendingKey('web', 'web-r2');
      const events = await eventsOf();
      ca.setOrder({ status });
      ca.calls.length = 0;
      const out = await finalize(acmeState({ poll: { done: false, attempts: 9, delaySeconds: 2 } }), deps);
      assert.deepEqual(out.poll, { done, attempts: 1, delaySeconds: 2 });
      assert.deepEqual(ca.calls, [`getOrder ${ORDER_URL}`], 'no second finalize');
      assert.equal(await local.store.readPendingKey('web', 'web-r2'), keyPem, 'the key sent stays the pending key');
      assert.deepEqual(await eventsOf(), events, 'no new events');
    });
  }

  it('refuses an order that is not ready, with the CA’s reason, writing nothing', async () => {
    ca.setOrder({
      status: 'invalid',
      error: { type: 'urn:ietf:params:acme:error:unauthorized', detail: 'authorization for api.example.org failed' },
    });
    const error = await rejectsWith(
      finalize(acmeState(), deps),
      AcmeError,
      /^acme: cannot finalize the order of "web": authorization for api\.example\.org failed$/,
    );
    assert.equal(error.problemType, 'urn:ietf:params:acme:error:unauthorized');
    assertTerminal(error);

    ca.setOrder({ status: 'pending', error: undefined });
    await rejectsWith(
      finalize(acmeState(), deps),
      AcmeError,
      /^acme: cannot finalize the order of "web": order is pending, not ready$/,
    );
    assert.equal(await local.store.readPendingKey('web', 'web-r2'), undefined);
    assert.deepEqual(await eventsOf(), []);
  });

  it('has written the pending key before the CA refuses the CSR (Cleanup discards it)', async () => {
    const refusal = new AcmeError('acme: badCSR: key too weak', 'urn:ietf:params:acme:error:badCSR');
    ca.finalize = async () => {
      throw refusal;
    };
    assert.equal(await rejectsWith(finalize(acmeState(), deps), AcmeError, /key too weak/), refusal);
    assert.ok(await local.store.readPendingKey('web', 'web-r2'));
    assert.deepEqual(await eventsOf(), [], 'no events for a request the CA refused');
  });

  it("passes the gateway's transient error through", async () => {
    ca.finalize = async () => {
      throw new TransientError('acme: POST finalize: HTTP 503');
    };
    assertTransient(await rejectsWith(finalize(acmeState(), deps), TransientError, /HTTP 503/));
  });

  it('refuses a state with no order', async () => {
    const state: IssuanceState = acmeState({ acme: undefined });
    await rejectsWith(finalize(state, deps), AcmeError, /^acme: no order to finalize for "web"$/);
    assert.deepEqual(ca.calls, []);
  });
});
