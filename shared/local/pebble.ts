/**
 * Starts Pebble and pebble-challtestsrv (Debian package `pebble`) on free loopback ports: the
 * local ACME CA of `npm run local` and of the integration tests. Pebble resolves DNS-01 through
 * challtestsrv, so a TXT record set there is what Pebble sees.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { CertflowError } from '../errors.js';
import { createLoopbackTls } from './tls.js';

export const PEBBLE_INSTALL_HINT =
  'install it with: sudo apt-get install -y pebble   (Debian/Ubuntu; provides pebble and pebble-challtestsrv)';

export interface PebbleOptions {
  /** Extra environment for Pebble (e.g. PEBBLE_WFE_NONCEREJECT). PEBBLE_VA_NOSLEEP=1 is set. */
  env?: Record<string, string>;
  /** Extra keys for Pebble's config (e.g. externalAccountBindingRequired). */
  config?: Record<string, unknown>;
}

export interface Challtestsrv {
  managementUrl: string;
  dnsPort: number;
  stop(): Promise<void>;
}

export interface Pebble {
  directoryUrl: string;
  managementUrl: string;
  challtestsrv: Challtestsrv;
  /** CA that signed Pebble's HTTPS certificate: trust it to talk to Pebble. */
  tlsCaPem: string;
  /** Trusts the public roots plus Pebble's listener CA. */
  httpsAgent: Agent;
  /** Pebble's issuing roots (management API `/roots/<index>`; more than one with PEBBLE_ALTERNATE_ROOTS). */
  rootPem(index?: number): Promise<string>;
  stop(): Promise<void>;
}

export function pebbleInstalled(): boolean {
  return ['pebble', 'pebble-challtestsrv'].every((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function get(url: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? request : httpRequest)(
      url,
      { agent, method: 'GET', timeout: 2_000 },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  output: () => string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new CertflowError(`local: ${what} did not start within ${timeoutMs} ms:\n${output()}`);
}

/** Starts a pebble-challtestsrv serving DNS on a free loopback port. */
export async function startChalltestsrv(): Promise<Challtestsrv> {
  const [dnsPort, managementPort] = [await freePort(), await freePort()];
  const { child, output } = startProcess(
    'pebble-challtestsrv',
    [
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-management',
      `127.0.0.1:${managementPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
    ],
    process.env,
  );
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  await waitUntil(
    'pebble-challtestsrv',
    async () =>
      (await fetch(`${managementUrl}/clear-txt`, { method: 'POST', body: JSON.stringify({ host: 'probe.invalid.' }) }))
        .ok,
    output,
  );
  return { managementUrl, dnsPort, stop: () => stopProcess(child) };
}

/** Starts Pebble with its own challtestsrv; `stop()` ends both and removes the temp files. */
export async function startPebble(options: PebbleOptions = {}): Promise<Pebble> {
  if (!pebbleInstalled()) throw new CertflowError(`local: pebble is not installed; ${PEBBLE_INSTALL_HINT}`);
  const dir = await mkdtemp(join(tmpdir(), 'certflow-pebble-'));
  const tls = await createLoopbackTls();
  await writeFile(join(dir, 'cert.pem'), tls.certPem);
  await writeFile(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
  const challtestsrv = await startChalltestsrv();
  const [port, managementPort] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'pebble-config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, 'cert.pem'),
        privateKey: join(dir, 'key.pem'),
        httpPort: 5002,
        tlsPort: 5001,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...options.config,
      },
    }),
  );
  const { child, output } = startProcess(
    'pebble',
    ['-config', join(dir, 'pebble-config.json'), '-dnsserver', `127.0.0.1:${challtestsrv.dnsPort}`, '-strict=false'],
    { ...process.env, PEBBLE_VA_NOSLEEP: '1', ...options.env },
  );
  const httpsAgent = new Agent({ ca: [...rootCertificates, tls.caPem], keepAlive: true });
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  const managementUrl = `https://127.0.0.1:${managementPort}`;
  try {
    await waitUntil('pebble', async () => (await get(directoryUrl, httpsAgent)).status === 200, output);
  } catch (error) {
    await stopProcess(child);
    await challtestsrv.stop();
    throw error;
  }
  return {
    directoryUrl,
    managementUrl,
    challtestsrv,
    tlsCaPem: tls.caPem,
    httpsAgent,
    rootPem: async (index = 0) => (await get(`${managementUrl}/roots/${index}`, httpsAgent)).body,
    stop: async () => {
      httpsAgent.destroy();
      await stopProcess(child);
      await challtestsrv.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
