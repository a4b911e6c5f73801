/**
 * `npm run bench`: certflow's local pipeline against lego and certbot on one Pebble, the Lambda
 * bundles' cold-start weight, and the cost per certificate at list prices. Prints Markdown and
 * writes the same results as JSON to bench/results/<timestamp>.json. Counts come from BENCH_*.
 */
import { cpus, totalmem } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPebble } from '../../shared/local/pebble.js';
import { ACME_STEPS, type BundleWeight, measureBundles } from './bundles.js';
import { type CertflowRun, startCertflow } from './certflow.js';
import { ACM_EXPORTABLE_PER_FQDN, type IssuanceCost, issuanceCost, monthlyCost } from './cost.js';
import { type Peer, certbotPeer, ensurePeersInstalled, legoPeer } from './peers.js';
import { envInt, kib, markdownTable, median, perSecond, pool, seconds, usd } from './stats.js';
import { type BurstRound, startBurstRig } from '../rigs/renewal-burst.js';

const settings = {
  singleRuns: envInt('BENCH_RUNS', 5, 1, 50),
  wildcardRuns: envInt('BENCH_WILDCARD_RUNS', 3, 1, 50),
  sequentialCount: envInt('BENCH_SEQUENTIAL_COUNT', 20, 1, 200),
  sequentialRuns: envInt('BENCH_SEQUENTIAL_RUNS', 3, 1, 10),
  parallelCount: envInt('BENCH_PARALLEL_COUNT', 50, 1, 500),
  parallelRuns: envInt('BENCH_PARALLEL_RUNS', 3, 1, 10),
  peerProcesses: envInt('BENCH_PEER_PROCESSES', 8, 1, 64),
  loadRuns: envInt('BENCH_LOAD_RUNS', 7, 7, 50),
  waitMs: envInt('BENCH_WAIT_MS', 5, 0, 10_000),
  retryMs: envInt('BENCH_RETRY_MS', 10, 0, 10_000),
  /** Certificates renewing at once against a Route53 allowing 5 requests/s; 0 skips it. */
  route53Burst: envInt('BENCH_ROUTE53_CERTIFICATES', 200, 0, 2_000),
  /** Also run the same burst without the request budget, for contrast. */
  route53Contrast: process.env.BENCH_ROUTE53_CONTRAST !== '0',
  peers: (process.env.BENCH_PEERS ?? 'lego,certbot').split(',').filter((p) => p === 'lego' || p === 'certbot'),
  bundles: process.env.BENCH_BUNDLES !== '0',
  /**
   * Pebble's nonce rejection, in percent. 0 by default: certbot 2.1.0 dies on a `badNonce`
   * (`AttributeError: can't set attribute`), which Pebble's default 5% makes likely in any run of
   * a few dozen requests; the fault suite covers certflow's own `badNonce` handling.
   */
  nonceReject: envInt('BENCH_NONCE_REJECT', 0, 0, 100),
};

const log = (line: string) => process.stderr.write(`${line}\n`);

type Tool = 'certflow' | 'lego' | 'certbot';
const TOOLS: Tool[] = ['certflow', 'lego', 'certbot'];

interface ToolResult {
  /** Per run: milliseconds (time scenarios) or certificates per second (throughput). */
  values: number[];
  failures: string[];
  value: number;
  note?: string;
}

interface Scenario {
  id: string;
  title: string;
  kind: 'time' | 'throughput';
  tools: Partial<Record<Tool, ToolResult>>;
}

/** One certificate per call: `names` are unique per tool and run, so no authorization is reused. */
type IssueOne = (
  tool: Tool,
  certName: string,
  names: string[],
  slot: number,
) => Promise<{ ok: boolean; error?: string }>;

async function main() {
  const started = Date.now();
  if (settings.peers.length > 0) ensurePeersInstalled(log);
  const pebble = await startPebble({ env: { PEBBLE_WFE_NONCEREJECT: String(settings.nonceReject) } });
  const work = await mkdtemp(join(tmpdir(), 'certflow-bench-peers-'));
  const caFile = join(work, 'pebble-tls-ca.pem');
  await writeFile(caFile, pebble.tlsCaPem);
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

    /** Runs a scenario interleaved: run 1 of each tool, then run 2 of each tool, … */
    async function scenario(
      id: string,
      title: string,
      kind: Scenario['kind'],
      runs: number,
      once: (tool: Tool, run: number) => Promise<{ value: number; error?: string }>,
    ): Promise<Scenario> {
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

    const host = (tool: Tool, label: string) => `${label}.${tool}.bench.example.com`;
    const timed = async (work: () => Promise<{ ok: boolean; error?: string }[]>) => {
      const t = performance.now();
      const results = await work();
      const ms = performance.now() - t;
      const failed = results.filter((r) => !r.ok);
      return failed.length
        ? { value: ms, error: `${failed.length}/${results.length} failed: ${failed[0]!.error}` }
        : { value: ms };
    };

    const scenarios: Scenario[] = [];
    scenarios.push(
      await scenario(
        'two-names',
        'one certificate, two names (median time)',
        'time',
        settings.singleRuns,
        (tool, run) =>
          timed(async () => [
            await issueOne(tool, `two-${run}`, [host(tool, `a.t${run}`), host(tool, `b.t${run}`)], 0),
          ]),
      ),
    );
    // certflow again, with the Wait states' own lengths (≥ 1 s, as in AWS), after each peer's run.
    log(`bench: two-names with real waits: certflow, ${settings.singleRuns} runs`);
    const realWaitRuns: number[] = [];
    for (let run = 0; run < settings.singleRuns; run++) {
      const t = performance.now();
      const r = await pipeline.issue(`real-${run}`, [host('certflow', `ra.r${run}`), host('certflow', `rb.r${run}`)], {
        realWaits: true,
      });
      if (r.status === 'SUCCEEDED') realWaitRuns.push(performance.now() - t);
    }
    const realWaits = median(realWaitRuns);
    scenarios.push(
      await scenario('wildcard', 'wildcard + apex (median time)', 'time', settings.wildcardRuns, (tool, run) =>
        timed(async () => [await issueOne(tool, `wild-${run}`, [host(tool, `*.w${run}`), host(tool, `w${run}`)], 0)]),
      ),
    );
    const seqCount = settings.sequentialCount;
    scenarios.push(
      await scenario(
        'sequential',
        `${seqCount} certificates one after another, one name each (total time)`,
        'time',
        settings.sequentialRuns,
        (tool, run) =>
          timed(async () => {
            const results = [];
            for (let i = 0; i < seqCount; i++)
              results.push(await issueOne(tool, `seq-${run}-${i}`, [host(tool, `q${run}-${i}`)], 0));
            return results;
          }),
      ),
    );
    const parCount = settings.parallelCount;
    const parallel = await scenario(
      'parallel',
      `${parCount} certificates at once, one name each (certflow: ${parCount} concurrent executions; peers: ${settings.peerProcesses} processes)`,
      'throughput',
      settings.parallelRuns,
      async (tool, run) => {
        const r = await timed(async () =>
          tool === 'certflow'
            ? Promise.all(
                Array.from({ length: parCount }, (_, i) =>
                  issueOne(tool, `par-${run}-${i}`, [host(tool, `p${run}-${i}`)], 0),
                ),
              )
            : pool(parCount, settings.peerProcesses, (i, slot) =>
                issueOne(tool, `par-${run}-${i}`, [host(tool, `p${run}-${i}`)], slot),
              ),
        );
        return { value: parCount / (r.value / 1000), ...(r.error ? { error: r.error } : {}) };
      },
    );
    scenarios.push(parallel);

    log('bench: cost runs (one name, ten names)');
    const costRuns: { names: number; run: CertflowRun }[] = [];
    for (const names of [1, 10]) {
      const run = await pipeline.issue(
        `cost-${names}`,
        Array.from({ length: names }, (_, i) => host('certflow', `c${names}-${i}`)),
      );
      if (run.status !== 'SUCCEEDED') throw new Error(`cost run (${names} names) failed: ${run.error}: ${run.cause}`);
      costRuns.push({ names, run });
    }
    const costs = costRuns.map(({ names, run }) => ({
      measured: issuanceCost(run, names),
      pessimistic: issuanceCost(run, names, 1_000),
      taskStatesEntered: run.history.filter((e) => (e as { type?: string }).type === 'StateEntered' && isTaskEvent(e))
        .length,
    }));
    const month = monthlyCost(costs[0]!.measured);

    const bursts: BurstRound[] = [];
    if (settings.route53Burst > 0) {
      // Its own Pebble and harness (the rig of test/integration/route53-budget.test.ts).
      const rig = await startBurstRig({ endpointRequestsPerSecond: 5, log });
      try {
        await rig.issueAll(settings.route53Burst);
        bursts.push(await rig.renewAll('paced'));
        if (settings.route53Contrast) bursts.push(await rig.renewAll('unpaced'));
      } finally {
        await rig.stop();
      }
    }

    let bundles: BundleWeight[] = [];
    if (settings.bundles) {
      log(`bench: bundling every function and loading each ${settings.loadRuns} times`);
      bundles = await measureBundles({
        outdir: join(process.cwd(), '.tmp', 'bench-bundles'),
        loadRuns: settings.loadRuns,
      });
    }

    const report = render({ scenarios, costs, month, bundles, unavailable, bursts, realWaits });
    process.stdout.write(`${report.markdown}\n`);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await mkdir(join(process.cwd(), 'bench', 'results'), { recursive: true });
    const file = join(process.cwd(), 'bench', 'results', `${stamp}.json`);
    await writeFile(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          durationSeconds: (Date.now() - started) / 1000,
          machine: {
            cpus: cpus().length,
            cpu: cpus()[0]?.model,
            memoryGb: totalmem() / 2 ** 30,
            node: process.version,
          },
          settings,
          scenarios,
          costs,
          month,
          bundles,
          route53Bursts: bursts,
          realWaitsTwoNamesMs: realWaits,
          targets: report.targets,
          markdown: report.markdown,
        },
        null,
        2,
      ),
    );
    log(`bench: results written to ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await pebble.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function isTaskEvent(event: unknown): boolean {
  return (event as { state?: { type?: string } }).state?.type === 'Task';
}

interface Target {
  target: string;
  measured: string;
  pass: boolean | undefined;
}

function render(input: {
  scenarios: Scenario[];
  costs: { measured: IssuanceCost; pessimistic: IssuanceCost; taskStatesEntered: number }[];
  month: ReturnType<typeof monthlyCost>;
  bundles: BundleWeight[];
  unavailable: Partial<Record<Tool, string>>;
  bursts: BurstRound[];
  /** Median time of the two-name certificate with the Wait states' own lengths. */
  realWaits: number;
}) {
  const { scenarios, costs, month, bundles, bursts, realWaits } = input;
  const show = (s: Scenario, tool: Tool) => {
    const r = s.tools[tool]!;
    if (r.note && r.values.length === 0) return `— (${r.note})`;
    const value = s.kind === 'time' ? seconds(r.value) : perSecond(r.value);
    const failed = r.failures.length ? ` (${r.failures.length} failed run(s): ${r.failures[0]!.slice(0, 120)})` : '';
    return r.values.length ? `${value}${failed}` : `failed${failed}`;
  };
  const ratio = (s: Scenario, peer: Tool) => {
    const a = s.tools.certflow!.value;
    const b = s.tools[peer]!.value;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return '—';
    return s.kind === 'time' ? `${(a / b).toFixed(3)}× the time` : `${(a / b).toFixed(1)}× the throughput`;
  };
  const runsOf = (s: Scenario) =>
    Math.max(...TOOLS.map((t) => s.tools[t]!.values.length + s.tools[t]!.failures.length));
  const peersTable = markdownTable(
    ['scenario', 'runs', 'certflow', 'lego', 'certbot', 'certflow vs lego', 'certflow vs certbot'],
    scenarios.map((s) => [
      s.title,
      String(runsOf(s)),
      show(s, 'certflow'),
      show(s, 'lego'),
      show(s, 'certbot'),
      ratio(s, 'lego'),
      ratio(s, 'certbot'),
    ]),
  );

  const [one, ten] = costs;
  const costTable = markdownTable(
    ['per issuance', 'one name', 'ten names'],
    [
      ['state transitions (StateEntered)', String(one!.measured.transitions), String(ten!.measured.transitions)],
      [
        'Lambda invocations (handler calls; Task states entered)',
        `${one!.measured.invocations} (${one!.taskStatesEntered})`,
        `${ten!.measured.invocations} (${ten!.taskStatesEntered})`,
      ],
      [
        'GB-seconds (512 MB × measured handler time)',
        one!.measured.gbSeconds.toFixed(4),
        ten!.measured.gbSeconds.toFixed(4),
      ],
      [
        'Secrets Manager calls (store + account key ports)',
        String(one!.measured.secretsApiCalls),
        String(ten!.measured.secretsApiCalls),
      ],
      [
        'DynamoDB reads / writes (inventory port)',
        `${one!.measured.dynamodbReads} / ${one!.measured.dynamodbWrites}`,
        `${ten!.measured.dynamodbReads} / ${ten!.measured.dynamodbWrites}`,
      ],
      ['EventBridge events', String(one!.measured.events), String(ten!.measured.events)],
      ['Step Functions', usd(one!.measured.usd.stepFunctions), usd(ten!.measured.usd.stepFunctions)],
      ['Lambda (GB-s + requests)', usd(one!.measured.usd.lambda), usd(ten!.measured.usd.lambda)],
      ['Secrets Manager API', usd(one!.measured.usd.secretsManager), usd(ten!.measured.usd.secretsManager)],
      [
        'DynamoDB + EventBridge',
        usd(one!.measured.usd.dynamodb + one!.measured.usd.eventBridge),
        usd(ten!.measured.usd.dynamodb + ten!.measured.usd.eventBridge),
      ],
      ['**total per issuance**', `**${usd(one!.measured.usd.total)}**`, `**${usd(ten!.measured.usd.total)}**`],
      [
        'total if every Lambda call took 1 s (pessimistic)',
        usd(one!.pessimistic.usd.total),
        usd(ten!.pessimistic.usd.total),
      ],
      [
        'ACM exportable (documented, ~$15 per FQDN, 2025)',
        usd(ACM_EXPORTABLE_PER_FQDN),
        usd(10 * ACM_EXPORTABLE_PER_FQDN),
      ],
    ],
  );
  const monthTable = markdownTable(
    ['1,000 one-name certificates, 90 days, renewed at 60 days', 'per month'],
    [
      [`issuances (${month.issuances.toFixed(0)} a month)`, usd(month.issuanceUsd)],
      ['Secrets Manager storage (1,000 secrets all month)', usd(month.storageUsd)],
      ['EventBridge Scheduler (one invocation per renewal)', usd(month.schedulerUsd)],
      ['**certflow total**', `**${usd(month.totalUsd)}**`],
      ['ACM exportable at the same cadence (documented ~$15 per FQDN per issuance)', usd(month.acmeExportableUsd)],
    ],
  );

  const two = scenarios.find((s) => s.id === 'two-names')!;
  const par = scenarios.find((s) => s.id === 'parallel')!;
  const lego = (s: Scenario) => s.tools.lego!.value;
  const certflow = (s: Scenario) => s.tools.certflow!.value;
  const known = (...values: number[]) => values.every(Number.isFinite);
  const targets: Target[] = [
    {
      target: '≤ 40 state transitions, one-name issuance',
      measured: String(one!.measured.transitions),
      pass: one!.measured.transitions <= 40,
    },
    {
      target: '≤ $0.002 per one-name issuance',
      measured: usd(one!.measured.usd.total),
      pass: one!.measured.usd.total <= 0.002,
    },
    {
      target: "one certificate ≤ 0.5× lego's time",
      measured: known(certflow(two), lego(two)) ? `${(certflow(two) / lego(two)).toFixed(3)}×` : 'lego n/a',
      pass: known(certflow(two), lego(two)) ? certflow(two) <= 0.5 * lego(two) : undefined,
    },
    {
      target: `${settings.parallelCount} at once ≥ 3× lego's parallel throughput`,
      measured: known(certflow(par), lego(par)) ? `${(certflow(par) / lego(par)).toFixed(1)}×` : 'lego n/a',
      pass: known(certflow(par), lego(par)) ? certflow(par) >= 3 * lego(par) : undefined,
    },
    {
      target: "one certificate ≤ 0.5× lego's time, certflow with real Wait lengths (≥ 1 s, as in AWS)",
      measured: known(realWaits, lego(two))
        ? `${seconds(realWaits)}: ${(realWaits / lego(two)).toFixed(3)}×`
        : `${seconds(realWaits)} (lego n/a)`,
      pass: known(realWaits, lego(two)) ? realWaits <= 0.5 * lego(two) : undefined,
    },
    {
      target: 'budget: one two-name certificate ≤ 0.25 s median',
      measured: seconds(certflow(two)),
      pass: certflow(two) <= 250,
    },
    {
      target: `budget: ${settings.parallelCount} at once ≥ 10 certificates/s`,
      measured: perSecond(certflow(par)),
      pass: certflow(par) >= 10,
    },
  ];
  if (bundles.length) {
    const over = bundles.filter((b) => b.bytes > b.budgetBytes);
    const heaviest = bundles[0]!;
    const slowest = [...bundles].sort((a, b) => b.loadMs - a.loadMs)[0]!;
    targets.push(
      {
        target: 'budget: bundles ≤ 1 MB (ACME) / ≤ 300 KB (others)',
        measured: over.length
          ? over.map((b) => `${b.step} ${kib(b.bytes)}`).join(', ')
          : `largest ${heaviest.step} ${kib(heaviest.bytes)}`,
        pass: over.length === 0,
      },
      {
        target: 'budget: module load ≤ 150 ms',
        measured: `slowest ${slowest.step} ${slowest.loadMs.toFixed(0)} ms`,
        pass: slowest.loadMs <= 150,
      },
    );
  }
  const paced = bursts.find((b) => b.mode === 'paced');
  if (paced) {
    targets.push({
      target: `${paced.certificates} renewals at once, Route53 allowing 5 requests/s: all succeed, none throttled`,
      measured: `${paced.renewed}/${paced.certificates} renewed, ${paced.throttled} throttled, ${paced.route53Calls} calls in ${paced.seconds.toFixed(0)} s`,
      pass: paced.renewed === paced.certificates && paced.throttled === 0 && paced.leftoverRecords === 0,
    });
  }
  const burstTable = bursts.length
    ? markdownTable(
        [
          'Route53 requests',
          'renewed',
          'Route53 calls',
          'throttled',
          'most served in one second',
          'total time',
          'calls/s',
          '_acme-challenge left',
          'first failure',
        ],
        bursts.map((b) => [
          b.mode === 'paced'
            ? `paced: budget of 4/s (longest wait ${b.pacer!.longestWaitSeconds.toFixed(1)} s, ${b.pacer!.missed} slots re-booked, ${b.pacer!.refused} refused)`
            : 'unpaced (contrast: no budget)',
          `${b.renewed}/${b.certificates}`,
          String(b.route53Calls),
          String(b.throttled),
          String(b.peakPerSecond),
          `${b.seconds.toFixed(1)} s`,
          (b.route53Calls / b.seconds).toFixed(2),
          String(b.leftoverRecords),
          b.failed[0] ? `${b.failed.length} failed: ${b.failed[0].reason.slice(0, 100)}` : '—',
        ]),
      )
    : '_not run (BENCH_ROUTE53_CERTIFICATES=0)_';
  const verdict = (p: boolean | undefined) => (p === undefined ? 'n/a' : p ? 'PASS' : 'MISS');
  const targetTable = markdownTable(
    ['target', 'measured', 'result'],
    targets.map((t) => [t.target, t.measured, verdict(t.pass)]),
  );
  const bundleTable = bundles.length
    ? markdownTable(
        ['function', 'minified', 'budget', `module load (median of ${settings.loadRuns})`, 'result'],
        bundles.map((b) => [
          b.step + (ACME_STEPS.has(b.step) ? ' (ACME)' : ''),
          kib(b.bytes),
          kib(b.budgetBytes),
          `${b.loadMs.toFixed(0)} ms`,
          b.bytes <= b.budgetBytes && b.loadMs <= 150 ? 'PASS' : 'MISS',
        ]),
      )
    : '_bundles not measured (BENCH_BUNDLES=0)_';

  const markdown = [
    `## certflow bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Pebble + challtestsrv on loopback (PEBBLE_VA_NOSLEEP=1, ${settings.nonceReject}% nonce rejection); certflow waits ${settings.waitMs} ms, retries ${settings.retryMs} ms; ${cpus().length} CPUs, Node ${process.version}.`,
    '',
    '### Issuance against peers',
    '',
    peersTable,
    '',
    '### Targets',
    '',
    targetTable,
    '',
    '### Cost per certificate (list prices, us-east-1, 2025)',
    '',
    costTable,
    '',
    monthTable,
    '',
    '### Route53 rate limit: renewals at once',
    '',
    `${bursts[0]?.certificates ?? 0} certificates due together; the daily sweep starts every renewal; Route53 (the local endpoint) serves 5 requests in any second and answers \`Throttling\` beyond. Each renewal: zone look-up (cached), read + change TXT, GetChange until INSYNC, read + change to clean up.`,
    '',
    burstTable,
    '',
    '### Cold-start weight',
    '',
    bundleTable,
    '',
  ].join('\n');
  return { markdown, targets };
}

await main();
// acme-client's keep-alive agents and the handlers' clients hold no work: end now.
process.exit(0);
