/**
 * The bench's report: Markdown tables (peers, targets, cost, Route53 burst, cold start) and the
 * JSON file of bench/results/ holding the same results.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BurstRound } from '../rigs/renewal-burst.js';
import { ACME_STEPS, type BundleWeight } from './measure/bundles.js';
import { ACM_EXPORTABLE_PER_FQDN, type MonthlyCost } from './measure/cost.js';
import type { CostRow } from './scenarios/cost-runs.js';
import { type Scenario, TOOLS, type Tool } from './scenarios/context.js';
import type { BenchSettings } from './scenarios/settings.js';
import { kib, markdownTable, perSecond, seconds, usd } from './measure/stats.js';

export interface ReportInput {
  settings: BenchSettings;
  scenarios: Scenario[];
  costs: CostRow[];
  month: MonthlyCost;
  bundles: BundleWeight[];
  bursts: BurstRound[];
  /** Median time of the two-name certificate with the Wait states' own lengths. */
  realWaits: number;
}

interface Target {
  target: string;
  measured: string;
  pass: boolean | undefined;
}

/** The Markdown report and the targets it checks. */
export function render(input: ReportInput): { markdown: string; targets: Target[] } {
  const { settings, scenarios, costs, month, bundles, bursts } = input;
  const targets = targetsOf(input);
  const verdict = (p: boolean | undefined) => (p === undefined ? 'n/a' : p ? 'PASS' : 'MISS');
  const targetTable = markdownTable(
    ['target', 'measured', 'result'],
    targets.map((t) => [t.target, t.measured, verdict(t.pass)]),
  );
  const markdown = [
    `## certflow bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Pebble + challtestsrv on loopback (PEBBLE_VA_NOSLEEP=1, ${settings.nonceReject}% nonce rejection); certflow waits ${settings.waitMs} ms, retries ${settings.retryMs} ms; ${cpus().length} CPUs, Node ${process.version}.`,
    '',
    '### Issuance against peers',
    '',
    peersTable(scenarios),
    '',
    '### Targets',
    '',
    targetTable,
    '',
    '### Cost per certificate (list prices, us-east-1, 2025)',
    '',
    costTable(costs),
    '',
    monthTable(month),
    '',
    '### Route53 rate limit: renewals at once',
    '',
    `${bursts[0]?.certificates ?? 0} certificates due together; the daily sweep starts every renewal; Route53 (the local endpoint) serves 5 requests in any second and answers \`Throttling\` beyond. Each renewal: zone look-up (cached), read + change TXT, GetChange until INSYNC, read + change to clean up.`,
    '',
    burstTable(bursts),
    '',
    '### Cold-start weight',
    '',
    bundleTable(bundles, settings.loadRuns),
    '',
  ].join('\n');
  return { markdown, targets };
}

/** Writes the results as JSON to bench/results/<timestamp>.json; returns the file's path. */
export async function writeResults(
  input: ReportInput & { started: number; report: ReturnType<typeof render> },
): Promise<string> {
  const { started, settings, scenarios, costs, month, bundles, bursts, realWaits, report } = input;
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
  return file;
}

function peersTable(scenarios: Scenario[]): string {
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
  return markdownTable(
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
}

function costTable(costs: CostRow[]): string {
  const [one, ten] = costs;
  return markdownTable(
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
}

function monthTable(month: MonthlyCost): string {
  return markdownTable(
    ['1,000 one-name certificates, 90 days, renewed at 60 days', 'per month'],
    [
      [`issuances (${month.issuances.toFixed(0)} a month)`, usd(month.issuanceUsd)],
      ['Secrets Manager storage (1,000 secrets all month)', usd(month.storageUsd)],
      ['EventBridge Scheduler (one invocation per renewal)', usd(month.schedulerUsd)],
      ['**certflow total**', `**${usd(month.totalUsd)}**`],
      ['ACM exportable at the same cadence (documented ~$15 per FQDN per issuance)', usd(month.acmeExportableUsd)],
    ],
  );
}

function targetsOf(input: ReportInput): Target[] {
  const { settings, scenarios, costs, bundles, bursts, realWaits } = input;
  const one = costs[0];
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
  return targets;
}

function burstTable(bursts: BurstRound[]): string {
  if (!bursts.length) return '_not run (BENCH_ROUTE53_CERTIFICATES=0)_';
  return markdownTable(
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
  );
}

function bundleTable(bundles: BundleWeight[], loadRuns: number): string {
  if (!bundles.length) return '_bundles not measured (BENCH_BUNDLES=0)_';
  return markdownTable(
    ['function', 'minified', 'budget', `module load (median of ${loadRuns})`, 'result'],
    bundles.map((b) => [
      b.step + (ACME_STEPS.has(b.step) ? ' (ACME)' : ''),
      kib(b.bytes),
      kib(b.budgetBytes),
      `${b.loadMs.toFixed(0)} ms`,
      b.bytes <= b.budgetBytes && b.loadMs <= 150 ? 'PASS' : 'MISS',
    ]),
  );
}
