/**
 * The Kubernetes Secret writer over real HTTPS, against the local Kubernetes API: what it sends,
 * what it retries in the call, and what it reports, for the queue to decide.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ClusterConnection, KubernetesSecretWriter } from '../../shared/adapters/kubernetes/secret-writer.js';
import { secretManifest } from '../../shared/delivery/manifest.js';
import { DeliveryError, TransientError } from '../../shared/errors.js';
import { KubernetesApi } from '../support/kubernetes-api.js';

const TOKEN = 'k8s-aws-v1.writer-test';
const target = { cluster: 'blue', namespace: 'shop', secretName: 'web-tls' };
const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVERYSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n';
const manifest = (namespace = 'shop') =>
  secretManifest(
    {
      name: 'web',
      revision: 1,
      issuer: 'selfsigned',
      serialNumber: '1a',
      notAfter: '2026-04-01T00:00:00.000Z',
      bundle: { 'tls.crt': 'CERT\n', 'tls.key': KEY, 'ca.crt': 'CA\n' },
    },
    { ...target, namespace },
  );

/** A port that refuses connections: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Class: KubernetesSecretWriter', () => {
  let api: KubernetesApi;
  let connects: string[];
  let forgotten: string[];
  let connection: () => ClusterConnection;
  let writer: KubernetesSecretWriter;

  before(async () => {
    api = await KubernetesApi.start({ tokens: [TOKEN], namespaces: ['shop'] });
  });

  after(() => api.stop());

  beforeEach(() => {
    connects = [];
    forgotten = [];
    api.requests.length = 0;
    connection = () => ({ server: api.url, caPem: api.caPem, token: TOKEN });
    writer = new KubernetesSecretWriter({
      retryDelayMs: 1,
      timeoutMs: 2_000,
      connector: {
        connect: async (cluster) => {
          connects.push(cluster);
          return connection();
        },
        forget: (cluster) => forgotten.push(cluster),
      },
    });
  });

  it('reads no Secret where there is none', async () => {
    assert.equal(await writer.read({ ...target, secretName: 'absent' }), undefined);
  });

  it('applies a Secret and reads it back', async () => {
    await writer.apply(target, manifest());
    const live = await writer.read(target);
    assert.equal(live?.type, 'kubernetes.io/tls');
    assert.equal(live?.metadata.annotations?.['certflow.io/serial-number'], '1a');
  });

  it('sends the bearer token it was given, trusting only the cluster CA', async () => {
    connection = () => ({ server: api.url, caPem: api.caPem, token: 'k8s-aws-v1.other' });
    await assert.rejects(writer.read(target), /answered 401/);
  });

  it('refuses an API server whose certificate the cluster CA did not sign', async () => {
    const other = await KubernetesApi.start({ tokens: [TOKEN], namespaces: ['shop'] });
    try {
      connection = () => ({ server: other.url, caPem: api.caPem, token: TOKEN });
      await assert.rejects(writer.read(target), TransientError);
      assert.equal(other.requests.length, 0);
    } finally {
      await other.stop();
    }
  });

  it('tries a reset connection again on a fresh one', async () => {
    api.inject({ status: 0, times: 1 });
    await writer.apply(target, manifest());
    assert.equal(connects.length, 2);
  });

  it('fails a refused connection at once, as TransientError, and forgets the cluster', async () => {
    const port = await closedPort();
    connection = () => ({ server: `https://127.0.0.1:${port}`, caPem: api.caPem, token: TOKEN });
    await assert.rejects(writer.read(target), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^kubernetes: GET secret shop\/web-tls in cluster "blue" failed: ECONNREFUSED/);
      return true;
    });
    assert.deepEqual([connects.length, forgotten], [1, ['blue']]);
  });

  it('reports 5xx that outlasts its attempts as TransientError', async () => {
    api.inject({ status: 503, times: 3 });
    await assert.rejects(writer.apply(target, manifest()), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /answered 503/);
      return true;
    });
    assert.equal(api.requests.length, 3);
  });

  it('reports 403 as DeliveryError with the API server reason, without retrying', async () => {
    await assert.rejects(
      writer.apply({ ...target, namespace: 'kube-system' }, manifest('kube-system')),
      (error: Error) => {
        assert.ok(error instanceof DeliveryError);
        assert.match(
          error.message,
          /^kubernetes: PATCH secret kube-system\/web-tls in cluster "blue" answered 403: secrets "web-tls" is forbidden/,
        );
        return true;
      },
    );
    assert.equal(api.requests.length, 1);
  });

  it('quotes the API server reason without anything base64-like, such as echoed Secret data', async () => {
    const echoed = manifest().data['tls.key']!;
    api.inject({ status: 422, times: 1, method: 'PATCH', message: `data[tls.key]: Invalid value: "${echoed}"` });
    await assert.rejects(writer.apply(target, manifest()), (error: Error) => {
      assert.ok(error instanceof DeliveryError);
      assert.match(error.message, /answered 422: data\[tls\.key\]: Invalid value: "…"/);
      assert.ok(!error.message.includes(echoed.slice(0, 40)));
      return true;
    });
  });
});
