/**
 * Many certificates renewing at once against a Route53 that allows five requests per second: the
 * synthesized state machine with the real handlers, a real Pebble, the daily sweep starting every
 * renewal in one go, and Route53 reached through the AWS wiring itself (`dnsSolvers()`: the real
 * SDK against the local XML endpoint, every request booking its slot in a DynamoDB table served
 * by dynalite). Used by test/integration/route53-budget.test.ts (a few dozen certificates) and by
 * `npm run bench` (200).
 *
 * The first issuance of the certificates is not paced and not limited: it only sets the scene.
 */
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53DnsSolver } from '../../shared/solvers/adapters/route53.js';
import { getCondition } from '../../shared/domain/status.js';
import { LocalIssuanceStarter } from '../../shared/local/issuance-starter.js';
import type { ExecutionResult } from '../../shared/local/state-machine.js';
import { updateRecord } from '../../shared/inventory/records.js';
import { dnsSolvers, route53PacerFor } from '../../shared/wiring/aws/dns.js';
import type { DnsSolver } from '../../shared/ports/dns.js';
import { sweep } from '../../shared/renewal/sweep.js';
import { type Dynalite, startDynalite } from './dynalite.js';
import { type Harness, startHarness } from './issuance-harness.js';
import { type Route53Endpoint, startRoute53Endpoint } from './route53-endpoint.js';

const ZONE = 'example.org';
const SLOT_TABLE = 'certflow-request-slots';

export interface BurstRound {
  /** `paced`: the AWS wiring's Route53 client; `unpaced`: the same SDK client with no budget. */
  mode: 'paced' | 'unpaced';
  certificates: number;
  /** Renewals that ended Issued with a new serial. */
  renewed: number;
  failed: { name: string; reason: string }[];
  route53Calls: number;
  throttled: number;
  /** The most requests Route53 served in any one second (never above the endpoint's limit). */
  peakPerSecond: number;
  /** The most requests the pipeline sent in any one second, throttled ones included. */
  peakSentPerSecond: number;
  seconds: number;
  /** `_acme-challenge` TXT sets left in the zone afterwards. */
  leftoverRecords: number;
  /** The pacer's figures over the round (paced rounds only). */
  pacer?: { requests: number; waitedSeconds: number; longestWaitSeconds: number; refused: number; missed: number };
}

export interface BurstRig {
  harness: Harness;
  route53: Route53Endpoint;
  /** Every execution the rig ran, first issuances and renewals, with their histories. */
  executions(): ExecutionResult[];
  /** Issues `count` certificates (not paced, not limited): the certificates the rounds renew. */
  issueAll(count: number): Promise<void>;
  /** Makes every certificate due, limits Route53, runs the daily sweep and waits for every renewal. */
  renewAll(mode: BurstRound['mode']): Promise<BurstRound>;
  stop(): Promise<void>;
}

export interface BurstOptions {
  /** What the endpoint allows (Route53: 5). */
  endpointRequestsPerSecond: number;
  /** certflow's budget (CERTFLOW_ROUTE53_REQUESTS_PER_SECOND); 4 by default. */
  budgetRequestsPerSecond?: number;
  log?: (line: string) => void;
}

export async function startBurstRig(options: BurstOptions): Promise<BurstRig> {
  const log = options.log ?? (() => undefined);
  const dynalite: Dynalite = await startDynalite();
  await dynalite.createSlotTable(SLOT_TABLE);
  // The AWS wiring reads its configuration from the environment, as in Lambda.
  Object.assign(process.env, {
    CERTFLOW_SLOT_TABLE: SLOT_TABLE,
    CERTFLOW_ROUTE53_REQUESTS_PER_SECOND: String(options.budgetRequestsPerSecond ?? 4),
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALBURST',
    AWS_SECRET_ACCESS_KEY: 'local-burst-not-a-secret',
  });

  let current: DnsSolver | undefined;
  const solver = (): DnsSolver => {
    if (!current) throw new Error('renewal burst: no DNS solver set');
    return current;
  };
  const harness = await startHarness({
    // Every renewal validates anew: Pebble would otherwise reuse half of the authorizations.
    pebbleEnv: { PEBBLE_AUTHZREUSE: '0' },
    issuers: (pebble) => [
      {
        kind: 'acme',
        name: 'route53',
        server: pebble.directoryUrl,
        solvers: [{ dns01: { route53: { region: 'us-east-1' } } }],
      },
    ],
    dns: () => ({
      solverFor: () => ({
        present: (records) => solver().present(records),
        isPropagated: (ids) => solver().isPropagated(ids),
        cleanUp: (records) => solver().cleanUp(records),
      }),
    }),
  }).catch(async (error: unknown) => {
    await dynalite.close();
    throw error;
  });
  const route53: Route53Endpoint = await startRoute53Endpoint({
    zones: [{ name: ZONE, id: 'ZBURSTEXAMPLEORG' }],
    challtestsrvManagementUrl: harness.pebble.challtestsrv.managementUrl,
  });
  process.env.AWS_ENDPOINT_URL_ROUTE_53 = route53.url;
  // The wiring reads the environment set above on first use, here.
  const paced = dnsSolvers().solverFor({ dns01: { route53: { region: 'us-east-1' } } });
  const unpaced = new Route53DnsSolver({
    client: new Route53Client({
      endpoint: route53.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCALBURST', secretAccessKey: 'local-burst-not-a-secret' },
    }),
  });
  const starter = new LocalIssuanceStarter(harness.machine);
  harness.deps.issuance = starter;
  let names: string[] = [];
  const firstIssuances: ExecutionResult[] = [];

  const serials = async () =>
    new Map(
      await Promise.all(
        names.map(async (name) => [name, (await harness.deps.inventory.get(name))?.status.serialNumber] as const),
      ),
    );

  return {
    harness,
    route53,
    executions: () => [...firstIssuances, ...starter.results],
    async issueAll(count) {
      current = unpaced;
      route53.faults.requestsPerSecond = undefined;
      names = Array.from({ length: count }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
      log(`renewal burst: issuing ${count} certificates (not paced, not limited)`);
      const results: ExecutionResult[] = await Promise.all(
        names.map((name) =>
          harness.machine.execute({
            certificate: { name, issuerRef: { name: 'route53' }, dnsNames: [`${name}.burst.${ZONE}`] },
          }),
        ),
      );
      firstIssuances.push(...results);
      const failed = results.filter((r) => r.status !== 'SUCCEEDED');
      if (failed.length) throw new Error(`renewal burst: ${failed.length} first issuances failed: ${failed[0]!.cause}`);
    },
    async renewAll(mode) {
      const before = await serials();
      current = mode === 'paced' ? paced : unpaced;
      route53.faults.requestsPerSecond = options.endpointRequestsPerSecond;
      // The limit's window starts clear: the unlimited traffic before this round is a second old.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const pacer = route53PacerFor(undefined);
      const stats = { ...pacer.stats };
      // Every renewal time comes at once. (Moving the clock instead would make the renewed
      // certificates, issued on Pebble's real clock, due again within the same sweep.)
      const due = new Date(Date.now() - 60_000).toISOString();
      for (const name of names) {
        await updateRecord(harness.deps.inventory, harness.deps.clock, name, (record) => ({
          ...record,
          status: { ...record.status, renewalTime: due },
        }));
      }
      const callsBefore = route53.calls.length;
      const resultsBefore = starter.results.length;
      const t0 = Date.now();
      log(
        `renewal burst: ${names.length} renewals at once, ${mode}, Route53 allowing ${options.endpointRequestsPerSecond}/s`,
      );
      const report = await sweep(harness.deps, { expiryWarningDays: 20 });
      await starter.idle();
      const seconds = (Date.now() - t0) / 1000;
      const calls = route53.calls.slice(callsBefore);
      const after = await serials();
      const failed = await Promise.all(
        names
          .filter((name) => !after.get(name) || after.get(name) === before.get(name))
          .map(async (name) => {
            // A failed renewal leaves Ready=True (the certificate still serves): its reason is the
            // execution's, or the Issuing condition's.
            const status = (await harness.deps.inventory.get(name))?.status;
            const result = starter.results.slice(resultsBefore).find((r) => r.executionName.startsWith(`${name}-`));
            const issuing = getCondition(status?.conditions ?? [], 'Issuing');
            return {
              name,
              reason: result?.cause ?? issuing?.message ?? `not started (sweep: ${JSON.stringify(report)})`,
            };
          }),
      );
      return {
        mode,
        certificates: names.length,
        renewed: names.length - failed.length,
        failed,
        route53Calls: calls.length,
        throttled: calls.filter((call) => call.throttled).length,
        peakPerSecond: route53.peakServed(1000, t0),
        peakSentPerSecond: peakWithin(
          calls.map((call) => call.at),
          1000,
        ),
        seconds,
        leftoverRecords: route53
          .records()
          .filter((set) => set.type === 'TXT' && set.name.startsWith('_acme-challenge.')).length,
        ...(mode === 'paced'
          ? {
              pacer: {
                requests: pacer.stats.requests - stats.requests,
                waitedSeconds: (pacer.stats.waitedMs - stats.waitedMs) / 1000,
                longestWaitSeconds: pacer.stats.longestWaitMs / 1000,
                refused: pacer.stats.refused - stats.refused,
                missed: pacer.stats.missed - stats.missed,
              },
            }
          : {}),
      };
    },
    async stop() {
      await starter.idle();
      await harness.stop();
      await route53.close();
      await dynalite.close();
    },
  };
}

/** The most of `times` (ms, ascending) within any `windowMs`. */
function peakWithin(times: readonly number[], windowMs: number): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
