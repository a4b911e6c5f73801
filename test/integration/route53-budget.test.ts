/**
 * Route53's rate limit, end to end: certificates renewing at once (the daily sweep starts them
 * all) against a Route53 endpoint that serves five requests a second and throttles the rest.
 * Paced through the AWS wiring, every renewal succeeds with no request throttled; the same burst
 * unpaced is throttled, which shows that the budget, not luck, kept the first round clean.
 * `npm run bench` runs the same rig with 200 certificates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';
import { type BurstRig, startBurstRig } from '../../scripts/rigs/renewal-burst.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';
const CERTIFICATES = 10;

describe('Route53 budget: many renewals at once under five requests per second', { skip }, () => {
  let rig: BurstRig;
  before(async () => {
    rig = await startBurstRig({ endpointRequestsPerSecond: 5 });
    await rig.issueAll(CERTIFICATES);
  });
  after(async () => rig?.stop());

  it('renews every certificate, paced: no request throttled, never above the limit, no record left', async () => {
    const round = await rig.renewAll('paced');
    console.log(`route53 budget (paced): ${JSON.stringify(round)}`);
    assert.deepEqual(round.failed, []);
    assert.equal(round.renewed, CERTIFICATES);
    assert.equal(round.throttled, 0);
    // What the pipeline sent, throttled requests included: the endpoint refuses a sixth request
    // in a second anyway, so what it served could never show a budget that was overrun.
    assert.ok(round.peakSentPerSecond <= 5, `sent at most ${round.peakSentPerSecond}/s`);
    assert.ok(round.peakSentPerSecond >= 1);
    assert.equal(round.leftoverRecords, 0);
    // Every request the endpoint saw had booked its slot.
    assert.equal(round.pacer?.requests, round.route53Calls);
    // Present (read + change), two GetChange, clean-up (read + change): six per certificate.
    assert.ok(round.route53Calls >= CERTIFICATES * 5, `${round.route53Calls} calls`);
  });

  it('the same burst unpaced is throttled by the endpoint', async () => {
    const round = await rig.renewAll('unpaced');
    console.log(`route53 budget (unpaced, for contrast): ${JSON.stringify(round)}`);
    assert.ok(round.throttled > 0, 'the endpoint enforces its limit');
    assert.ok(round.peakSentPerSecond > 5, `unpaced, the pipeline sent ${round.peakSentPerSecond}/s`);
  });

  it('left no private key in logs, execution histories, events or the inventory', async () => {
    const keys = await harnessKeyPems(rig.harness);
    // Two versions of each at least (issued, renewed paced); the unpaced round adds what it renewed.
    assert.ok(keys.length >= CERTIFICATES * 2, `${keys.length} keys: every version of every certificate`);
    assert.equal(rig.executions().length, CERTIFICATES * 3, 'first issuances and two rounds of renewals');
    const haystacks = await harnessHaystacks(rig.harness);
    haystacks['execution histories'] = JSON.stringify(rig.executions());
    assertNoKeyMaterial(haystacks, keys);
  });
});
