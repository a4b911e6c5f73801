/**
 * lego and certbot against the same Pebble + challtestsrv as certflow. Both solve DNS-01 through
 * challtestsrv's HTTP API with tiny shell hooks (lego's `exec` provider, certbot's manual hooks).
 * Each run is a real process; a failing run is reported as such, never replaced by a number.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type PeerName = 'lego' | 'certbot';

export interface PeerSetup {
  directoryUrl: string;
  /** File holding the CA of Pebble's HTTPS listener. */
  caFile: string;
  dnsPort: number;
  managementUrl: string;
  /** Scratch directory for hooks, accounts and certificates. */
  dir: string;
}

export interface RunResult {
  ok: boolean;
  ms: number;
  error?: string;
}

/** One peer: runs an issuance of `names` in a worker slot (slots do not share on-disk state). */
export interface Peer {
  name: PeerName;
  available: boolean;
  /** Why the peer cannot run, when it cannot. */
  unavailableReason?: string;
  run(names: string[], slot: number): Promise<RunResult>;
  /** Gets each slot ready (account registered once, copied to every slot). */
  prepare(slots: number): Promise<RunResult>;
}

const RUN_TIMEOUT_MS = 120_000;

const installed = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

const INSTALL_TIMEOUT_MS = 300_000;

/** Why a peer could not be installed, once ensurePeersInstalled tried; read when the peer is built. */
const installFailures = new Map<PeerName, string>();

/** Runs one apt-get command (through `sudo -n` when given) and says why it failed, if it did. */
function aptGet(sudo: boolean, args: string[]): string | undefined {
  const [command, ...rest] = sudo ? ['sudo', '-n', 'apt-get', ...args] : ['apt-get', ...args];
  const shown = [command, ...rest].join(' ');
  const r = spawnSync(command!, rest, {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: INSTALL_TIMEOUT_MS,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) {
    const timedOut = (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return `${shown}: ${timedOut ? `timed out after ${INSTALL_TIMEOUT_MS / 1000} s` : r.error.message}`;
  }
  if (r.status === 0) return undefined;
  const stderr = String(r.stderr ?? '')
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  // apt-get's last line is a summary ("E: Unable to locate package lego"); sudo's only line says why.
  const why = stderr.at(-1)?.trim().slice(0, 200) ?? 'no error output';
  return `${shown} exited with ${r.status ?? r.signal}: ${why}`;
}

/**
 * Installs lego and certbot with apt-get when missing (the only download the bench makes): as
 * root directly, otherwise through `sudo -n` (never prompting for a password). A peer that could
 * not be installed is reported unavailable with the reason, which is also logged on one line.
 */
export function ensurePeersInstalled(log: (line: string) => void): Partial<Record<PeerName, string>> {
  installFailures.clear();
  const missing = (['lego', 'certbot'] as const).filter((bin) => !installed(bin));
  if (missing.length === 0) return {};
  const fail = (peers: readonly PeerName[], reason: string) => {
    for (const peer of peers) {
      installFailures.set(peer, `could not be installed: ${reason}`);
      log(`bench: ${peer} unavailable, could not be installed: ${reason}`);
    }
  };
  const root = process.getuid?.() === 0;
  if (!installed('apt-get')) {
    fail(missing, `apt-get not found; install ${missing.join(' and ')} yourself`);
  } else if (!root && !installed('sudo')) {
    fail(missing, `apt-get needs root and sudo is not available; install ${missing.join(' and ')} as root`);
  } else {
    const sudo = !root;
    log(`bench: installing ${missing.join(' and ')} with ${sudo ? 'sudo -n ' : ''}apt-get`);
    if (aptGet(sudo, ['install', '-y', '-q', ...missing]) !== undefined) {
      // Often a stale or empty package index: refresh it, then install each one on its own so that
      // one package missing from the archive does not hold the other back.
      aptGet(sudo, ['update', '-q']);
      for (const peer of missing) {
        const failure = aptGet(sudo, ['install', '-y', '-q', peer]);
        if (failure !== undefined) fail([peer], failure);
      }
    }
    for (const peer of missing) {
      if (!installFailures.has(peer) && !installed(peer)) {
        fail([peer], `apt-get reported success but ${peer} is not on PATH`);
      }
    }
  }
  return Object.fromEntries(installFailures);
}

/** Whether a peer can run, and if not, why (the install failure when there was one). */
function availability(peer: PeerName): Pick<Peer, 'available' | 'unavailableReason'> {
  if (installed(peer)) return { available: true };
  return { available: false, unavailableReason: installFailures.get(peer) ?? `${peer} is not installed` };
}

function execute(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: String(error), ms: performance.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: performance.now() - started });
    });
  });
}

const lastLines = (text: string) => text.trim().split('\n').slice(-3).join(' / ').slice(0, 300);

async function script(file: string, body: string): Promise<string> {
  await writeFile(file, `#!/bin/sh\n${body}`);
  await chmod(file, 0o755);
  return file;
}

function curlJson(managementUrl: string, path: 'set-txt' | 'clear-txt', json: string): string {
  return `curl -sf -X POST -d "${json}" ${managementUrl}/${path} >/dev/null\n`;
}

export async function legoPeer(setup: PeerSetup): Promise<Peer> {
  const dir = join(setup.dir, 'lego');
  await mkdir(dir, { recursive: true });
  // lego's exec provider: `present|cleanup <fqdn with trailing dot> <value>`.
  const hook = await script(
    join(dir, 'exec.sh'),
    'case "$1" in\n' +
      `  present) ${curlJson(setup.managementUrl, 'set-txt', '{\\"host\\":\\"$2\\",\\"value\\":\\"$3\\"}').trim()} ;;\n` +
      `  cleanup) ${curlJson(setup.managementUrl, 'clear-txt', '{\\"host\\":\\"$2\\"}').trim()} ;;\n` +
      'esac\n',
  );
  const env = {
    ...process.env,
    EXEC_PATH: hook,
    LEGO_CA_CERTIFICATES: setup.caFile,
    EXEC_POLLING_INTERVAL: '1',
    EXEC_PROPAGATION_TIMEOUT: '30',
    // The exec provider solves names one at a time and sleeps 60 s between them by default.
    EXEC_SEQUENCE_INTERVAL: '0',
  };
  const run = async (names: string[]): Promise<RunResult> => {
    const args = [
      '--server',
      setup.directoryUrl,
      '--accept-tos',
      '--email',
      'x@example.com',
      '--dns',
      'exec',
      '--dns.resolvers',
      `127.0.0.1:${setup.dnsPort}`,
      '--dns.disable-cp',
      '--path',
      join(dir, 'data'),
      ...names.flatMap((n) => ['-d', n]),
      'run',
    ];
    const r = await execute('lego', args, env, dir);
    return r.code === 0 ? { ok: true, ms: r.ms } : { ok: false, ms: r.ms, error: lastLines(r.output) };
  };
  return {
    name: 'lego',
    ...availability('lego'),
    run: (names) => run(names),
    // One account in one --path, shared by parallel processes (they only read it).
    prepare: () => run([`prepare.lego.bench.example.com`]),
  };
}

export async function certbotPeer(setup: PeerSetup): Promise<Peer> {
  const dir = join(setup.dir, 'certbot');
  await mkdir(dir, { recursive: true });
  const auth = await script(
    join(dir, 'auth.sh'),
    curlJson(
      setup.managementUrl,
      'set-txt',
      '{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\",\\"value\\":\\"$CERTBOT_VALIDATION\\"}',
    ),
  );
  const cleanup = await script(
    join(dir, 'cleanup.sh'),
    curlJson(setup.managementUrl, 'clear-txt', '{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\"}'),
  );
  const env = { ...process.env, REQUESTS_CA_BUNDLE: setup.caFile };
  const slotDir = (slot: number) => join(dir, `slot-${slot}`);
  const run = async (names: string[], slot: number): Promise<RunResult> => {
    const base = slotDir(slot);
    const args = [
      'certonly',
      '--manual',
      '--preferred-challenges',
      'dns',
      '--manual-auth-hook',
      auth,
      '--manual-cleanup-hook',
      cleanup,
      '--server',
      setup.directoryUrl,
      '--config-dir',
      join(base, 'config'),
      '--work-dir',
      join(base, 'work'),
      '--logs-dir',
      join(base, 'logs'),
      '--non-interactive',
      '--agree-tos',
      '--register-unsafely-without-email',
      ...names.flatMap((n) => ['-d', n]),
    ];
    const r = await execute('certbot', args, env, dir);
    return r.code === 0 ? { ok: true, ms: r.ms } : { ok: false, ms: r.ms, error: lastLines(r.output) };
  };
  return {
    name: 'certbot',
    ...availability('certbot'),
    run,
    // certbot locks its directories: each parallel slot gets its own copy of the one account.
    prepare: async (slots) => {
      const first = await run([`prepare.certbot.bench.example.com`], 0);
      if (!first.ok) return first;
      for (let slot = 1; slot < slots; slot++) {
        await cp(join(slotDir(0), 'config', 'accounts'), join(slotDir(slot), 'config', 'accounts'), {
          recursive: true,
        });
      }
      return first;
    },
  };
}
