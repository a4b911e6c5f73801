/**
 * Everything an end-to-end issuance test needs: a real Pebble + challtestsrv on loopback, the
 * synthesized state machine run locally with the real handlers, local adapters in a temp dir,
 * and a capture of everything written to stdout/stderr (to prove no key is ever logged).
 */
import { X509Certificate } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../infra/synth.js';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import { type Pebble, startPebble } from '../../shared/local/pebble.js';
import {
  type ExecutionResult,
  type Handler,
  LocalStateMachine,
  type Template,
} from '../../shared/local/state-machine.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DnsSolverFactory } from '../../shared/ports/dns.js';
import { setDependencies } from '../../shared/wiring/index.js';
import { captureOutput } from './capture-output.js';
import { type LocalDependencies, localDependencies } from '../../shared/local/dependencies.js';

export interface Harness {
  pebble: Pebble;
  deps: LocalDependencies;
  machine: LocalStateMachine;
  /** The synthesized template and the handler loader the machine runs (for machines of a test's own). */
  template: Template;
  loadHandler: (step: string) => Promise<Handler>;
  dir: string;
  logs: () => string;
  executions: ExecutionResult[];
  issue(input: unknown, options?: { crashAfterWork?: boolean }): Promise<ExecutionResult>;
  stop(): Promise<void>;
}

export async function startHarness(options: {
  issuers: (pebble: Pebble) => IssuerConfig[] | Promise<IssuerConfig[]>;
  dns?: (pebble: Pebble) => DnsSolverFactory | undefined;
  pebbleEnv?: Record<string, string>;
  /** Extra keys of Pebble's config (e.g. externalAccountBindingRequired). */
  pebbleConfig?: Record<string, unknown>;
  /** Operator secrets by ARN (EAB HMAC keys). */
  secrets?: Record<string, string>;
  clock?: Clock;
}): Promise<Harness> {
  const pebble = await startPebble({ env: options.pebbleEnv, config: options.pebbleConfig });
  const dir = await mkdtemp(join(tmpdir(), 'certflow-it-'));
  const issuers = await options.issuers(pebble);
  const template = synthesizeTemplate(loadConfig({ issuers }));
  const deps = localDependencies({
    dir,
    issuers,
    httpsAgent: pebble.httpsAgent,
    dns: options.dns?.(pebble),
    dnsServers: [`127.0.0.1:${pebble.challtestsrv.dnsPort}`],
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  setDependencies(deps);
  const loadHandler = async (step: string): Promise<Handler> => (await import(`../../functions/${step}.ts`)).handler;
  const machine = new LocalStateMachine({ template, loadHandler });
  const crashingMachine = new LocalStateMachine({ template, loadHandler, crashAfterWork: true });
  const output = captureOutput();
  const executions: ExecutionResult[] = [];
  return {
    pebble,
    deps,
    machine,
    template,
    loadHandler,
    dir,
    logs: output.text,
    executions,
    async issue(input, issueOptions) {
      const result = await (issueOptions?.crashAfterWork ? crashingMachine : machine).execute(input);
      executions.push(result);
      return result;
    },
    async stop() {
      output.restore();
      setDependencies(undefined);
      await pebble.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** TXT values of `name` as challtestsrv (the DNS Pebble validates against) serves them. */
export async function txtValues(dnsPort: number, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  try {
    return (await resolver.resolveTxt(name)).map((parts) => parts.join(''));
  } catch (error) {
    if (['ENODATA', 'ENOTFOUND'].includes((error as { code?: string }).code ?? '')) return [];
    throw error;
  }
}

/** Verifies leaf → intermediates → root by signature and issuer; returns the parsed leaf. */
export function verifyChain(chainPem: string, rootPem: string): X509Certificate {
  const certs = chainPem
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((b) => b.includes('BEGIN'))
    .map((b) => new X509Certificate(b));
  const root = new X509Certificate(rootPem);
  const path = [...certs, root];
  for (let i = 0; i < path.length - 1; i++) {
    const [child, parent] = [path[i]!, path[i + 1]!];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new Error(`chain broken between "${child.subject}" and "${parent.subject}"`);
    }
  }
  if (!root.verify(root.publicKey)) throw new Error('root is not self-signed');
  return certs[0]!;
}
