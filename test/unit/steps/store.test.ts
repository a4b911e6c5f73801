import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { READY_MESSAGE, issuing } from '../../../shared/certificates/status.js';
import { splitPemChain } from '../../../shared/domain/certificate-info.js';
import { generatePrivateKey } from '../../../shared/domain/keys.js';
import { getCondition } from '../../../shared/domain/status.js';
import { AcmeError, StoreError, TransientError } from '../../../shared/errors.js';
import { updateRecord } from '../../../shared/inventory/records.js';
import { store } from '../../../shared/steps/store.js';
import type { IssuanceState } from '../../../shared/steps/state.js';
import {
  ACCOUNT_URL,
  FakeCa,
  NOW,
  ORDER_URL,
  acmeState,
  assertNoPrivateKey,
  assertTerminal,
  assertTransient,
  clock,
  gatewayOf,
  localAdapters,
  makeCa,
  makeLeaf,
  rejectsWith,
  signState,
  SELF_SIGNED,
  spec,
} from './fixtures.js';

const DAY = 24 * 3_600_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
const KEY_SPEC = { algorithm: 'ECDSA', size: 256, encoding: 'PKCS1', rotationPolicy: 'Always' } as const;

describe('Step: store', () => {
  let local: Awaited<ReturnType<typeof localAdapters>>;
  let ca: FakeCa;
  let opened: string[];
  let deps: Parameters<typeof store>[1];
  let keyPem: string;
  let state: IssuanceState;
  let root: { certificatePem: string; keyPem: string };
  let intermediate: { certificatePem: string; keyPem: string };

  beforeEach(async () => {
    local = await localAdapters();
    ca = new FakeCa();
    const gateway = gatewayOf(ca);
    deps = { ...local, acme: gateway.acme };
    opened = gateway.opened;
    state = acmeState({ revision: 1, issuanceId: 'web-r1', generation: at(-3) });
    await local.inventory.put(
      {
        name: 'web',
        spec: state.spec,
        revision: 1,
        version: 1,
        status: { conditions: [], failedIssuanceAttempts: 2, nextAttemptTime: at(-1) },
        events: [],
        createdAt: at(-3),
        updatedAt: at(-3),
      },
      0,
    );
    await updateRecord(local.inventory, clock, 'web', (record, now) =>
      issuing(record, { issuanceId: 'web-r1', issuer: 'le', reason: 'Issuing', message: 'Issuing certificate' }, now),
    );
    keyPem = await generatePrivateKey(KEY_SPEC);
    await local.store.putPendingKey('web', 'web-r1', keyPem);
    root = await makeCa('Test Root X2');
    intermediate = await makeCa('Test Intermediate', root);
    const leaf = await makeLeaf(state.spec, keyPem, intermediate);
    ca.setOrder({ status: 'valid', certificate: 'https://ca.test/cert/1' });
    ca.chainPem = leaf.certificatePem + intermediate.certificatePem;
  });

  afterEach(() => local.close());

  const secretArn = () => `file://${join(local.dir, 'certificates', 'web')}`;

  it("ACME: downloads the issuer's preferred chain, stores it with the pending key, and marks the certificate Ready", async () => {
    const out = await store(state, deps);

    assert.deepEqual(out, {
      ...state,
      result: {
        serialNumber: 'a1b2c3d',
        notBefore: NOW.toISOString(),
        notAfter: at(90),
        secretArn: secretArn(),
        versionId: '0001',
        renewalTime: at(60),
      },
    });
    assert.deepEqual(opened, [`le ${ACCOUNT_URL}`]);
    assert.deepEqual(ca.calls, [
      `getOrder ${ORDER_URL}`,
      `downloadCertificate ${ORDER_URL} Test Root X2`,
      'renewalInfo',
    ]);

    const current = (await local.store.readCurrent('web'))!;
    assert.equal(current['tls.crt'], ca.chainPem, 'leaf and chain as the CA sent them');
    assert.equal(current['tls.key'], keyPem, 'the pending key');
    assert.equal(current['ca.crt'], splitPemChain(intermediate.certificatePem)[0], 'the top of the chain sent');
    const tags = JSON.parse(await readFile(join(local.dir, 'certificates/web/versions/0001/tags.json'), 'utf8'));
    assert.deepEqual(tags, {
      'certflow:certificate': 'web',
      'certflow:notAfter': at(90),
      'certflow:serialNumber': 'a1b2c3d',
      'certflow:issuer': 'le',
    });

    const record = (await local.inventory.get('web'))!;
    assert.deepEqual(getCondition(record.status.conditions, 'Ready'), {
      type: 'Ready',
      status: 'True',
      reason: 'Ready',
      message: READY_MESSAGE,
      lastTransitionTime: NOW.toISOString(),
    });
    assert.equal(getCondition(record.status.conditions, 'Issuing'), undefined);
    const { conditions: _c, lastIssuanceId: _l, ...status } = record.status;
    assert.deepEqual(status, {
      notBefore: NOW.toISOString(),
      notAfter: at(90),
      renewalTime: at(60),
      serialNumber: 'a1b2c3d',
      secretArn: secretArn(),
      revision: 1,
      failedIssuanceAttempts: 0,
      nextAttemptTime: undefined,
      renewalInfo: undefined,
    });
    assert.deepEqual(record.events.at(-1), {
      time: NOW.toISOString(),
      type: 'Normal',
      reason: 'Issued',
      message: 'The certificate has been successfully issued',
    });
    assertNoPrivateKey(out, [keyPem]);
  });

  it("ACME: renews inside the CA's ARI window and keeps its answer", async () => {
    ca.renewal = async () => ({
      certificateId: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
      url: 'https://ca.test/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
      windowStart: new Date(at(-2)),
      windowEnd: new Date(at(-1)),
      retryAfterSeconds: 21_600,
      explanationUrl: 'https://ca.test/incident/1',
    });
    const out = await store(state, deps);
    assert.equal(out.result!.renewalTime, NOW.toISOString(), 'a window already over means now');
    const record = (await local.inventory.get('web'))!;
    assert.equal(record.status.renewalTime, NOW.toISOString());
    assert.deepEqual(record.status.renewalInfo, {
      certificateId: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
      url: 'https://ca.test/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
      windowStart: at(-2),
      windowEnd: at(-1),
      checkAfter: new Date(NOW.getTime() + 6 * 3_600_000).toISOString(),
      explanationUrl: 'https://ca.test/incident/1',
    });

    ca.renewal = async () => ({
      certificateId: 'id',
      url: 'https://ca.test/renewal-info/id',
      windowStart: new Date(at(40)),
      windowEnd: new Date(at(42)),
    });
    await local.store.putPendingKey('web', 'web-r1b', keyPem);
    await updateRecord(local.inventory, clock, 'web', (record, now) =>
      issuing(record, { issuanceId: 'web-r1b', issuer: 'le', reason: 'Renewing', message: 'Renewing' }, now),
    );
    const later = await store({ ...state, issuanceId: 'web-r1b' }, deps);
    const renewAt = Date.parse(later.result!.renewalTime);
    assert.ok(renewAt >= Date.parse(at(40)) && renewAt < Date.parse(at(42)), later.result!.renewalTime);
  });

  it('ACME: renews by the spec when the CA cannot answer ARI', async () => {
    ca.renewal = async () => {
      throw new TransientError('acme: GET renewalInfo: HTTP 500');
    };
    const out = await store(state, deps);
    assert.equal(out.result!.renewalTime, at(60));
    assert.equal((await local.inventory.get('web'))!.status.renewalInfo, undefined);
  });

  it('selfSigned/ca: stores what Sign made, without asking any CA, renewing by the spec', async () => {
    const signed = signState(SELF_SIGNED, {
      spec: spec({ issuerRef: { name: 'self' }, dnsNames: ['web.internal'], renewBefore: '240h' }),
    });
    const leaf = await makeLeaf(signed.spec, keyPem, root, '7f');
    const out = await store(
      { ...signed, signed: { certificatePem: leaf.certificatePem, caPem: root.certificatePem } },
      deps,
    );
    assert.deepEqual(out.result, {
      serialNumber: '7f',
      notBefore: NOW.toISOString(),
      notAfter: at(90),
      secretArn: secretArn(),
      versionId: '0001',
      renewalTime: at(80),
    });
    assert.deepEqual(opened, []);
    assert.deepEqual(ca.calls, []);
    const current = (await local.store.readCurrent('web'))!;
    assert.equal(current['tls.crt'], leaf.certificatePem);
    assert.equal(current['ca.crt'], root.certificatePem);
    assertNoPrivateKey(out, [keyPem]);
  });

  it('writes one version and one status when re-run for the same issuance', async () => {
    const first = await store(state, deps);
    const record = (await local.inventory.get('web'))!;
    const again = await store(state, deps);
    assert.deepEqual(again, first);
    assert.deepEqual(await local.store.listVersions('web'), ['0001']);
    const after = (await local.inventory.get('web'))!;
    assert.equal(after.version, record.version, 'no second write');
    assert.equal(after.events.length, record.events.length);
  });

  it('refuses an order that is not valid, storing nothing', async () => {
    ca.setOrder({ status: 'processing' });
    assertTerminal(
      await rejectsWith(store(state, deps), AcmeError, /^acme: the order of "web" is processing, not valid$/),
    );
    assert.equal(await local.store.readCurrent('web'), undefined);
  });

  it('refuses an answer holding no certificate', async () => {
    ca.chainPem = 'not a certificate';
    await rejectsWith(store(state, deps), AcmeError, /^acme: the CA returned no certificate for "web"$/);
    assert.equal(await local.store.readCurrent('web'), undefined);
  });

  it('fails when the pending key is gone, or does not belong to the certificate, storing nothing', async () => {
    const missing = await rejectsWith(
      store({ ...state, issuanceId: 'web-r9' }, deps),
      StoreError,
      /^store: the private key of issuance web-r9 is missing$/,
    );
    assertTerminal(missing);
    await local.store.putPendingKey('web', 'web-r1', await generatePrivateKey(KEY_SPEC));
    assertTerminal(
      await rejectsWith(
        store(state, deps),
        StoreError,
        /^store: the certificate from the CA does not match the private key of "web"$/,
      ),
    );
    assert.equal(await local.store.readCurrent('web'), undefined);
    assert.equal(getCondition((await local.inventory.get('web'))!.status.conditions, 'Ready'), undefined);
  });

  /** Store's answer for an issuance that lost its certificate: quiet, nothing written. */
  async function assertSuperseded(before: unknown) {
    const out = await store(state, deps);
    assert.equal(out.ended, 'superseded');
    assert.equal(out.result, undefined);
    assert.equal(await local.store.readCurrent('web'), undefined, 'no secret version written');
    assert.deepEqual(await local.inventory.get('web'), before, 'the record is untouched');
  }

  it('ends quietly as superseded when the spec changed meanwhile (a newer revision)', async () => {
    await updateRecord(local.inventory, clock, 'web', (record) => ({ ...record, revision: 2 }));
    await assertSuperseded(await local.inventory.get('web'));
  });

  it('ends quietly when another issuance took the lease (a newer revision preempted it)', async () => {
    await updateRecord(local.inventory, clock, 'web', (record, now) =>
      issuing(
        { ...record, revision: 2 },
        { issuanceId: 'web-r2', issuer: 'le', reason: 'SpecChanged', message: 'spec changed' },
        now,
      ),
    );
    // Same revision number as the state, to tell the lease check from the revision check.
    state = { ...state, revision: 2 };
    await assertSuperseded(await local.inventory.get('web'));
  });

  it('ends quietly when the certificate was deleted, or deleted and applied again (another generation)', async () => {
    const record = (await local.inventory.get('web'))!;
    await local.inventory.delete('web', record.version);
    const out = await store(state, deps);
    assert.equal(out.ended, 'superseded');
    assert.equal(await local.store.readCurrent('web'), undefined);

    // Re-created: revision 1 again, even the same lease id, but created later.
    await local.inventory.put({ ...record, version: 1, createdAt: at(-1) }, 0);
    await assertSuperseded(await local.inventory.get('web'));
  });

  it('an execution started before leases existed (no generation, no lease) still stores its certificate', async () => {
    await updateRecord(local.inventory, clock, 'web', (record) => ({
      ...record,
      status: { ...record.status, issuance: undefined },
    }));
    const { generation: _, ...old } = state;
    const out = await store(old, deps);
    assert.equal(out.result?.serialNumber, 'a1b2c3d');
  });

  it('a certificate stored releases the lease; a re-run Store still answers the same result', async () => {
    const first = await store(state, deps);
    const record = (await local.inventory.get('web'))!;
    assert.equal(record.status.issuance, undefined, 'lease released');
    assert.deepEqual(await store(state, deps), first);
  });

  it("passes the gateway's transient error through", async () => {
    ca.downloadCertificate = async () => {
      throw new TransientError('acme: GET certificate: ECONNRESET');
    };
    assertTransient(await rejectsWith(store(state, deps), TransientError, /ECONNRESET/));
  });
});
