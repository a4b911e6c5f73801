/**
 * The sync handler (functions/sync.ts) end to end, against local HTTPS endpoints that speak the
 * Kubernetes Secret calls (test/support/kubernetes-api.ts), driven the way SQS and Lambda's event
 * source mapping would drive it (test/support/sqs-simulator.ts). Only the EKS look-up is replaced:
 * each cluster name leads to one local API server and its token.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { handler } from '../../functions/sync.js';
import { KubernetesSecretWriter } from '../../shared/adapters/kubernetes/secret-writer.js';
import { parseCertificate } from '../../shared/domain/certificate-info.js';
import type { DeliveryTarget, SecretTemplate } from '../../shared/domain/spec.js';
import { getCondition } from '../../shared/domain/status.js';
import { validateSpec } from '../../shared/domain/validate-spec.js';
import { DeliveryError } from '../../shared/errors.js';
import { applySpec, getRecord, updateRecord } from '../../shared/inventory/records.js';
import { systemClock } from '../../shared/ports/clock.js';
import { signCertificate } from '../../shared/issuers/x509/sign-certificate.js';
import { setDependencies } from '../../shared/wiring/index.js';
import { type LocalDependencies, localDependencies } from '../../shared/local/dependencies.js';
import { captureOutput } from '../../scripts/rigs/capture-output.js';
import { assertNoKeyMaterial } from '../support/key-material.js';
import { KubernetesApi } from '../support/kubernetes-api.js';
import { SqsSimulator } from '../support/sqs-simulator.js';

const TOKEN = 'k8s-aws-v1.local-test-token';
const nsList = (n: number) => Array.from({ length: n }, (_, i) => `ns${i}`);

describe('Integration: EKS delivery through the sync handler', () => {
  let blue: KubernetesApi;
  let green: KubernetesApi;
  let red: KubernetesApi;
  let dir: string;
  let local: LocalDependencies;
  let writer: KubernetesSecretWriter;
  let output: ReturnType<typeof captureOutput>;
  const keys: string[] = [];
  const queueBodies: string[] = [];

  before(async () => {
    [blue, green, red] = await Promise.all([
      KubernetesApi.start({ tokens: [TOKEN], namespaces: ['shop', ...nsList(10)] }),
      KubernetesApi.start({ tokens: [TOKEN], namespaces: nsList(9) }),
      KubernetesApi.start({ tokens: [TOKEN], namespaces: ['shop'] }),
    ]);
    const clusters: Record<string, { api: KubernetesApi; token: string }> = {
      blue: { api: blue, token: TOKEN },
      green: { api: green, token: TOKEN },
      red: { api: red, token: TOKEN },
      stale: { api: blue, token: 'k8s-aws-v1.expired' },
    };
    writer = new KubernetesSecretWriter({
      retryDelayMs: 1,
      timeoutMs: 2_000,
      connector: {
        async connect(cluster) {
          const c = clusters[cluster];
          if (!c) throw new DeliveryError(`eks: cluster "${cluster}" does not exist in this region`);
          return { server: c.api.url, caPem: c.api.caPem, token: c.token };
        },
      },
    });
    dir = await mkdtemp(join(tmpdir(), 'certflow-sync-'));
    local = localDependencies({ dir, issuers: [] });
    output = captureOutput();
  });

  after(async () => {
    output.restore();
    setDependencies(undefined);
    await Promise.all([blue.stop(), green.stop(), red.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh queue whose messages the handler processes; every body is kept for the key check. */
  function queue(): SqsSimulator {
    const sqs = new SqsSimulator();
    setDependencies({ ...local, clusterSecrets: writer, deliveryQueue: sqs });
    return sqs;
  }
  async function drain(sqs: SqsSimulator): Promise<number> {
    const invocations = await sqs.drain(handler);
    queueBodies.push(...sqs.received.map((r) => r.body), ...sqs.deadLetters);
    return invocations;
  }

  /** Issues (or renews) `name` as Store would: the secret, then the record. Returns the event. */
  async function issue(name: string, targets: DeliveryTarget[], secretTemplate?: SecretTemplate) {
    const spec = validateSpec({
      name,
      issuerRef: { name: 'selfsigned' },
      dnsNames: [`${name}.example.com`],
      targets,
      ...(secretTemplate ? { secretTemplate } : {}),
    });
    const { record } = await applySpec(local.inventory, systemClock, spec);
    const keyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    keys.push(keyPem);
    const signed = await signCertificate({ spec, keyPem, signer: 'self', now: new Date() });
    const info = parseCertificate(signed.certificatePem);
    const { secretArn } = await local.store.putCurrent(
      name,
      randomUUID(),
      { 'tls.crt': signed.certificatePem, 'tls.key': keyPem, 'ca.crt': signed.certificatePem },
      {},
    );
    await updateRecord(local.inventory, systemClock, name, (r) => ({
      ...r,
      status: {
        ...r.status,
        serialNumber: info.serialNumber,
        notAfter: info.notAfter,
        revision: r.revision,
        secretArn,
      },
    }));
    const detail = {
      name,
      revision: record.revision,
      issuer: 'selfsigned',
      serialNumber: info.serialNumber,
      secretArn,
    };
    return {
      info,
      keyPem,
      certificatePem: signed.certificatePem,
      event: { version: '0', id: randomUUID(), 'detail-type': 'Certificate Issued', source: 'certflow', detail },
    };
  }

  describe('one target', () => {
    const target = { cluster: 'blue', namespace: 'shop', secretName: 'web-tls' };
    const template = { labels: { team: 'shop' }, annotations: { 'example.com/owner': 'ops' } };
    let issued: Awaited<ReturnType<typeof issue>>;

    before(async () => {
      issued = await issue('web', [target], template);
      const sqs = queue();
      sqs.enqueue(issued.event);
      await drain(sqs);
    });

    it('creates a kubernetes.io/tls Secret with the certificate, the key and the CA', () => {
      const secret = blue.secret('shop', 'web-tls')!;
      const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
      assert.equal(secret.type, 'kubernetes.io/tls');
      assert.equal(decode(secret.data['tls.crt']), issued.certificatePem);
      assert.equal(decode(secret.data['tls.key']), issued.keyPem);
      assert.equal(decode(secret.data['ca.crt']), issued.certificatePem);
    });

    it('writes the template and certflow annotations, with the serial number of the certificate', () => {
      const { labels, annotations } = blue.secret('shop', 'web-tls')!.metadata;
      assert.equal(labels.team, 'shop');
      assert.equal(annotations['example.com/owner'], 'ops');
      assert.equal(annotations['certflow.io/certificate-name'], 'web');
      assert.equal(annotations['certflow.io/serial-number'], issued.info.serialNumber);
      assert.equal(annotations['certflow.io/not-after'], issued.info.notAfter);
      assert.equal(annotations['certflow.io/issuer-name'], 'selfsigned');
    });

    it('applies server-side as field manager certflow, with force', () => {
      const patch = blue.requests.find((r) => r.method === 'PATCH' && r.name === 'web-tls')!;
      assert.equal(patch.contentType, 'application/apply-patch+yaml');
      assert.equal(patch.fieldManager, 'certflow');
      assert.equal(patch.force, true);
      assert.deepEqual(blue.owners('shop', 'web-tls')['.metadata.labels.team'], ['certflow']);
    });

    it('records the target and Synced=True in the inventory', async () => {
      const record = await getRecord(local.inventory, 'web');
      assert.equal(getCondition(record.status.conditions, 'Synced')?.status, 'True');
      assert.deepEqual(
        record.status.delivery?.map((e) => [e.cluster, e.namespace, e.secretName, e.serialNumber, e.lastError]),
        [['blue', 'shop', 'web-tls', issued.info.serialNumber, undefined]],
      );
    });

    it('does not rewrite a Secret that is already at the current revision', async () => {
      const before = blue.requests.length;
      const sqs = queue();
      sqs.enqueue(issued.event);
      await drain(sqs);
      assert.deepEqual(
        blue.requests.slice(before).map((r) => r.method),
        ['GET'],
      );
    });

    it("reverts a third party's change to a template label and keeps a label it added itself", async () => {
      blue.applyAs(
        'kubectl',
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'web-tls', namespace: 'shop', labels: { team: 'hijacked', 'added-by': 'ops' } },
        },
        { force: true },
      );
      const sqs = queue();
      sqs.enqueue({ kind: 'certificate', name: 'web' });
      await drain(sqs);
      const { labels } = blue.secret('shop', 'web-tls')!.metadata;
      assert.equal(labels.team, 'shop');
      assert.equal(labels['added-by'], 'ops');
      const owners = blue.owners('shop', 'web-tls');
      assert.deepEqual(
        [owners['.metadata.labels.team'], owners['.metadata.labels.added-by']],
        [['certflow'], ['kubectl']],
      );
    });

    it('puts the renewed certificate in place', async () => {
      const renewed = await issue('web', [target], template);
      const sqs = queue();
      sqs.enqueue({ ...renewed.event, 'detail-type': 'Certificate Renewed' });
      await drain(sqs);
      const { annotations } = blue.secret('shop', 'web-tls')!.metadata;
      assert.notEqual(renewed.info.serialNumber, issued.info.serialNumber);
      assert.equal(annotations['certflow.io/serial-number'], renewed.info.serialNumber);
    });
  });

  describe('failures', () => {
    beforeEach(() => {
      blue.requests.length = 0;
    });

    it('retries 409 and 429 answers within the invocation', async () => {
      const { event } = await issue('flaky', [{ cluster: 'blue', namespace: 'ns0', secretName: 'flaky-tls' }]);
      blue.inject({ status: 409, times: 1, method: 'PATCH' });
      blue.inject({ status: 429, times: 1, method: 'PATCH', retryAfterSeconds: 0 });
      const sqs = queue();
      sqs.enqueue(event);
      assert.equal(await drain(sqs), 1, 'one invocation');
      assert.ok(blue.secret('ns0', 'flaky-tls'), 'the Secret exists');
      assert.deepEqual(
        blue.requests.filter((r) => r.method === 'PATCH').map((r) => r.status),
        [409, 429, 201],
      );
    });

    it('retries 500 answers, then once more from the queue, and delivers', async () => {
      const { event } = await issue('faulty', [{ cluster: 'blue', namespace: 'ns0', secretName: 'faulty-tls' }]);
      blue.inject({ status: 500, times: 3, method: 'PATCH' });
      const sqs = queue();
      sqs.enqueue(event);
      assert.equal(await drain(sqs), 2, 'the target came back once');
      assert.ok(blue.secret('ns0', 'faulty-tls'), 'the Secret exists');
      assert.deepEqual(
        blue.requests.filter((r) => r.method === 'PATCH').map((r) => r.status),
        [500, 500, 500, 201],
      );
      assert.deepEqual(sqs.deadLetters, []);
      assert.equal(
        getCondition((await getRecord(local.inventory, 'faulty')).status.conditions, 'Synced')?.status,
        'True',
      );
    });

    it('dead-letters a target answered 401 at once, without retrying, and says why', async () => {
      const { event } = await issue('stale', [{ cluster: 'stale', namespace: 'shop', secretName: 'stale-tls' }]);
      const sqs = queue();
      sqs.enqueue(event);
      await drain(sqs);
      assert.equal(blue.requests.length, 1, 'one request, answered 401');
      assert.equal(sqs.deadLetters.length, 1);
      const letter = JSON.parse(sqs.deadLetters[0]!);
      assert.deepEqual(letter.target, { cluster: 'stale', namespace: 'shop', secretName: 'stale-tls' });
      assert.match(letter.error, /answered 401/);
      const synced = getCondition((await getRecord(local.inventory, 'stale')).status.conditions, 'Synced')!;
      assert.equal(synced.reason, 'SyncFailed');
      assert.match(synced.message, /stale\/shop\/stale-tls: kubernetes: GET secret .* answered 401/);
    });

    it('dead-letters a target answered 403 at once, without retrying', async () => {
      const { event } = await issue('outside', [{ cluster: 'blue', namespace: 'kube-system', secretName: 'x-tls' }]);
      const sqs = queue();
      sqs.enqueue(event);
      await drain(sqs);
      assert.deepEqual(
        blue.requests.map((r) => r.status),
        [403],
      );
      assert.match(JSON.parse(sqs.deadLetters[0]!).error, /answered 403: secrets "x-tls" is forbidden/);
    });

    it('delivers 19 of 20 targets at once, retries the one whose cluster fails, then dead-letters it', async () => {
      const targets = [
        ...nsList(10).map((namespace) => ({ cluster: 'blue', namespace, secretName: 'fan-tls' })),
        ...nsList(9).map((namespace) => ({ cluster: 'green', namespace, secretName: 'fan-tls' })),
        { cluster: 'red', namespace: 'shop', secretName: 'fan-tls' },
      ];
      const { event } = await issue('fan', targets);
      red.inject({ status: 500, times: Infinity });
      const sqs = queue();
      sqs.enqueue(event);

      await sqs.deliverBatch(handler);
      const delivered = () => [...blue.secretNames(), ...green.secretNames()].filter((n) => n.endsWith('/fan-tls'));
      assert.equal(delivered().length, 19, 'nineteen Secrets after the first invocation');

      await drain(sqs);
      assert.equal(delivered().length, 19);
      assert.equal(red.secret('shop', 'fan-tls'), undefined);
      const retries = sqs.received.filter((r) => JSON.parse(r.body).kind === 'target');
      assert.deepEqual(
        retries.map((r) => r.receiveCount),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(
        sqs.deadLetters.map((b) => JSON.parse(b)),
        [{ kind: 'target', name: 'fan', target: { cluster: 'red', namespace: 'shop', secretName: 'fan-tls' } }],
      );

      const record = await getRecord(local.inventory, 'fan');
      const synced = getCondition(record.status.conditions, 'Synced')!;
      assert.equal(synced.status, 'False');
      assert.match(synced.message, /^Failed to deliver to 1 of 20 targets: red\/shop\/fan-tls: kubernetes: .* 500/);
      assert.equal(record.status.delivery?.filter((e) => e.syncedAt && !e.lastError).length, 19);
    });
  });

  describe('retries in one batch', () => {
    it('redelivers only the failing target when a batch holds two targets of one certificate', async () => {
      const ok = { cluster: 'blue', namespace: 'ns2', secretName: 'pair-tls' };
      const down = { cluster: 'red', namespace: 'shop', secretName: 'pair-tls' };
      await issue('pair', [ok, down]);
      red.inject({ status: 503, times: Infinity });
      const sqs = queue();
      await sqs.send([
        { kind: 'target', name: 'pair', target: ok },
        { kind: 'target', name: 'pair', target: down },
      ]);
      await drain(sqs);
      assert.ok(blue.secret('ns2', 'pair-tls'));
      const receives = (t: typeof ok) =>
        sqs.received.filter((r) => JSON.parse(r.body).target?.cluster === t.cluster).length;
      assert.deepEqual([receives(ok), receives(down)], [1, 5]);
      assert.deepEqual(
        sqs.deadLetters.map((b) => JSON.parse(b).target),
        [down],
      );
    });

    it('lets SQS dead-letter a damaged message after its receives', async () => {
      const sqs = queue();
      sqs.enqueue({ kind: 'mystery' });
      await drain(sqs);
      assert.equal(sqs.received.length, 5);
      assert.deepEqual(sqs.deadLetters, ['{"kind":"mystery"}']);
    });
  });

  describe('reconcile', () => {
    it('walks the inventory page by page and delivers every certificate that has targets', async () => {
      for (let i = 0; i < 101; i++) {
        await applySpec(
          local.inventory,
          systemClock,
          validateSpec({
            name: `plain-${String(i).padStart(3, '0')}`,
            issuerRef: { name: 'x' },
            dnsNames: ['a.example.com'],
          }),
        );
      }
      await issue('zz-late', [{ cluster: 'green', namespace: 'ns1', secretName: 'late-tls' }]);
      const sqs = queue();
      sqs.enqueue({ kind: 'reconcile' });
      await drain(sqs);
      const kinds = sqs.received.map((r) => JSON.parse(r.body) as { kind: string; name?: string });
      assert.equal(kinds.filter((k) => k.kind === 'reconcile').length, 2, 'two pages');
      assert.ok(kinds.some((k) => k.kind === 'certificate' && k.name === 'zz-late'));
      assert.ok(green.secret('ns1', 'late-tls'));
    });
  });

  describe('secrecy', () => {
    it('writes no key material to the logs, the queue or the inventory', async () => {
      assert.ok(keys.length > 0 && output.text().includes('sync: secret applied'), 'the sync logged its work');
      const inventory = JSON.stringify((await local.inventory.list({ limit: 1000 })).items);
      const haystacks = { logs: output.text(), queue: queueBodies.join('\n'), inventory };
      assertNoKeyMaterial(haystacks, keys);
      for (const [where, text] of Object.entries(haystacks)) {
        assert.ok(!text.includes('PRIVATE KEY'), `${where} holds a PEM key`);
      }
    });
  });
});
