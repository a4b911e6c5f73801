/**
 * Local mode as a user runs it: `npm run local` in one process, HTTP and the `certflow` CLI from
 * another, a real certificate from the local Pebble checked with node:crypto.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, pebbleInstalled } from '../../shared/local/pebble.js';
import { assertNoKeyMaterial, storedKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';
const ROOT = new URL('../../', import.meta.url).pathname;

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('Integration: npm run local, as a user runs it', { skip }, () => {
  let service: ChildProcess;
  let output = '';
  let url: string;
  let dir: string;
  let work: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certflow-local-'));
    work = await mkdtemp(join(tmpdir(), 'certflow-export-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = spawn('npm', ['run', 'local', '--', '--port', String(port), '--dir', dir], {
      cwd: ROOT,
      env: process.env,
      detached: true,
    });
    service.stdout?.on('data', (c) => (output += c));
    service.stderr?.on('data', (c) => (output += c));
    const deadline = Date.now() + 60_000;
    while (!output.includes('certflow: API on')) {
      if (Date.now() > deadline || service.exitCode !== null) throw new Error(`local mode did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    try {
      if (service?.pid) process.kill(-service.pid, 'SIGKILL');
    } catch {
      // already gone: the Ctrl-C test stopped it
    }
    await rm(dir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  async function waitReady(name: string): Promise<Record<string, any>> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const certificate = (await (await fetch(`${url}/certificates/${name}`)).json()) as Record<string, any>;
      const ready = certificate.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
      if (ready?.status === 'True') return certificate;
      if (ready?.reason === 'Failed') throw new Error(`${name} failed: ${ready.message}`);
      if (Date.now() > deadline) throw new Error(`${name} not ready: ${JSON.stringify(certificate)}\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('says which issuers it serves and where the API is', () => {
    assert.match(output, /issuers: local-acme \(acme\), selfsigned \(selfSigned\)/);
    assert.match(output, /Press Ctrl-C to stop/);
  });

  it('serves its OpenAPI document', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.paths['/certificates']);
  });

  it('issues from the local Pebble over HTTP, and exports with the CLI', async () => {
    const spec = {
      name: 'web',
      issuerRef: { name: 'local-acme' },
      dnsNames: ['web.example.test', '*.web.example.test'],
    };
    const response = await fetch(`${url}/certificates`, { method: 'POST', body: JSON.stringify(spec) });
    assert.equal(response.status, 202);
    const certificate = await waitReady('web');
    assert.ok(!JSON.stringify(certificate).includes('PRIVATE KEY'), 'the API never shows a key');

    const out = join(work, 'web');
    const exported = await run('node', [
      'bin/certflow.mjs',
      'export',
      'web',
      '--out',
      out,
      '--dir',
      dir,
      '--endpoint',
      url,
    ]);
    assert.equal(exported.code, 0, exported.out);
    assert.equal((await stat(join(out, 'tls.key'))).mode & 0o777, 0o600);
    const [leafPem] = (await readFile(join(out, 'tls.crt'), 'utf8')).split(/(?=-----BEGIN CERTIFICATE-----)/);
    const leaf = new X509Certificate(leafPem!);
    const ca = new X509Certificate(await readFile(join(out, 'ca.crt')));
    assert.equal(leaf.subjectAltName, 'DNS:web.example.test, DNS:*.web.example.test');
    assert.ok(leaf.checkPrivateKey(createPrivateKey(await readFile(join(out, 'tls.key')))));
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'signed by the CA in ca.crt');
  });

  it('issues a self-signed certificate through the CLI with --wait', async () => {
    const specFile = join(work, 'internal.yaml');
    await (
      await import('node:fs/promises')
    ).writeFile(
      specFile,
      'name: internal\nissuerRef:\n  name: selfsigned\ncommonName: internal.test\nipAddresses: ["10.1.2.3"]\n',
    );
    const applied = await run('node', ['bin/certflow.mjs', 'apply', '-f', specFile, '--wait', '--endpoint', url]);
    assert.equal(applied.code, 0, applied.out);
    assert.match(applied.out, /certificate\/internal created/);
    assert.match(applied.out, /ready/);
  });

  it('starts exactly one execution for 20 identical concurrent applies', async () => {
    const spec = JSON.stringify({ name: 'busy', issuerRef: { name: 'selfsigned' }, commonName: 'busy.test' });
    const statuses = await Promise.all(
      Array.from(
        { length: 20 },
        async () => (await fetch(`${url}/certificates`, { method: 'POST', body: spec })).status,
      ),
    );
    assert.ok(
      statuses.every((s) => s === 200 || s === 202),
      statuses.join(','),
    );
    await waitReady('busy');
    const names = (await readFile(join(dir, 'executions.txt'), 'utf8'))
      .split('\n')
      .filter((n) => n.startsWith('busy-'));
    assert.equal(names.length, 1, names.join(','));
    assert.match(names[0]!, /^busy-r1-[0-9a-z]+$/);
  });

  it('answers a bad spec with 400 naming the field, and writes nothing', async () => {
    const response = await fetch(`${url}/certificates`, {
      method: 'POST',
      body: JSON.stringify({ name: 'bad', issuerRef: { name: 'local-acme' }, dnsNames: ['ok.test', '*.*.test'] }),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(((await response.json()) as { error: { field: string } }).error.field, 'dnsNames[1]');
    assert.equal((await fetch(`${url}/certificates/bad`)).status, 404);
  });

  it('never lets a private key into its output, its state files or API answers', async () => {
    const paths = ['/certificates', '/certificates/web', '/certificates/internal', '/certificates/busy'];
    const answers = await Promise.all(paths.map(async (path) => (await fetch(`${url}${path}`)).text()));
    const files = await Promise.all(
      ['inventory.json', 'schedules.json', 'executions.txt'].map((file) =>
        readFile(join(dir, file), 'utf8').catch(() => ''),
      ),
    );
    const keys = await storedKeyPems(dir);
    assert.ok(keys.length >= 4, `found ${keys.length} keys`);
    assertNoKeyMaterial(
      { 'service output': output, 'API answers': answers.join('\n'), 'state files': files.join('\n') },
      keys,
    );
  });

  it('stops Pebble, challtestsrv and itself on Ctrl-C', async () => {
    const exited = new Promise<void>((resolve) => service.on('exit', () => resolve()));
    // Ctrl-C in a terminal signals the whole foreground process group: npm and the service.
    process.kill(-service.pid!, 'SIGINT');
    await exited;
    const deadline = Date.now() + 5_000;
    while (!output.includes('certflow: stopping') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(output, /certflow: stopping/);
    await new Promise((r) => setTimeout(r, 500));
    // Its own process group only (Pebble and challtestsrv are its children): other runs on the
    // machine may have Pebbles of their own.
    const left = await run('sh', ['-c', `pgrep -g ${service.pid} || true`]);
    assert.equal(left.out.trim(), '', 'no process of this local service is left');
  });
});
