/**
 * Renewal end to end, locally: certificates issued through the synthesized state machine get one
 * future schedule each; when their renewal time comes (a controllable clock), the sweep starts the
 * renewal through the same state machine. Short-lived self-signed certificates (5 minutes) and a
 * Pebble certificate, under rotationPolicy Always and Never.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCertificate } from '../../shared/domain/certificate-info.js';
import { getCondition } from '../../shared/domain/status.js';
import { LocalIssuanceStarter } from '../../shared/local/issuance-starter.js';
import { pebbleInstalled } from '../../shared/local/pebble.js';
import type { Clock } from '../../shared/ports/clock.js';
import { sweep } from '../../shared/renewal/sweep.js';
import { type Harness, startHarness } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';
const MINUTE = 60_000;

describe('Integration: renewal by schedule and sweep', { skip }, () => {
  let h: Harness;
  let offset = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  let starter: LocalIssuanceStarter;

  before(async () => {
    h = await startHarness({
      clock,
      issuers: (pebble) => [
        { kind: 'selfSigned', name: 'selfsigned' },
        {
          kind: 'acme',
          name: 'pebble',
          server: pebble.directoryUrl,
          solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
        },
      ],
    });
    starter = new LocalIssuanceStarter(h.machine);
    h.deps.issuance = starter;
  });
  after(async () => h?.stop());

  const short = (name: string, rotationPolicy: 'Always' | 'Never') => ({
    certificate: {
      name,
      issuerRef: { name: 'selfsigned' },
      commonName: `${name}.test`,
      duration: '5m',
      privateKey: { rotationPolicy },
    },
  });

  async function current(name: string) {
    const stored = (await h.deps.store.readCurrent(name))!;
    return { ...stored, serial: parseCertificate(stored['tls.crt']).serialNumber };
  }

  it('gives every issued certificate exactly one future schedule, at its renewal time', async () => {
    for (const input of [short('always', 'Always'), short('never', 'Never')]) {
      assert.equal((await h.issue(input)).status, 'SUCCEEDED');
    }
    const acme = await h.issue({
      certificate: { name: 'acme', issuerRef: { name: 'pebble' }, dnsNames: ['acme.example.com'] },
    });
    assert.equal(acme.status, 'SUCCEEDED', `${acme.error}: ${acme.cause}`);
    const schedules = h.deps.scheduler.list();
    assert.deepEqual(Object.keys(schedules).sort(), ['acme', 'always', 'never']);
    for (const name of ['always', 'never', 'acme']) {
      const record = (await h.deps.inventory.get(name))!;
      assert.equal(schedules[name]!.at, record.status.renewalTime);
      assert.ok(Date.parse(schedules[name]!.at) > Date.now(), 'in the future');
    }
    // Renew at 2/3 of a 5-minute lifetime: 3m20s after notBefore.
    const always = (await h.deps.inventory.get('always'))!.status;
    assert.equal(Date.parse(always.renewalTime!) - Date.parse(always.notBefore!), 200_000);
  });

  it('renews nothing before the renewal time', async () => {
    const report = await sweep(h.deps, { expiryWarningDays: 20 });
    assert.equal(report.started, 0);
  });

  it('renews the short-lived certificates once due: new serial, new key under Always, same key under Never', async () => {
    const before = { always: await current('always'), never: await current('never') };
    offset = 4 * MINUTE;
    const report = await sweep(h.deps, { expiryWarningDays: 20 });
    assert.equal(report.started, 2, JSON.stringify(report));
    await starter.idle();
    assert.ok(
      starter.results.every((r) => r.status === 'SUCCEEDED'),
      JSON.stringify(starter.results.map((r) => r.cause)),
    );

    const after = { always: await current('always'), never: await current('never') };
    assert.notEqual(after.always.serial, before.always.serial);
    assert.notEqual(after.never.serial, before.never.serial);
    assert.notEqual(after.always['tls.key'], before.always['tls.key'], 'Always: a new key');
    assert.equal(after.never['tls.key'], before.never['tls.key'], 'Never: the same key');

    for (const name of ['always', 'never'] as const) {
      const versions = await h.deps.store.listVersions(name);
      assert.equal(versions.length, 2);
      const previous = await h.deps.store.readVersion(name, versions[0]!);
      assert.equal(previous?.['tls.crt'], before[name]['tls.crt'], 'the old version is still readable');
      const record = (await h.deps.inventory.get(name))!;
      assert.equal(getCondition(record.status.conditions, 'Ready')?.status, 'True');
      assert.ok(record.events.some((e) => e.message.startsWith('Renewing certificate')));
    }
    assert.ok(h.deps.events.published.some((e) => e.type === 'Certificate Renewed' && e.detail.name === 'always'));
    // The renewal wrote the next schedule.
    const next = h.deps.scheduler.list();
    assert.equal(next.always!.at, (await h.deps.inventory.get('always'))!.status.renewalTime);
  });

  it('starts each due time once, even when the sweep runs twice at once', async () => {
    offset = 8 * MINUTE;
    const [a, b] = await Promise.all([
      sweep(h.deps, { expiryWarningDays: 20 }),
      sweep(h.deps, { expiryWarningDays: 20 }),
    ]);
    assert.equal(a.started + b.started, 2);
    assert.equal(a.alreadyStarted + b.alreadyStarted, 2);
    await starter.idle();
  });

  it('renews an ACME certificate from Pebble when its renewal time comes', async () => {
    const before = await current('acme');
    const record = (await h.deps.inventory.get('acme'))!;
    offset = Date.parse(record.status.renewalTime!) - Date.now() + MINUTE;
    const report = await sweep(h.deps, { expiryWarningDays: 20 });
    assert.ok(report.started >= 1);
    await starter.idle();
    const after = await current('acme');
    assert.notEqual(after.serial, before.serial);
    assert.equal((await h.deps.store.listVersions('acme')).length, 2);
  });

  it('never lets a private key into logs, execution histories, schedules or events', async () => {
    const haystacks = {
      ...(await harnessHaystacks(h)),
      'renewal executions': JSON.stringify(starter.results),
      schedules: JSON.stringify(h.deps.scheduler.list()),
    };
    assertNoKeyMaterial(haystacks, await harnessKeyPems(h));
  });
});
