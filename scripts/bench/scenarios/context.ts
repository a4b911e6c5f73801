/**
 * What every scenario runs on: one Pebble, certflow's local pipeline (warmed up), and the peers
 * that could be installed and prepared; plus the interleaved runner the peer scenarios share.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPebble } from '../../../shared/local/pebble.js';
import { type CertflowPipeline, startCertflow } from '../measure/certflow.js';
import { type Peer, certbotPeer, ensurePeersInstalled, legoPeer } from '../measure/peers.js';
import type { BenchSettings } from './settings.js';
import { median } from '../measure/stats.js';

export type Tool = 'certflow' | 'lego' | 'certbot';
export const TOOLS: Tool[] = ['certflow', 'lego', 'certbot'];

export interface ToolResult {
  /** Per run: milliseconds (time scenarios) or certificates per second (throughput). */
  values: number[];
  failures: string[];
  value: number;
  note?: string;
}

export interface Scenario {
  id: string;
  title: string;
  kind: 'time' | 'throughput';
  tools: Partial<Record<Tool, ToolResult>>;
}

/** One certificate per call: `names` are unique per tool and run, so no authorization is reused. */
export type IssueOne = (
  tool: Tool,
  certName: string,
  names: string[],
  slot: number,
) => Promise<{ ok: boolean; error?: string }>;

export interface Bench {
  settings: BenchSettings;
  log: (line: string) => void;
  pipeline: CertflowPipeline;
  issueOne: IssueOne;
  /** Why a peer does not run, for each one that does not. */
  unavailable: Partial<Record<Tool, string>>;
  /** certflow and the peers that are ready. */
  activeTools: Tool[];
  /** Stops Pebble and removes the peers' scratch directory. */
  close(): Promise<void>;
}

/** Starts Pebble, gets each peer ready (one account, `peerProcesses` slots) and warms certflow up. */
export async function openBench(settings: BenchSettings, log: (line: string) => void): Promise<Bench> {
  if (settings.peers.length > 0) ensurePeersInstalled(log);
  const pebble = await startPebble({ env: { PEBBLE_WFE_NONCEREJECT: String(settings.nonceReject) } });
  const work = await mkdtemp(join(tmpdir(), 'certflow-bench-peers-'));
  const caFile = join(work, 'pebble-tls-ca.pem');
  await writeFile(caFile, pebble.tlsCaPem);
  const close = async () => {
    await pebble.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    const { pipeline } = await startCertflow(pebble, { waitMs: settings.waitMs, retryMs: settings.retryMs });
    const setup = {
      directoryUrl: pebble.directoryUrl,
      caFile,
      dnsPort: pebble.challtestsrv.dnsPort,
      managementUrl: pebble.challtestsrv.managementUrl,
      dir: work,
    };
    const peers: Partial<Record<Tool, Peer>> = {};
    const unavailable: Partial<Record<Tool, string>> = {};
    for (const name of ['lego', 'certbot'] as const) {
      if (!settings.peers.includes(name)) {
        unavailable[name] = 'not run (BENCH_PEERS)';
        continue;
      }
      const peer = name === 'lego' ? await legoPeer(setup) : await certbotPeer(setup);
      if (!peer.available) {
        unavailable[name] = peer.unavailableReason ?? 'unavailable';
        continue;
      }
      log(`bench: preparing ${name} (one account, ${settings.peerProcesses} slots)`);
      const ready = await peer.prepare(settings.peerProcesses);
      if (ready.ok) peers[name] = peer;
      else unavailable[name] = `could not issue: ${ready.error}`;
    }
    log('bench: warming up certflow (account registration, handler imports)');
    const warm = await pipeline.issue('warmup', ['warmup.certflow.bench.example.com']);
    if (warm.status !== 'SUCCEEDED') throw new Error(`certflow warm-up failed: ${warm.error}: ${warm.cause}`);

    const issueOne: IssueOne = async (tool, certName, names, slot) => {
      if (tool === 'certflow') {
        const run = await pipeline.issue(certName, names);
        return run.status === 'SUCCEEDED' ? { ok: true } : { ok: false, error: `${run.error}: ${run.cause}` };
      }
      return peers[tool]!.run(names, slot);
    };
    const activeTools = TOOLS.filter((t) => t === 'certflow' || peers[t]);
    return { settings, log, pipeline, issueOne, unavailable, activeTools, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs a scenario interleaved: run 1 of each tool, then run 2 of each tool, … */
export async function interleaved(
  bench: Bench,
  id: string,
  title: string,
  kind: Scenario['kind'],
  runs: number,
  once: (tool: Tool, run: number) => Promise<{ value: number; error?: string }>,
): Promise<Scenario> {
  const { unavailable, activeTools, log } = bench;
  const tools: Scenario['tools'] = {};
  for (const tool of TOOLS) {
    tools[tool] = unavailable[tool]
      ? { values: [], failures: [], value: Number.NaN, note: unavailable[tool] }
      : { values: [], failures: [], value: Number.NaN };
  }
  for (let run = 0; run < runs; run++) {
    for (const tool of activeTools) {
      log(`bench: ${id} run ${run + 1}/${runs}: ${tool}`);
      const r = await once(tool, run);
      if (r.error) tools[tool]!.failures.push(r.error);
      else tools[tool]!.values.push(r.value);
    }
  }
  for (const tool of activeTools) tools[tool]!.value = median(tools[tool]!.values);
  return { id, title, kind, tools };
}

/** A name unique to the tool, so no tool reuses another's authorizations. */
export const host = (tool: Tool, label: string) => `${label}.${tool}.bench.example.com`;

/** The time `work` takes, in milliseconds, with the first failure if any issuance failed. */
export async function timed(work: () => Promise<{ ok: boolean; error?: string }[]>) {
  const t = performance.now();
  const results = await work();
  const ms = performance.now() - t;
  const failed = results.filter((r) => !r.ok);
  return failed.length
    ? { value: ms, error: `${failed.length}/${results.length} failed: ${failed[0]!.error}` }
    : { value: ms };
}
