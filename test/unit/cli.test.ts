import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ApiClient } from '../../cli/lib/client.js';
import { type CliContext, main } from '../../cli/main.js';
import { FileCertificateStore } from '../../shared/adapters/local/file-certificate-store.js';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import { type ApiDependencies, handleApiRequest } from '../../shared/api/router.js';
import { LocalRenewalScheduler } from '../../shared/local/scheduler.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { appendEvent, removeCondition, setCondition } from '../../shared/domain/status.js';
import { updateRecord } from '../../shared/inventory/records.js';
import { createLoopbackTls, type LoopbackTls } from '../../shared/local/tls.js';
import { systemClock } from '../../shared/ports/clock.js';

const SPEC = { name: 'web', issuerRef: { name: 'letsencrypt' }, dnsNames: ['web.example.com'] };
const SPEC_YAML = 'name: web\nissuerRef:\n  name: letsencrypt\ndnsNames:\n  - web.example.com\n';
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certflow/certificates/web-AbCdEf';

type Change = (record: CertificateRecord, now: Date) => CertificateRecord;

const issued: Change = (record, now) => ({
  ...record,
  status: {
    ...record.status,
    conditions: setCondition(
      removeCondition(record.status.conditions, 'Issuing'),
      { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' },
      now,
    ),
    revision: record.revision,
    serialNumber: '2a',
    notBefore: now.toISOString(),
    notAfter: new Date(now.getTime() + 90 * 86_400_000).toISOString(),
    renewalTime: new Date(now.getTime() + 60 * 86_400_000).toISOString(),
    secretArn: ARN,
  },
  events: appendEvent(
    record.events,
    { type: 'Normal', reason: 'Issued', message: 'The certificate has been successfully issued' },
    now,
  ),
});

const failed: Change = (record, now) => ({
  ...record,
  status: {
    ...record.status,
    conditions: setCondition(
      record.status.conditions,
      { type: 'Issuing', status: 'False', reason: 'Failed', message: 'acme: order is invalid' },
      now,
    ),
    failedIssuanceAttempts: record.status.failedIssuanceAttempts + 1,
    lastFailureTime: now.toISOString(),
  },
  events: appendEvent(record.events, { type: 'Warning', reason: 'Failed', message: 'acme: order is invalid' }, now),
});

describe('Module: certflow CLI', () => {
  let server: Server;
  let endpoint: string;
  let inventory: MemoryInventory;
  let started: string[];
  let onStart: ((name: string) => void) | undefined;
  let work: string;
  let tls: LoopbackTls;

  async function change(name: string, fn: Change): Promise<void> {
    await updateRecord(inventory, systemClock, name, fn);
  }

  /** Runs one command line in-process; stdin is given as a string. */
  async function cli(argv: string[], extra: Partial<CliContext> & { input?: string } = {}) {
    let stdout = '';
    let stderr = '';
    const { input, ...rest } = extra;
    const code = await main({
      argv,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { CERTFLOW_ENDPOINT: endpoint, CERTFLOW_HOME: join(work, 'state') },
      cwd: work,
      stdin: input === undefined ? undefined : [input],
      sleep: () => new Promise((resolve) => setTimeout(resolve, 5)),
      ...rest,
    });
    return { code, stdout, stderr };
  }

  before(async () => {
    tls = await createLoopbackTls();
    const deps: ApiDependencies = {
      issuers: [{ kind: 'acme', name: 'letsencrypt', server: 'https://acme.test/dir', solvers: [] }],
      get inventory() {
        return inventory;
      },
      clock: systemClock,
      // Starts a given name once, as Step Functions does, so re-applying an unchanged spec answers 200.
      issuance: {
        start: async (executionName, input) => {
          if (started.includes(executionName)) return { started: false };
          started.push(executionName);
          // Taken now, so a timer left by an earlier test never touches a later test's inventory.
          const hook = onStart;
          const name = input.name;
          if (hook && name) setTimeout(() => hook(name), 20);
          return { started: true };
        },
        describe: async () => ({ status: 'MISSING' }),
      },
      revoker: { revoke: async () => {} },
      scheduler: new LocalRenewalScheduler(),
    };
    server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const answer = await handleApiRequest(
        {
          method: request.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          body: chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined,
        },
        deps,
      );
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(async () => {
    inventory = new MemoryInventory();
    started = [];
    onStart = undefined;
    work = await mkdtemp(join(tmpdir(), 'certflow-cli-'));
    await writeFile(join(work, 'web.yaml'), SPEC_YAML);
    await writeFile(join(work, 'web.json'), JSON.stringify(SPEC));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function seedStore(): Promise<void> {
    const store = new FileCertificateStore({ dir: join(work, 'state') });
    const bundle = { 'tls.crt': tls.certPem + tls.caPem, 'tls.key': tls.keyPem, 'ca.crt': tls.caPem };
    await store.putCurrent('web', 'web-r1', bundle, {});
  }

  it('applies a YAML spec and reports it created and issuing', async () => {
    const result = await cli(['apply', '-f', 'web.yaml']);
    assert.deepEqual(result, { code: 0, stdout: 'certificate/web created (issuing)\n', stderr: '' });
    assert.deepEqual(
      started.map((n) => n.replace(/-[0-9a-z]+$/, '')),
      ['web-r1'],
    );
  });

  it('applies a JSON spec again and reports it unchanged', async () => {
    await cli(['apply', '-f', 'web.yaml']);
    const result = await cli(['apply', '-f', 'web.json']);
    assert.equal(result.stdout, 'certificate/web unchanged\n');
  });

  it('reports a changed spec as configured', async () => {
    await cli(['apply', '-f', 'web.yaml']);
    await writeFile(join(work, 'web.json'), JSON.stringify({ ...SPEC, dnsNames: ['www.example.com'] }));
    const result = await cli(['apply', '-f', 'web.json']);
    assert.equal(result.stdout, 'certificate/web configured (issuing)\n');
  });

  it('reads the spec from stdin with -f -', async () => {
    const result = await cli(['apply', '-f', '-'], { input: SPEC_YAML });
    assert.equal(result.stdout, 'certificate/web created (issuing)\n');
  });

  it("prints the API's message and field when apply is refused", async () => {
    await writeFile(join(work, 'bad.json'), JSON.stringify({ ...SPEC, dnsNames: ['*.*.example.com'] }));
    const result = await cli(['apply', '-f', 'bad.json']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: dnsNames\[0\]: .*\(field: dnsNames\[0\]\)\n$/);
  });

  it('waits with --wait until the certificate is ready, printing new events', async () => {
    onStart = (name) => void change(name, issued);
    const result = await cli(['apply', '-f', 'web.yaml', '--wait', '--timeout', '10s']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Normal Issued: The certificate has been successfully issued\n/);
    assert.match(result.stdout, /certificate\/web is ready \(serial 2a, not after \S+Z\)\n$/);
  });

  it('exits 1 with the failure message when the waited-for issuance fails', async () => {
    onStart = (name) => void change(name, failed);
    const result = await cli(['apply', '-f', 'web.yaml', '--wait']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /Warning Failed: acme: order is invalid/);
    assert.equal(result.stderr, 'error: certificate/web failed: acme: order is invalid\n');
  });

  it('lists certificates as a table like kubectl get', async () => {
    await cli(['apply', '-f', 'web.yaml']);
    await change('web', issued);
    const { code, stdout } = await cli(['get']);
    assert.equal(code, 0);
    const [header, row] = stdout.trimEnd().split('\n');
    assert.deepEqual(header?.split(/\s{3,}/), ['NAME', 'READY', 'SECRET', 'NOT-AFTER', 'RENEWAL', 'AGE']);
    assert.match(row ?? '', /^web\s+True\s+certflow\/certificates\/web\s+\d{4}-\d\d-\d\dT\S+Z\s+\S+Z\s+\d+s$/);
  });

  it('prints the API JSON as is with -o json', async () => {
    await cli(['apply', '-f', 'web.yaml']);
    const { code, stdout } = await cli(['get', 'web', '-o', 'json']);
    assert.equal(code, 0);
    const view = JSON.parse(stdout) as { name: string; revision: number; spec: { dnsNames: string[] } };
    assert.equal(view.name, 'web');
    assert.deepEqual(view.spec.dnsNames, ['web.example.com']);
  });

  it('shows conditions, dates and the events table with status', async () => {
    await cli(['apply', '-f', 'web.yaml']);
    await change('web', issued);
    const { code, stdout } = await cli(['status', 'web']);
    assert.equal(code, 0);
    assert.match(stdout, /^Name:\s+web$/m);
    assert.match(stdout, /^ {2}Ready: True, Reason: Ready, Message: Certificate is up to date and has not expired$/m);
    assert.match(stdout, /^Serial Number:\s+2a$/m);
    assert.match(stdout, /^Failed Issuance Attempts:\s+0$/m);
    assert.match(stdout, /^ {2}TYPE\s+REASON\s+AGE\s+MESSAGE\n {2}Normal\s+Issued\s+\d+s\s+The certificate has/m);
  });

  it('renews and deletes a certificate', async () => {
    await cli(['apply', '-f', 'web.yaml']);
    assert.equal((await cli(['renew', 'web'])).stdout, 'Manually triggered issuance of certificate/web\n');
    assert.equal(started.length, 2);
    assert.equal((await cli(['delete', 'web'])).stdout, 'certificate/web deleted\n');
    const gone = await cli(['get', 'web']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^error: .*"web" does not exist\n$/);
  });

  it('exits 2 on a usage error', async () => {
    const result = await cli(['status']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: status: NAME is required\n/);
  });

  it('exports the three files from the local store, the key with mode 0600', async () => {
    await seedStore();
    const result = await cli(['export', 'web', '--out', 'out']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readFile(join(work, 'out', 'tls.key'), 'utf8'), tls.keyPem);
    assert.equal(await readFile(join(work, 'out', 'ca.crt'), 'utf8'), tls.caPem);
    assert.equal(await readFile(join(work, 'out', 'tls.crt'), 'utf8'), tls.certPem + tls.caPem);
    assert.equal((await stat(join(work, 'out', 'tls.key'))).mode & 0o777, 0o600);
    assert.doesNotMatch(result.stdout, /PRIVATE KEY/);
  });

  it('refuses to overwrite existing files unless --force is given', async () => {
    await seedStore();
    await mkdir(join(work, 'out'));
    await writeFile(join(work, 'out', 'tls.key'), 'mine', { mode: 0o644 });
    const refused = await cli(['export', 'web', '--out', 'out']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /tls\.key already exists \(use --force to overwrite\)/);
    assert.equal(await readFile(join(work, 'out', 'tls.key'), 'utf8'), 'mine');
    assert.equal((await cli(['export', 'web', '--out', 'out', '--force'])).code, 0);
    assert.equal((await stat(join(work, 'out', 'tls.key'))).mode & 0o777, 0o600);
  });

  it('inspects the stored certificate without printing the key', async () => {
    await seedStore();
    const { code, stdout } = await cli(['inspect', 'web']);
    assert.equal(code, 0);
    assert.match(stdout, /^DNS Names:\s+localhost$/m);
    assert.match(stdout, /^IP Addresses:\s+127\.0\.0\.1$/m);
    assert.match(stdout, /^Issuer:\s+CN=certflow local test CA$/m);
    assert.match(stdout, /^Serial Number:\s+2$/m);
    assert.match(stdout, /^Key:\s+ECDSA 256$/m);
    assert.doesNotMatch(stdout, /PRIVATE KEY|BEGIN/);
  });

  it('exports from Secrets Manager against a deployed API', async () => {
    const secrets = mockClient(SecretsManagerClient);
    const bundle = { 'tls.crt': tls.certPem, 'tls.key': tls.keyPem, 'ca.crt': tls.caPem };
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: JSON.stringify(bundle) });
    const view = { name: 'web', revision: 1, spec: SPEC, status: { conditions: [], secretArn: ARN } };
    const fakeFetch = (async () => new Response(JSON.stringify(view), { status: 200 })) as typeof fetch;
    try {
      const result = await cli(
        ['export', 'web', '--out', 'out', '--endpoint', 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod'],
        { fetch: fakeFetch, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(await readFile(join(work, 'out', 'tls.key'), 'utf8'), tls.keyPem);
    } finally {
      secrets.restore();
    }
  });

  it('refuses a Secrets Manager secret that is not a certificate bundle, naming the keys it expects', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: `{"tls.key":"${'x'.repeat(8)}` });
    const view = { name: 'web', revision: 1, spec: SPEC, status: { conditions: [], secretArn: ARN } };
    const fakeFetch = (async () => new Response(JSON.stringify(view), { status: 200 })) as typeof fetch;
    try {
      const result = await cli(
        ['export', 'web', '--out', 'out', '--endpoint', 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod'],
        { fetch: fakeFetch, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } },
      );
      assert.notEqual(result.code, 0);
      assert.equal(
        result.stderr,
        `error: secretsmanager: secret ${ARN} is not a certificate bundle (tls.crt, tls.key, ca.crt)\n`,
      );
    } finally {
      secrets.restore();
    }
  });
});

describe('Class: ApiClient', () => {
  it('signs requests to a deployed API with SigV4 for the region in the host', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const fakeFetch = (async (url: URL, init: RequestInit) => {
      seen.push({ url: String(url), headers: init.headers as Record<string, string> });
      return new Response('{"items":[]}', { status: 200 });
    }) as unknown as typeof fetch;
    const client = new ApiClient({
      endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      env: {},
      fetch: fakeFetch,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    await client.request('GET', '/certificates');
    assert.equal(client.region(), 'eu-west-1');
    const [request] = seen;
    assert.equal(request?.url, 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/certificates');
    const date = request?.headers['x-amz-date']?.slice(0, 8);
    assert.match(date ?? '', /^\d{8}$/);
    assert.ok(
      request?.headers.authorization?.startsWith(
        `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date}/eu-west-1/execute-api/aws4_request, SignedHeaders=`,
      ),
      request?.headers.authorization,
    );
  });

  it('does not sign requests to a loopback endpoint', async () => {
    let headers: Record<string, string> = {};
    const fakeFetch = (async (_url: URL, init: RequestInit) => {
      headers = init.headers as Record<string, string>;
      return new Response('{"items":[]}', { status: 200 });
    }) as unknown as typeof fetch;
    const client = new ApiClient({ endpoint: 'http://127.0.0.1:8080', env: {}, fetch: fakeFetch });
    await client.request('GET', '/certificates');
    assert.equal(client.local, true);
    assert.equal(headers.authorization, undefined);
  });
});
