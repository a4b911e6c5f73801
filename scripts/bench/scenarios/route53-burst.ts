/**
 * BENCH_ROUTE53_CERTIFICATES renewals at once against a Route53 serving 5 requests/s, paced by
 * the AWS wiring's budget; then, unless BENCH_ROUTE53_CONTRAST=0, the same burst unpaced.
 */
import { type BurstRound, startBurstRig } from '../../rigs/renewal-burst.js';
import type { Bench } from './context.js';

export async function route53Burst(bench: Bench): Promise<BurstRound[]> {
  const { settings, log } = bench;
  const bursts: BurstRound[] = [];
  // Its own Pebble and harness (the rig test/integration/route53-budget.test.ts uses too).
  const rig = await startBurstRig({ endpointRequestsPerSecond: 5, log });
  try {
    await rig.issueAll(settings.route53Burst);
    bursts.push(await rig.renewAll('paced'));
    if (settings.route53Contrast) bursts.push(await rig.renewAll('unpaced'));
  } finally {
    await rig.stop();
  }
  return bursts;
}
