/**
 * The local Kubernetes API of test/support/kubernetes-api.ts, checked on the rules the sync's
 * tests rely on: server-side apply's field ownership, the patch type, and authentication.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { KubernetesApi } from '../support/kubernetes-api.js';

const TOKEN = 'k8s-aws-v1.local-test-token';
const PATH = '/api/v1/namespaces/shop/secrets/web-tls';
const secret = (labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'web-tls', namespace: 'shop', labels },
});

describe('Support: the local Kubernetes API', () => {
  let api: KubernetesApi;

  before(async () => {
    api = await KubernetesApi.start({ tokens: [TOKEN], namespaces: ['shop'] });
    api.applyAs('certflow', { ...secret({ team: 'shop', tier: 'web' }), type: 'kubernetes.io/tls' }, { force: true });
  });

  after(() => api.stop());

  function send(options: { method: string; path?: string; headers?: Record<string, string>; body?: unknown }) {
    return new Promise<{ status: number; body: any }>((resolve, reject) => {
      const url = new URL(options.path ?? PATH, api.url);
      const req = request(url, { method: options.method, ca: api.caPem, headers: options.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
    });
  }

  const apply = (manager: string, labels: Record<string, string>, force: boolean, contentType?: string) =>
    send({
      method: 'PATCH',
      path: `${PATH}?fieldManager=${manager}${force ? '&force=true' : ''}`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType ?? 'application/apply-patch+yaml' },
      body: secret(labels),
    });

  it('answers 409 to an apply that changes a field another manager owns, without force', async () => {
    const answer = await apply('intruder', { team: 'other' }, false);
    assert.equal(answer.status, 409);
    assert.match(answer.body.message, /conflict with "certflow": \.metadata\.labels\.team/);
    assert.equal(api.secret('shop', 'web-tls')!.metadata.labels.team, 'shop');
  });

  it('shares a field when an apply sets the value it already has', async () => {
    assert.equal((await apply('agreeing', { team: 'shop' }, false)).status, 200);
    assert.deepEqual(api.owners('shop', 'web-tls')['.metadata.labels.team'], ['agreeing', 'certflow']);
  });

  it('moves a conflicting field to the applier with force', async () => {
    assert.equal((await apply('intruder', { tier: 'db' }, true)).status, 200);
    assert.equal(api.secret('shop', 'web-tls')!.metadata.labels.tier, 'db');
    assert.deepEqual(api.owners('shop', 'web-tls')['.metadata.labels.tier'], ['intruder']);
  });

  it('drops a field its applier stops sending, but keeps one another manager still owns', async () => {
    // "agreeing" shares `team` with certflow; "intruder" alone owns `tier`.
    assert.equal((await apply('agreeing', {}, false)).status, 200);
    assert.equal((await apply('intruder', {}, false)).status, 200);
    const { labels } = api.secret('shop', 'web-tls')!.metadata;
    assert.deepEqual(labels, { team: 'shop' });
  });

  it('answers 415 to a patch that is not apply-patch+yaml', async () => {
    assert.equal((await apply('someone', { x: 'y' }, true, 'application/merge-patch+json')).status, 415);
  });

  it('answers 401 without a bearer token', async () => {
    assert.equal((await send({ method: 'GET' })).status, 401);
  });

  it('answers 401 to a malformed or unknown token', async () => {
    for (const authorization of [`Token ${TOKEN}`, 'Bearer', 'Bearer k8s-aws-v1.unknown']) {
      assert.equal((await send({ method: 'GET', headers: { authorization } })).status, 401, authorization);
    }
  });

  it('answers 403 outside the allowed namespaces', async () => {
    const answer = await send({
      method: 'GET',
      path: '/api/v1/namespaces/kube-system/secrets/x',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(answer.status, 403);
    assert.match(answer.body.message, /cannot get resource "secrets" in API group "" in the namespace "kube-system"/);
  });

  it('answers an injected failure as many times as asked, then serves again', async () => {
    api.inject({ status: 429, times: 1, retryAfterSeconds: 3 });
    const answer = await send({ method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(answer.status, 429);
    assert.equal((await send({ method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  });
});
