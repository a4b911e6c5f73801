import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import { LocalEventPublisher } from '../../shared/adapters/local/local-event-publisher.js';
import { dueExecutionName, restartExecutionName } from '../../shared/certificates/executions.js';
import type { CertificateRecord } from '../../shared/domain/record.js';
import { type CertificateStatus, type IssuanceLease, getCondition } from '../../shared/domain/status.js';
import type { AcmeIssuerConfig } from '../../shared/issuers/registry.js';
import type { TxtRecord } from '../../shared/ports/dns.js';
import { TransientError } from '../../shared/errors.js';
import type { Inventory } from '../../shared/ports/inventory.js';
import type { ExecutionDescription, IssuanceStarter } from '../../shared/ports/executions.js';
import type { ExecutionInput } from '../../shared/ports/executions.js';
import type { SweepDependencies, SweepOptions, SweepReport } from '../../shared/renewal/sweep.js';
import { LocalRenewalScheduler } from '../../shared/local/scheduler.js';

// Powertools' dev mode writes EMF and log lines through the global console, where a test can read
// them (its own Console on process.stdout is shared with the test runner's report). Metrics stay
// on: dev mode alone would turn them off. Set before the modules that create the instances load.
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const { flushMetrics, metrics } = await import('../../shared/monitoring/metrics.js');
const { sweep } = await import('../../shared/renewal/sweep.js');
const { readSweepOptions } = await import('../../shared/wiring/environment.js');
const { abandonedFor } = await import('../support/settle-deps.js');

const NOW = new Date('2026-03-01T00:00:00.000Z');
const clock = { now: () => NOW };
const options = { expiryWarningDays: 20 };

function record(name: string, status: Partial<CertificateStatus>): CertificateRecord {
  return {
    name,
    spec: { name, dnsNames: [`${name}.example.com`], issuerRef: { name: 'letsencrypt' } } as CertificateRecord['spec'],
    revision: 2,
    version: 1,
    status: { conditions: [], failedIssuanceAttempts: 0, ...status },
    events: [],
    createdAt: '2025-06-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

const issued = (notBefore: string, notAfter: string, renewalTime: string): Partial<CertificateStatus> => ({
  notBefore,
  notAfter,
  renewalTime,
  revision: 2,
  serialNumber: `serial-${notAfter}`,
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certflow/certificates/x',
});

/** One certificate in each state the sweep must tell apart. */
const CERTIFICATES = {
  valid: record('valid', issued('2026-02-01T00:00:00Z', '2026-05-02T00:00:00Z', '2026-04-01T00:00:00Z')),
  due: record('due', issued('2026-01-01T00:00:00Z', '2026-03-31T00:00:00Z', '2026-02-28T20:00:00Z')),
  overdue: record('overdue', issued('2025-12-25T00:00:00Z', '2026-03-25T00:00:00Z', '2026-02-20T00:00:00Z')),
  expired: record('expired', issued('2025-11-27T00:00:00Z', '2026-02-25T00:00:00Z', '2026-01-25T00:00:00Z')),
  // Its renewal is late (it keeps failing and is backing off) and 10 days are left: the alarm case.
  expiring: record('expiring', {
    ...issued('2026-02-09T00:00:00Z', '2026-03-11T00:00:00Z', '2026-02-25T00:00:00Z'),
    failedIssuanceAttempts: 4,
    lastFailureTime: '2026-02-28T20:00:00Z',
    nextAttemptTime: '2026-03-01T04:00:00Z',
  }),
  // Short-lived and on schedule: inside the 20-day window its whole life, but nothing is late.
  shortLived: record('short-lived', issued('2026-02-27T00:00:00Z', '2026-03-05T00:00:00Z', '2026-03-03T00:00:00Z')),
  retryDue: record('retry-due', {
    ...issued('2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-02-27T00:00:00Z'),
    failedIssuanceAttempts: 2,
    lastFailureTime: '2026-02-28T21:00:00Z',
    nextAttemptTime: '2026-02-28T23:00:00Z',
  }),
  backingOff: record('backing-off', {
    ...issued('2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-02-27T00:00:00Z'),
    failedIssuanceAttempts: 3,
    lastFailureTime: '2026-02-28T23:00:00Z',
    nextAttemptTime: '2026-03-01T03:00:00Z',
  }),
  neverIssuedBackingOff: record('first-try-failed', {
    failedIssuanceAttempts: 1,
    lastFailureTime: '2026-02-28T23:30:00Z',
    nextAttemptTime: '2026-03-01T00:30:00Z',
  }),
};

/** Starts each execution name once, as Step Functions does. */
class RecordingStarter implements IssuanceStarter {
  readonly names = new Set<string>();
  readonly starts: { executionName: string; input: ExecutionInput }[] = [];
  constructor(private readonly failing = new Set<string>()) {}

  async start(executionName: string, input: ExecutionInput): Promise<{ started: boolean }> {
    await new Promise((resolve) => setImmediate(resolve));
    if ([...this.failing].some((name) => executionName.startsWith(`${name}-`))) {
      throw new TransientError('stepfunctions: throttled');
    }
    if (this.names.has(executionName)) return { started: false };
    this.names.add(executionName);
    this.starts.push({ executionName, input });
    return { started: true };
  }

  /** What `describe` answers per execution name (MISSING otherwise), and the names it was asked. */
  readonly descriptions = new Map<string, ExecutionDescription>();
  readonly described: string[] = [];

  async describe(executionName: string): Promise<ExecutionDescription> {
    this.described.push(executionName);
    return this.descriptions.get(executionName) ?? { status: 'MISSING' };
  }
}

/** An inventory that reports which reads it served. */
function spying(inventory: Inventory, calls: string[]): Inventory {
  return {
    get: (name) => inventory.get(name),
    put: (r, v) => inventory.put(r, v),
    delete: (name, v) => inventory.delete(name, v),
    list: (o) => (calls.push('list'), inventory.list(o)),
    listDue: (before, o) => (calls.push('listDue'), inventory.listDue(before, o)),
    listExpiring: (before, o) => (calls.push('listExpiring'), inventory.listExpiring(before, o)),
  };
}

/** What went to the console: EMF documents and log lines. */
const printed: string[] = [];
const consoleMethods = ['log', 'info', 'warn', 'error'] as const;
const originalConsole = Object.fromEntries(consoleMethods.map((m) => [m, console[m]]));

/** The EMF documents printed while `work` runs. */
async function emfDuring(work: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const from = printed.length;
  await work();
  return printed
    .slice(from)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((doc) => doc._aws?.CloudWatchMetrics);
}

/** One sweep with its metrics flushed; what it printed is captured, not shown. */
async function run(deps: SweepDependencies, sweepOptions: SweepOptions = options) {
  let report: SweepReport | undefined;
  const docs = await emfDuring(async () => {
    report = await sweep(deps, sweepOptions);
    flushMetrics();
  });
  return { report: report!, docs };
}

describe('Function: sweep', () => {
  before(() => {
    for (const m of consoleMethods) console[m] = (line: unknown) => void printed.push(String(line));
  });

  after(() => {
    Object.assign(console, originalConsole);
  });

  let inventory: MemoryInventory;
  let starter: RecordingStarter;
  let events: LocalEventPublisher;
  let deps: SweepDependencies;

  beforeEach(async () => {
    metrics.clearMetrics();
    inventory = new MemoryInventory();
    for (const r of Object.values(CERTIFICATES)) await inventory.put(r, 0);
    starter = new RecordingStarter();
    events = new LocalEventPublisher({ now: clock.now });
    const scheduler = new LocalRenewalScheduler();
    deps = {
      inventory,
      issuance: starter,
      events,
      clock,
      scheduler,
      abandoned: abandonedFor({ inventory, issuance: starter, events, clock, scheduler }),
    };
  });

  it('starts the due, overdue, expired and retry-due certificates, and no other', async () => {
    await run(deps);
    assert.deepEqual(starter.starts.map((s) => s.input.name).sort(), ['due', 'expired', 'overdue', 'retry-due']);
  });

  it('names each execution after the due time it acts on, as the schedule does', async () => {
    await run(deps);
    const names = Object.fromEntries(starter.starts.map((s) => [s.input.name, s.executionName]));
    assert.equal(names.due, dueExecutionName(CERTIFICATES.due, new Date('2026-02-28T20:00:00Z')));
    // After a failure, RecordFailure schedules the end of the backoff: the sweep uses that time too.
    assert.equal(names['retry-due'], dueExecutionName(CERTIFICATES.retryDue, new Date('2026-02-28T23:00:00Z')));
  });

  it('gives a renewal the reason Renewing and a retry the reason Retrying', async () => {
    await run(deps);
    const reasons = Object.fromEntries(starter.starts.map((s) => [s.input.name, s.input.reason]));
    assert.deepEqual(reasons, { due: 'Renewing', overdue: 'Renewing', expired: 'Renewing', 'retry-due': 'Retrying' });
  });

  it('skips a certificate still backing off even though its renewal time has passed', async () => {
    const { report } = await run(deps);
    assert.ok(!starter.starts.some((s) => s.input.name === 'backing-off'));
    // Not even read: after a failure, its due time is the end of its backoff.
    assert.equal(report.skipped, 0);
  });

  it('does not warn about a short-lived certificate whose renewal is on schedule', async () => {
    await run(deps);
    assert.ok(!events.published.some((e) => e.detail.name === 'short-lived'));
  });

  it('starts each due time once when two sweeps run at once', async () => {
    let reports: SweepReport[] = [];
    await emfDuring(async () => {
      reports = await Promise.all([sweep(deps, options), sweep(deps, options)]);
      flushMetrics();
    });
    const [a, b] = reports as [SweepReport, SweepReport];
    assert.equal(starter.starts.length, 4);
    assert.equal(a.started + b.started, 4);
    assert.equal(a.alreadyStarted + b.alreadyStarted, 4);
  });

  it('counts a due time the schedule already started as already started', async () => {
    await starter.start(dueExecutionName(CERTIFICATES.due, new Date('2026-02-28T20:00:00Z')), { name: 'due' });
    const { report } = await run(deps);
    assert.equal(report.due, 4);
    assert.equal(report.started, 3);
    assert.equal(report.alreadyStarted, 1);
  });

  it('reads only the time indexes, page by page, never the whole list', async () => {
    const calls: string[] = [];
    const { report } = await run({ ...deps, inventory: spying(inventory, calls) }, { ...options, pageSize: 2 });
    assert.ok(!calls.includes('list'));
    // Four records in the due index (no backing-off one: its due time is its retry) and three
    // in the expiring window (expired, expiring, short-lived): 2 + 2 pages.
    assert.deepEqual(calls, ['listDue', 'listDue', 'listExpiring', 'listExpiring']);
    assert.equal(report.pages, 4);
    assert.equal(report.recordsRead, 7);
  });

  it('publishes one Certificate Expiring event per certificate within the warning window', async () => {
    await run(deps);
    const expiring = events.published.filter((e) => e.type === 'Certificate Expiring');
    assert.deepEqual(expiring.map((e) => e.detail.name).sort(), ['expired', 'expiring']);
    assert.deepEqual(expiring.find((e) => e.detail.name === 'expiring')?.detail, {
      name: 'expiring',
      revision: 2,
      issuer: 'letsencrypt',
      serialNumber: 'serial-2026-03-11T00:00:00Z',
      notAfter: '2026-03-11T00:00:00Z',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certflow/certificates/x',
      reason: 'Expiring',
      message: '10 days left',
    });
  });

  it('gives an expired certificate the reason Expired', async () => {
    const { report } = await run(deps);
    const expired = events.published.find((e) => e.detail.name === 'expired');
    assert.equal(expired?.detail.reason, 'Expired');
    assert.equal(report.expiring, 2);
    assert.equal(report.expired, 1);
  });

  it('keeps going when a start fails, and counts the error', async () => {
    starter = new RecordingStarter(new Set(['overdue']));
    const { report } = await run({ ...deps, issuance: starter });
    assert.equal(report.errors, 1);
    assert.equal(report.started, 3);
  });

  it('emits the expiring count, due count and error count, each once', async () => {
    const { docs } = await run(deps);
    const counts = docs.find((d) => 'CertificatesExpiringSoon' in d);
    assert.ok(counts, 'a document carries the counts');
    assert.equal(counts.CertificatesExpiringSoon, 2);
    assert.equal(counts.CertificatesDue, 4);
    assert.equal(counts.SweepErrors, 0);
    assert.equal(counts._aws.CloudWatchMetrics[0].Namespace, 'certflow');
  });

  it('emits the expiring count even when nothing expires, so the alarm has data', async () => {
    const empty = { ...deps, inventory: new MemoryInventory() };
    const { docs } = await run(empty);
    assert.deepEqual(
      docs.filter((d) => 'CertificatesExpiringSoon' in d).map((d) => d.CertificatesExpiringSoon),
      [0],
    );
  });

  it('emits days to expiry per expiring certificate, with the name as its dimension', async () => {
    const { docs } = await run(deps);
    const expiring = docs.find((d) => d.name === 'expiring' && 'DaysToExpiry' in d);
    assert.ok(expiring);
    assert.equal(expiring.DaysToExpiry, 10);
    assert.deepEqual(expiring._aws.CloudWatchMetrics[0].Dimensions, [['service', 'name']]);
  });

  it('gives a certificate that is not expiring no metric of its own', async () => {
    const { docs } = await run(deps);
    assert.ok(!docs.some((d) => ['valid', 'due', 'overdue', 'retry-due'].includes(d.name)));
  });
});

describe('Function: sweep, issuances that ended holding their lease', () => {
  before(() => {
    for (const m of consoleMethods) console[m] = (line: unknown) => void printed.push(String(line));
  });

  after(() => {
    Object.assign(console, originalConsole);
  });

  const HOUR = 3_600_000;
  const ISSUER: AcmeIssuerConfig = {
    kind: 'acme',
    name: 'letsencrypt',
    server: 'https://acme.test/dir',
    solvers: [{ dns01: { route53: {} } }],
  };

  /** A record whose issuance started `hoursAgo` and still holds the lease. */
  function leased(name: string, hoursAgo: number): CertificateRecord {
    const base = record(name, issued('2026-02-01T00:00:00Z', '2026-05-02T00:00:00Z', '2026-04-01T00:00:00Z'));
    const lease: IssuanceLease = {
      id: `${name}-r2-x`,
      revision: 2,
      generation: base.createdAt,
      startedAt: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(),
      issuer: 'letsencrypt',
    };
    return { ...base, status: { ...base.status, issuance: lease } };
  }

  async function setup(records: CertificateRecord[]) {
    const inventory = new MemoryInventory();
    for (const r of records) await inventory.put(r, 0);
    const starter = new RecordingStarter();
    const events = new LocalEventPublisher({ now: clock.now });
    const scheduler = new LocalRenewalScheduler();
    const cleaned: TxtRecord[][] = [];
    const dns = {
      solverFor: () => ({
        present: async () => [],
        isPropagated: async () => true,
        cleanUp: async (r: TxtRecord[]) => void cleaned.push(r),
      }),
    };
    const base = { inventory, issuance: starter, events, clock, scheduler };
    const deps: SweepDependencies = { ...base, abandoned: abandonedFor(base, { issuers: [ISSUER], dns }) };
    return { inventory, starter, events, scheduler, cleaned, deps };
  }

  for (const status of ['FAILED', 'TIMED_OUT', 'MISSING'] as const) {
    it(`settles and restarts an issuance past its lease whose execution is ${status}`, async () => {
      const stale = leased('stale', 3);
      const { inventory, starter, scheduler, deps } = await setup([stale]);
      if (status !== 'MISSING') starter.descriptions.set('stale-r2-x', { status, error: 'States.Timeout' });
      const { report } = await run(deps);

      assert.deepEqual(starter.described, ['stale-r2-x']);
      assert.equal(report.abandoned, 1);
      assert.equal(report.started, 1);
      assert.equal(report.errors, 0);
      const settled = (await inventory.get('stale'))!;
      assert.equal(settled.status.issuance, undefined, 'the lease is released');
      assert.equal(settled.status.failedIssuanceAttempts, 1);
      assert.equal(getCondition(settled.status.conditions, 'Issuing')?.reason, 'Failed');
      assert.equal(scheduler.list().stale?.at, settled.status.nextAttemptTime, 'the retry is scheduled too');
      const name = restartExecutionName(settled, stale.status.issuance!);
      assert.equal(name, `stale-retry1-${(NOW.getTime() - 3 * HOUR).toString(36)}`);
      assert.deepEqual(starter.starts, [{ executionName: name, input: { name: 'stale', reason: 'Retrying' } }]);
    });
  }

  it('leaves an issuance past its lease whose execution still runs', async () => {
    const stale = leased('stale', 3);
    const { inventory, starter, deps } = await setup([stale]);
    starter.descriptions.set('stale-r2-x', { status: 'RUNNING' });
    const { report } = await run(deps);
    assert.deepEqual(starter.described, ['stale-r2-x']);
    assert.equal(report.skipped, 1);
    assert.equal(report.abandoned, 0);
    assert.deepEqual(starter.starts, []);
    assert.deepEqual(await inventory.get('stale'), stale, 'the lease is kept');
  });

  it('does not ask about an issuance whose lease is live, and removes the record’s leftovers', async () => {
    // Leftovers put the record in the due index at once, even under a live lease.
    const live = leased('live', 1);
    const records = [
      { recordName: '_acme-challenge.live.example.com', value: 'txt-1', solver: 0 },
      { recordName: '_acme-challenge.live.example.com', value: 'txt-2', solver: 0 },
    ];
    const littered = {
      ...live,
      status: {
        ...live.status,
        leftovers: [{ issuanceId: 'live-r1-x', issuer: 'letsencrypt', records, since: '2026-02-28T23:00:00.000Z' }],
      },
    };
    const { inventory, starter, cleaned, deps } = await setup([littered]);
    const { report } = await run(deps);
    assert.deepEqual(starter.described, [], 'describe is not called');
    assert.deepEqual(starter.starts, []);
    assert.equal(report.skipped, 1);
    assert.equal(report.leftoversRemoved, 2);
    assert.equal(report.errors, 0);
    assert.deepEqual(cleaned, [
      [
        { name: '_acme-challenge.live.example.com', value: 'txt-1' },
        { name: '_acme-challenge.live.example.com', value: 'txt-2' },
      ],
    ]);
    const after = (await inventory.get('live'))!;
    assert.equal(after.status.leftovers, undefined);
    assert.deepEqual(after.status.issuance, live.status.issuance, 'the live lease is kept');
    assert.equal(after.events.at(-1)?.reason, 'LeftoversRemoved');
  });

  it('counts a leftover it cannot remove as an error, and keeps it', async () => {
    const base = record('littered', issued('2026-02-01T00:00:00Z', '2026-05-02T00:00:00Z', '2026-04-01T00:00:00Z'));
    const leftover = {
      issuanceId: 'littered-r1-x',
      issuer: 'not-configured',
      records: [{ recordName: '_acme-challenge.littered.example.com', value: 'txt-1', solver: 0 }],
      since: '2026-02-28T23:00:00.000Z',
    };
    const littered = { ...base, status: { ...base.status, leftovers: [leftover] } };
    const { inventory, deps } = await setup([littered]);
    const { report } = await run(deps);
    assert.equal(report.leftoversRemoved, 0);
    assert.equal(report.errors, 1);
    assert.deepEqual((await inventory.get('littered'))!.status.leftovers, [leftover]);
  });
});

describe('Function: readSweepOptions', () => {
  it('warns 20 days ahead when nothing is configured', () => {
    assert.deepEqual(readSweepOptions({}), { expiryWarningDays: 20 });
  });

  it('reads the warning window from CERTFLOW_EXPIRY_WARNING_DAYS', () => {
    assert.deepEqual(readSweepOptions({ CERTFLOW_EXPIRY_WARNING_DAYS: '30' }), { expiryWarningDays: 30 });
  });

  it('names the variable when its value is not a positive number', () => {
    assert.throws(() => readSweepOptions({ CERTFLOW_EXPIRY_WARNING_DAYS: 'soon' }), /CERTFLOW_EXPIRY_WARNING_DAYS/);
  });

  for (const raw of ['soon', '0', '-3', 'Infinity']) {
    it(`refuses CERTFLOW_EXPIRY_WARNING_DAYS=${raw} with a config error that names the variable and its value`, () => {
      assert.throws(() => readSweepOptions({ CERTFLOW_EXPIRY_WARNING_DAYS: raw }), {
        name: 'CertflowError',
        message: `config: CERTFLOW_EXPIRY_WARNING_DAYS must be a positive number of days, not "${raw}"`,
      });
    });
  }

  it('takes an empty CERTFLOW_EXPIRY_WARNING_DAYS as unset', () => {
    assert.deepEqual(readSweepOptions({ CERTFLOW_EXPIRY_WARNING_DAYS: '' }), { expiryWarningDays: 20 });
  });

  it('reads only the env object it is given', () => {
    const saved = process.env.CERTFLOW_EXPIRY_WARNING_DAYS;
    process.env.CERTFLOW_EXPIRY_WARNING_DAYS = '7';
    try {
      assert.deepEqual(readSweepOptions({}), { expiryWarningDays: 20 });
    } finally {
      if (saved === undefined) delete process.env.CERTFLOW_EXPIRY_WARNING_DAYS;
      else process.env.CERTFLOW_EXPIRY_WARNING_DAYS = saved;
    }
  });
});
