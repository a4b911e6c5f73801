import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import type { ApiResponse } from '../../shared/api/http.js';
import { type ApiDependencies, handleApiRequest } from '../../shared/api/router.js';
import { MAX_CONFLICT_RETRIES } from '../../shared/inventory/optimistic.js';
import { LocalRenewalScheduler } from '../../shared/local/scheduler.js';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { Inventory } from '../../shared/ports/inventory.js';
import type { IssuanceStarter, Revoker } from '../../shared/ports/executions.js';
import type { ExecutionInput } from '../../shared/ports/executions.js';
import { expectMatchesOpenApi } from '../support/openapi-validator.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
let clockNow = NOW.getTime();
const clock: Clock = { now: () => new Date(clockNow) };
/** Execution names end in the record's generation; tests compare the part before it. */
const bare = (names: string[]) => names.map((n) => n.replace(/-[0-9a-z]+$/, ''));
const ISSUERS: IssuerConfig[] = [
  { kind: 'acme', name: 'letsencrypt', server: 'https://acme.test/dir', solvers: [{ dns01: { route53: {} } }] },
];
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certflow/web-AbCdEf';
// A V8 stack frame: `at fn (/path/file.js:1:2)` or `at file:///path/file.js:1:2`.
const STACK_FRAME = /\bat (?:[^\n]*? \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\s)]*:\d+/;

/** Starts nothing; remembers each call and, like Step Functions, starts a given name only once. */
class RecordingStarter implements IssuanceStarter {
  readonly calls: { executionName: string; input: ExecutionInput }[] = [];
  readonly started: string[] = [];

  async start(executionName: string, input: ExecutionInput): Promise<{ started: boolean; executionId?: string }> {
    this.calls.push({ executionName, input: structuredClone(input) });
    if (this.started.includes(executionName)) return { started: false };
    this.started.push(executionName);
    return { started: true, executionId: `arn:aws:states:eu-west-1:123456789012:execution:certflow:${executionName}` };
  }

  async describe(): Promise<{ status: 'MISSING' }> {
    return { status: 'MISSING' };
  }
}

class RecordingRevoker implements Revoker {
  readonly revoked: string[] = [];

  async revoke(name: string): Promise<void> {
    this.revoked.push(name);
  }
}

/** Another writer updates the record between the handler's read and its delete (`races` times). */
class RacingInventory extends MemoryInventory {
  constructor(private races = Infinity) {
    super();
  }
  override async delete(name: string, expectedVersion: number): Promise<void> {
    const current = await this.get(name);
    if (current && this.races-- > 0) await this.put(current, current.version);
    return super.delete(name, expectedVersion);
  }
}

/** Fails every call, with a message and stack that must not reach the client. */
class BrokenInventory implements Inventory {
  #fail(): never {
    throw new Error('dynamodb: connect ECONNREFUSED 10.0.0.1:443 -----BEGIN PRIVATE KEY-----');
  }
  async get(): Promise<CertificateRecord | undefined> {
    this.#fail();
  }
  async put(): Promise<void> {
    this.#fail();
  }
  async delete(): Promise<void> {
    this.#fail();
  }
  async list(): Promise<{ items: CertificateRecord[] }> {
    this.#fail();
  }
  async listDue(): Promise<{ items: CertificateRecord[] }> {
    this.#fail();
  }
  async listExpiring(): Promise<{ items: CertificateRecord[] }> {
    this.#fail();
  }
}

function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'web', issuerRef: { name: 'letsencrypt' }, dnsNames: ['web.example.com'], ...overrides };
}

interface Request {
  method: string;
  path: string;
  /** The route as openapi.json names it, e.g. `/certificates/{name}`. */
  route: string;
  query?: Record<string, string | undefined>;
  body?: string;
}

let inventory: MemoryInventory;
let issuance: RecordingStarter;
let revoker: RecordingRevoker;
let scheduler: LocalRenewalScheduler;
let deps: ApiDependencies;

beforeEach(() => {
  clockNow = NOW.getTime();
  inventory = new MemoryInventory();
  issuance = new RecordingStarter();
  revoker = new RecordingRevoker();
  scheduler = new LocalRenewalScheduler();
  deps = { issuers: ISSUERS, inventory, clock, issuance, revoker, scheduler };
});

/** Sends a request; every answer must match openapi.json and leak neither a stack nor a key. */
async function send(request: Request, dependencies: ApiDependencies = deps): Promise<ApiResponse> {
  const response = await handleApiRequest(
    { method: request.method, path: request.path, query: request.query ?? {}, body: request.body },
    dependencies,
  );
  expectMatchesOpenApi(request.method, request.route, response.status, response.body);
  const text = JSON.stringify(response.body) ?? '';
  assert.doesNotMatch(text, STACK_FRAME);
  assert.doesNotMatch(text, /PRIVATE KEY/);
  return response;
}

function apply(body: unknown): Promise<ApiResponse> {
  return send({
    method: 'POST',
    path: '/certificates',
    route: '/certificates',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function errorOf(response: ApiResponse): { code: string; message: string; field?: string } {
  return (response.body as { error: { code: string; message: string; field?: string } }).error;
}

function bodyOf<T = Record<string, unknown>>(response: ApiResponse): T {
  return response.body as T;
}

/** What the pipeline would have written after a successful issuance. */
async function markIssued(name: string): Promise<void> {
  const record = (await inventory.get(name))!;
  await inventory.put(
    {
      ...record,
      status: {
        ...record.status,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: 'Certificate is up to date and has not expired',
            lastTransitionTime: NOW.toISOString(),
          },
        ],
        notBefore: '2026-03-01T11:00:00.000Z',
        notAfter: '2026-05-30T11:00:00.000Z',
        renewalTime: '2026-04-30T11:00:00.000Z',
        serialNumber: '04a1b2c3d4',
        secretArn: SECRET_ARN,
        revision: record.revision,
        lastIssuanceId: `${name}-r${record.revision}`,
      },
      events: [
        { time: '2026-03-01T11:59:00.000Z', type: 'Normal', reason: 'Issuing', message: 'Issuing certificate' },
        { time: '2026-03-01T11:59:30.000Z', type: 'Normal', reason: 'Issued', message: 'Certificate issued' },
      ],
    },
    record.version,
  );
}

describe('Route: POST /certificates', () => {
  it('answers 202 with the certificate at revision 1 for a new spec', async () => {
    const response = await apply(spec());
    assert.equal(response.status, 202);
    assert.equal(bodyOf(response).name, 'web');
    assert.equal(bodyOf(response).revision, 1);
  });

  it('points the Location header at the new certificate', async () => {
    const response = await apply(spec());
    assert.equal(response.headers?.location, '/certificates/web');
  });

  it('starts one execution named after the revision, with the name and reason as input', async () => {
    await apply(spec());
    assert.equal(issuance.calls.length, 1);
    assert.match(issuance.calls[0]!.executionName, /^web-r1-[0-9a-z]+$/);
    assert.deepEqual(issuance.calls[0]!.input, { name: 'web', reason: 'Issuing' });
  });

  it('stores the spec with its defaults filled in', async () => {
    await apply(spec());
    const stored = await inventory.get('web');
    assert.equal(stored?.spec.duration, '2160h');
    assert.deepEqual(stored?.spec.privateKey, {
      algorithm: 'ECDSA',
      size: 256,
      encoding: 'PKCS1',
      rotationPolicy: 'Always',
    });
  });

  it('answers 200 when the same spec is applied again', async () => {
    await apply(spec());
    const response = await apply(spec());
    assert.equal(response.status, 200);
    assert.equal(bodyOf(response).revision, 1);
  });

  it('starts no new execution when the same spec is applied again', async () => {
    await apply(spec());
    await apply(spec());
    assert.deepEqual(bare(issuance.started), ['web-r1']);
  });

  it('answers 202 with revision 2 when the spec changed', async () => {
    await apply(spec());
    const response = await apply(spec({ dnsNames: ['web.example.com', 'www.example.com'] }));
    assert.equal(response.status, 202);
    assert.equal(bodyOf(response).revision, 2);
  });

  it('starts the execution of revision 2 when the spec changed', async () => {
    await apply(spec());
    await apply(spec({ duration: '720h' }));
    assert.deepEqual(bare(issuance.started), ['web-r1', 'web-r2']);
    assert.deepEqual(issuance.calls.at(-1)?.input, { name: 'web', reason: 'SpecChanged' });
  });

  it('answers 202 when a stored revision never got its execution started', async () => {
    // A previous apply stored the record and then failed before StartExecution.
    await apply(spec());
    issuance.started.length = 0;
    const response = await apply(spec());
    assert.equal(response.status, 202);
    assert.deepEqual(bare(issuance.started), ['web-r1']);
  });

  it('starts a fresh execution when a deleted certificate is applied again', async () => {
    // Revisions restart at 1; Step Functions refuses a used execution name for 90 days, so the
    // name carries the record's generation.
    await apply(spec());
    await send({ method: 'DELETE', path: '/certificates/web', route: '/certificates/{name}' });
    clockNow += 1000;
    const response = await apply(spec());
    assert.equal(response.status, 202);
    assert.equal(issuance.started.length, 2);
    assert.notEqual(issuance.started[0], issuance.started[1]);
  });

  it('refuses an issuer that is not configured, naming issuerRef.name', async () => {
    const response = await apply(spec({ issuerRef: { name: 'zerossl' } }));
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'issuerRef.name');
  });

  it('writes nothing and starts nothing for an unknown issuer', async () => {
    await apply(spec({ issuerRef: { name: 'zerossl' } }));
    assert.deepEqual((await inventory.list()).items, []);
    assert.deepEqual(issuance.calls, []);
  });

  it('refuses IP addresses with an ACME issuer, naming ipAddresses', async () => {
    const response = await apply(spec({ ipAddresses: ['192.0.2.10'] }));
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'ipAddresses');
  });

  it('names the offending entry of a list', async () => {
    const response = await apply(spec({ dnsNames: ['web.example.com', 'a.example.com', '*.*.example.com'] }));
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'dnsNames[2]');
    assert.match(errorOf(response).message, /^dnsNames\[2\]: "\*\.\*\.example\.com" is not a valid DNS name/);
  });

  it('refuses a body that is not JSON, naming body', async () => {
    const response = await apply('{"name": "web",');
    assert.equal(response.status, 400);
    assert.deepEqual(errorOf(response), {
      code: 'ValidationFailed',
      message: 'body: is not valid JSON',
      field: 'body',
    });
  });

  it('refuses a missing body, naming body', async () => {
    const response = await send({ method: 'POST', path: '/certificates', route: '/certificates' });
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'body');
  });

  it('accepts a body of exactly 64 KiB', async () => {
    const json = JSON.stringify(spec());
    const response = await apply(json + ' '.repeat(64 * 1024 - json.length));
    assert.equal(response.status, 202);
  });

  it('answers 413 to a body of 64 KiB and one byte, naming body', async () => {
    const json = JSON.stringify(spec());
    const response = await apply(json + ' '.repeat(64 * 1024 + 1 - json.length));
    assert.equal(response.status, 413);
    assert.equal(errorOf(response).code, 'PayloadTooLarge');
    assert.equal(errorOf(response).field, 'body');
  });

  it('counts the body limit in UTF-8 bytes, not characters', async () => {
    // 22 000 euro signs are 66 000 bytes.
    const response = await apply(JSON.stringify(spec({ subject: { organizations: ['€'.repeat(22_000)] } })));
    assert.equal(response.status, 413);
  });
});

describe('Route: GET /certificates', () => {
  beforeEach(async () => {
    for (const name of ['charlie', 'alpha', 'bravo']) await apply(spec({ name, dnsNames: [`${name}.example.com`] }));
  });

  function list(query: Record<string, string | undefined> = {}): Promise<ApiResponse> {
    return send({ method: 'GET', path: '/certificates', route: '/certificates', query });
  }

  it('lists every certificate in name order', async () => {
    const response = await list();
    assert.equal(response.status, 200);
    const page = bodyOf<{ items: { name: string }[]; nextToken?: string }>(response);
    assert.deepEqual(
      page.items.map((item) => item.name),
      ['alpha', 'bravo', 'charlie'],
    );
    assert.equal(page.nextToken, undefined);
  });

  it('answers at most limit items and a nextToken for the rest', async () => {
    const page = bodyOf<{ items: { name: string }[]; nextToken?: string }>(await list({ limit: '2' }));
    assert.deepEqual(
      page.items.map((item) => item.name),
      ['alpha', 'bravo'],
    );
    assert.equal(typeof page.nextToken, 'string');
  });

  it('continues after the first page with its nextToken', async () => {
    const first = bodyOf<{ nextToken?: string }>(await list({ limit: '2' }));
    const second = bodyOf<{ items: { name: string }[]; nextToken?: string }>(
      await list({ limit: '2', nextToken: first.nextToken }),
    );
    assert.deepEqual(
      second.items.map((item) => item.name),
      ['charlie'],
    );
    assert.equal(second.nextToken, undefined);
  });

  for (const limit of ['0', '1001', '-1', '1.5', 'ten', '']) {
    it(`refuses limit=${JSON.stringify(limit)}, naming limit`, async () => {
      const response = await list({ limit });
      assert.equal(response.status, 400);
      assert.equal(errorOf(response).field, 'limit');
    });
  }

  it('refuses a nextToken it did not issue, naming nextToken', async () => {
    const response = await list({ nextToken: 'not a token' });
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'nextToken');
  });
});

describe('Route: GET /certificates/{name}', () => {
  function get(name: string): Promise<ApiResponse> {
    return send({ method: 'GET', path: `/certificates/${name}`, route: '/certificates/{name}' });
  }

  it('answers the certificate with its spec and status', async () => {
    await apply(spec());
    await markIssued('web');
    const response = await get('web');
    assert.equal(response.status, 200);
    const view = bodyOf<{ status: { secretArn?: string; conditions: { type: string }[] } }>(response);
    assert.equal(view.status.secretArn, SECRET_ARN);
    assert.deepEqual(
      view.status.conditions.map((c) => c.type),
      ['Ready'],
    );
  });

  it('shows neither the storage version nor the internal issuance ids', async () => {
    await apply(spec());
    await markIssued('web');
    const view = bodyOf<Record<string, unknown> & { status: Record<string, unknown> }>(await get('web'));
    assert.equal('version' in view, false);
    assert.equal('events' in view, false);
    assert.equal('lastIssuanceId' in view.status, false);
  });

  it('answers 404 for a certificate that does not exist', async () => {
    const response = await get('missing');
    assert.equal(response.status, 404);
    assert.equal(errorOf(response).code, 'NotFound');
  });

  it('refuses a malformed name, naming name', async () => {
    const response = await get('Web_1');
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'name');
  });

  it('refuses a name that is not valid percent-encoding, naming name', async () => {
    const response = await get('%E0%A4%A');
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'name');
  });

  it('decodes a percent-encoded name before looking it up', async () => {
    await apply(spec());
    const response = await get('%77eb');
    assert.equal(response.status, 200);
  });

  it('ignores a trailing slash', async () => {
    await apply(spec());
    const response = await get('web/');
    assert.equal(response.status, 200);
  });
});

describe('Route: GET /certificates/{name}/events', () => {
  function events(name: string): Promise<ApiResponse> {
    return send({ method: 'GET', path: `/certificates/${name}/events`, route: '/certificates/{name}/events' });
  }

  it('answers the events oldest first', async () => {
    await apply(spec());
    await markIssued('web');
    const response = await events('web');
    assert.equal(response.status, 200);
    assert.deepEqual(
      bodyOf<{ reason: string }[]>(response).map((event) => event.reason),
      ['Issuing', 'Issued'],
    );
  });

  it('answers an empty list before anything happened', async () => {
    await apply(spec());
    assert.deepEqual((await events('web')).body, []);
  });

  it('answers 404 for a certificate that does not exist', async () => {
    assert.equal((await events('missing')).status, 404);
  });

  it('refuses a malformed name, naming name', async () => {
    const response = await events('-web');
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'name');
  });
});

describe('Route: POST /certificates/{name}/renew', () => {
  function renew(name: string): Promise<ApiResponse> {
    return send({ method: 'POST', path: `/certificates/${name}/renew`, route: '/certificates/{name}/renew' });
  }

  it('answers 202 with the certificate', async () => {
    await apply(spec());
    const response = await renew('web');
    assert.equal(response.status, 202);
    assert.equal(bodyOf(response).name, 'web');
  });

  it('starts an execution of its own, manually triggered', async () => {
    await apply(spec());
    await renew('web');
    assert.deepEqual(issuance.calls.at(-1), {
      executionName: `web-renew-${NOW.getTime().toString(36)}`,
      input: { name: 'web', reason: 'ManuallyTriggered' },
    });
    assert.equal(issuance.started.length, 2);
  });

  it('is a no-op while an issuance holds the certificate: 202 with the certificate, nothing started', async () => {
    await apply(spec());
    const record = (await inventory.get('web'))!;
    const lease = {
      id: 'web-r1-x',
      revision: 1,
      generation: record.createdAt,
      startedAt: NOW.toISOString(),
      issuer: 'le',
    };
    await inventory.put({ ...record, status: { ...record.status, issuance: lease } }, record.version);
    const calls = issuance.calls.length;
    const response = await renew('web');
    assert.equal(response.status, 202);
    assert.equal(bodyOf(response).name, 'web');
    assert.equal(issuance.calls.length, calls, 'no execution started');

    // A lease past the 2-hour timeout belongs to an execution that has ended: renew starts one.
    const stale = (await inventory.get('web'))!;
    const old = { ...lease, startedAt: new Date(NOW.getTime() - 2 * 3_600_000).toISOString() };
    await inventory.put({ ...stale, status: { ...stale.status, issuance: old } }, stale.version);
    await renew('web');
    assert.equal(issuance.calls.length, calls + 1);
  });

  it('answers 404 and starts nothing for a certificate that does not exist', async () => {
    const response = await renew('missing');
    assert.equal(response.status, 404);
    assert.deepEqual(issuance.calls, []);
  });

  it('refuses a malformed name, naming name', async () => {
    const response = await renew('a'.repeat(64));
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'name');
  });
});

describe('Route: DELETE /certificates/{name}', () => {
  function remove(name: string, query: Record<string, string | undefined> = {}): Promise<ApiResponse> {
    return send({ method: 'DELETE', path: `/certificates/${name}`, route: '/certificates/{name}', query });
  }

  it('answers 200 and forgets the certificate', async () => {
    await apply(spec());
    const response = await remove('web');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { name: 'web', deleted: true, revoked: false });
    assert.equal(await inventory.get('web'), undefined);
  });

  it('does not revoke without revoke=true', async () => {
    await apply(spec());
    await markIssued('web');
    await remove('web', { revoke: 'false' });
    assert.deepEqual(revoker.revoked, []);
  });

  it('revokes an issued certificate with revoke=true', async () => {
    await apply(spec());
    await markIssued('web');
    const response = await remove('web', { revoke: 'true' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { name: 'web', deleted: true, revoked: true });
    assert.deepEqual(revoker.revoked, ['web']);
    assert.deepEqual(scheduler.list(), {}, 'the renewal schedule is gone too');
  });

  it('deletes a revoked certificate however often it changed, up to the conflict bound', async () => {
    inventory = new RacingInventory(MAX_CONFLICT_RETRIES);
    deps = { ...deps, inventory };
    await apply(spec());
    await markIssued('web');
    const response = await remove('web', { revoke: 'true' });
    assert.equal(response.status, 200);
    assert.equal(await inventory.get('web'), undefined);
  });

  it('answers 409 when a revoked certificate changes more often than the conflict bound', async () => {
    inventory = new RacingInventory(MAX_CONFLICT_RETRIES + 1);
    deps = { ...deps, inventory };
    await apply(spec());
    await markIssued('web');
    const response = await remove('web', { revoke: 'true' });
    assert.equal(response.status, 409);
    assert.notEqual(await inventory.get('web'), undefined);
  });

  it('has nothing to revoke for a certificate never issued', async () => {
    await apply(spec());
    const response = await remove('web', { revoke: 'true' });
    assert.deepEqual(response.body, { name: 'web', deleted: true, revoked: false });
    assert.deepEqual(revoker.revoked, []);
  });

  for (const revoke of ['yes', 'TRUE', '1', '']) {
    it(`refuses revoke=${JSON.stringify(revoke)}, naming revoke, and keeps the certificate`, async () => {
      await apply(spec());
      const response = await remove('web', { revoke });
      assert.equal(response.status, 400);
      assert.equal(errorOf(response).field, 'revoke');
      assert.notEqual(await inventory.get('web'), undefined);
    });
  }

  it('answers 404 for a certificate that does not exist', async () => {
    assert.equal((await remove('missing')).status, 404);
  });

  it('answers 409 when the certificate changes while it is deleted', async () => {
    const racing = new RacingInventory();
    const dependencies = { ...deps, inventory: racing };
    await handleApiRequest(
      { method: 'POST', path: '/certificates', query: {}, body: JSON.stringify(spec()) },
      dependencies,
    );
    const response = await send(
      { method: 'DELETE', path: '/certificates/web', route: '/certificates/{name}', query: {} },
      dependencies,
    );
    assert.equal(response.status, 409);
    assert.notEqual(await racing.get('web'), undefined);
  });

  it('refuses a malformed name, naming name', async () => {
    const response = await remove('..');
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'name');
  });
});

describe('Router: handleApiRequest', () => {
  it('answers 404 to a path that is no resource', async () => {
    const response = await send({ method: 'GET', path: '/issuers', route: '/issuers' });
    assert.equal(response.status, 404);
    assert.equal(errorOf(response).code, 'NotFound');
  });

  it('answers 404 to a path below a certificate that is no resource', async () => {
    const response = await send({
      method: 'GET',
      path: '/certificates/web/secret',
      route: '/certificates/{name}/secret',
    });
    assert.equal(response.status, 404);
  });

  for (const [method, path, route] of [
    ['PUT', '/certificates', '/certificates'],
    ['DELETE', '/certificates', '/certificates'],
    ['PATCH', '/certificates/web', '/certificates/{name}'],
    ['POST', '/certificates/web', '/certificates/{name}'],
    ['GET', '/certificates/web/renew', '/certificates/{name}/renew'],
    ['DELETE', '/certificates/web/events', '/certificates/{name}/events'],
  ] as const) {
    it(`answers 405 to ${method} ${path}`, async () => {
      const response = await send({ method, path, route });
      assert.equal(response.status, 405);
      assert.equal(errorOf(response).code, 'MethodNotAllowed');
    });
  }

  it('accepts a method in lower case', async () => {
    const response = await send({
      method: 'post',
      path: '/certificates',
      route: '/certificates',
      body: JSON.stringify(spec()),
    });
    assert.equal(response.status, 202);
  });

  it('answers 500 without the failure or its stack when the inventory fails', async () => {
    const response = await send(
      { method: 'GET', path: '/certificates/web', route: '/certificates/{name}' },
      { ...deps, inventory: new BrokenInventory() },
    );
    assert.equal(response.status, 500);
    assert.deepEqual(errorOf(response), {
      code: 'InternalError',
      message: 'the request could not be completed; it can be retried',
    });
  });

  it('answers no body with a stack trace or a private key, whatever the request', async () => {
    // `send` checks each answer; these are the ones most likely to echo something back.
    const requests: Request[] = [
      { method: 'POST', path: '/certificates', route: '/certificates', body: '{"name":' },
      { method: 'POST', path: '/certificates', route: '/certificates', body: '-----BEGIN PRIVATE KEY-----' },
      {
        method: 'POST',
        path: '/certificates',
        route: '/certificates',
        body: JSON.stringify(spec({ name: 'x'.repeat(5000) })),
      },
      { method: 'GET', path: '/certificates/%', route: '/certificates/{name}' },
      { method: 'GET', path: '/certificates', route: '/certificates', query: { nextToken: 'eyJhZnRlciI6MX0' } },
      { method: 'DELETE', path: '/certificates/web', route: '/certificates/{name}', query: { revoke: 'maybe' } },
    ];
    for (const request of requests) {
      const response = await send(request);
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${request.method} ${request.path}: ${response.status}`,
      );
    }
    await send(
      { method: 'GET', path: '/certificates', route: '/certificates' },
      { ...deps, inventory: new BrokenInventory() },
    );
  });
});

describe('Route: POST /certificates, ACME identifiers', () => {
  it('refuses a commonName that is not one of the dnsNames for an ACME issuer', async () => {
    const response = await handleApiRequest(
      {
        method: 'POST',
        path: '/certificates',
        query: {},
        body: JSON.stringify({
          name: 'cn',
          issuerRef: { name: 'letsencrypt' },
          dnsNames: ['a.example.com'],
          commonName: 'b.example.com',
        }),
      },
      deps,
    );
    assert.equal(response.status, 400);
    assert.equal(errorOf(response).field, 'commonName');
    assert.equal(await inventory.get('cn'), undefined);
  });

  it('refuses names the CA would refuse, naming the field, and writes nothing', async () => {
    const label = 'a'.repeat(63);
    const cases = [
      { name: 'numeric', dnsNames: ['a.example.com', '999.1.1.1'], field: 'dnsNames[1]', message: /all-numeric label/ },
      {
        name: 'long',
        dnsNames: [`${label}.${label}.${label}.${'b'.repeat(42)}.com`],
        field: 'dnsNames[0]',
        message: /is too long for DNS-01: its challenge record _acme-challenge\..* would have 254 characters/,
      },
    ];
    for (const c of cases) {
      const response = await handleApiRequest(
        {
          method: 'POST',
          path: '/certificates',
          query: {},
          body: JSON.stringify({ name: c.name, issuerRef: { name: 'letsencrypt' }, dnsNames: c.dnsNames }),
        },
        deps,
      );
      assert.equal(response.status, 400, c.name);
      assert.equal(errorOf(response).field, c.field);
      assert.match(errorOf(response).message, c.message);
      assert.equal(await inventory.get(c.name), undefined);
    }
  });

  it('refuses a limit that is not a plain integer', async () => {
    for (const limit of [' 5 ', '1e2', '0x10', '5.0', '0', '1001']) {
      const response = await handleApiRequest({ method: 'GET', path: '/certificates', query: { limit } }, deps);
      assert.equal(response.status, 400, limit);
      assert.equal(errorOf(response).field, 'limit');
    }
  });
});
