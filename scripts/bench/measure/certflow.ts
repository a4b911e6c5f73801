/**
 * certflow's local pipeline as the bench drives it: the synthesized state machine, run by
 * `LocalStateMachine` with the real handlers and local adapters, waits shortened to a few ms. Every
 * handler call is timed, and every call to a port that stands for a billed AWS API is counted.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../../infra/synth.js';
import { AcmeClientGateway } from '../../../shared/issuers/acme/acme-client-gateway.js';
import { FileAccountKeyStore } from '../../../shared/adapters/local/file-certificate-store.js';
import type { IssuerConfig } from '../../../shared/issuers/registry.js';
import type { Pebble } from '../../../shared/local/pebble.js';
import { type ExecutionResult, type Handler, LocalStateMachine } from '../../../shared/local/state-machine.js';
import { setDependencies } from '../../../shared/wiring/index.js';
import { localDependencies } from '../../../shared/local/dependencies.js';

/** Which AWS service a local port stands for, and whether a call reads or writes. */
export type ApiKind = 'secretsManager' | 'dynamodbRead' | 'dynamodbWrite' | 'eventBridge' | 'scheduler';

export interface Invocation {
  step: string;
  ms: number;
}

export interface CertflowRun extends ExecutionResult {
  ms: number;
  invocations: Invocation[];
  apiCalls: Record<ApiKind, number>;
}

export interface CertflowPipeline {
  /** `realWaits`: the Wait states keep their own lengths instead of BENCH_WAIT_MS. */
  issue(name: string, dnsNames: string[], options?: { realWaits?: boolean }): Promise<CertflowRun>;
}

const INVENTORY_READS = new Set(['get', 'list', 'query', 'listDue', 'listExpiring', 'listByDueTime']);

function counting<T extends object>(
  target: T,
  kind: (method: string) => ApiKind,
  counts: () => Record<ApiKind, number>,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      return (...args: unknown[]) => {
        counts()[kind(property)]++;
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

const emptyCounts = (): Record<ApiKind, number> => ({
  secretsManager: 0,
  dynamodbRead: 0,
  dynamodbWrite: 0,
  eventBridge: 0,
  scheduler: 0,
});

export async function startCertflow(pebble: Pebble, options: { waitMs: number; retryMs: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'certflow-bench-'));
  const issuers: IssuerConfig[] = [
    {
      kind: 'acme',
      name: 'pebble',
      server: pebble.directoryUrl,
      email: 'ops@example.com',
      solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
    },
  ];
  const template = synthesizeTemplate(loadConfig({ issuers }));
  const deps = localDependencies({ dir, issuers, httpsAgent: pebble.httpsAgent });
  const current = { counts: emptyCounts(), invocations: [] as Invocation[] };
  const counts = () => current.counts;
  deps.store = counting(deps.store, () => 'secretsManager', counts);
  deps.acme = new AcmeClientGateway(counting(new FileAccountKeyStore({ dir }), () => 'secretsManager', counts));
  deps.inventory = counting(deps.inventory, (m) => (INVENTORY_READS.has(m) ? 'dynamodbRead' : 'dynamodbWrite'), counts);
  deps.events = counting(deps.events, () => 'eventBridge', counts);
  deps.scheduler = counting(deps.scheduler, () => 'scheduler', counts);
  setDependencies(deps);
  const loadHandler = async (step: string): Promise<Handler> => {
    const handler = (await import(`../../../functions/${step}.ts`)).handler as Handler;
    return async (event) => {
      const started = performance.now();
      try {
        return await handler(event);
      } finally {
        current.invocations.push({ step, ms: performance.now() - started });
      }
    };
  };
  const machine = new LocalStateMachine({ template, loadHandler, waitMs: options.waitMs, retryMs: options.retryMs });
  // The same pipeline with the Wait states' own lengths (at least 1 s, as in AWS): fair to peers
  // that poll every second.
  const realWaits = new LocalStateMachine({ template, loadHandler, waitMs: 'real', retryMs: options.retryMs });
  const pipeline: CertflowPipeline = {
    async issue(name, dnsNames, issueOptions) {
      const chosen = issueOptions?.realWaits ? realWaits : machine;
      // Counters are shared by concurrent executions; per-execution numbers come from sequential runs.
      const mine = { counts: emptyCounts(), invocations: [] as Invocation[] };
      Object.assign(current, mine);
      const started = performance.now();
      const result = await chosen.execute({
        certificate: { name, issuerRef: { name: 'pebble' }, dnsNames },
      });
      return { ...result, ms: performance.now() - started, invocations: mine.invocations, apiCalls: mine.counts };
    },
  };
  return { pipeline, deps, dir };
}
