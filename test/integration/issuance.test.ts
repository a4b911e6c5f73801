/**
 * End to end: the synthesized state machine, run locally with the real handlers, issues real
 * certificates from a real Pebble that validates DNS-01 through pebble-challtestsrv.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53DnsSolver } from '../../shared/solvers/adapters/route53.js';
import { ChalltestsrvDnsSolver } from '../../shared/solvers/adapters/challtestsrv.js';
import { getCondition } from '../../shared/domain/status.js';
import { type Challtestsrv, pebbleInstalled, startChalltestsrv } from '../../shared/local/pebble.js';
import { SolverDispatcher } from '../../shared/solvers/dispatcher.js';
import { type Harness, startHarness, txtValues, verifyChain } from '../../scripts/rigs/issuance-harness.js';
import { assertNoKeyMaterial, harnessHaystacks, harnessKeyPems } from '../support/key-material.js';
import { type Route53Endpoint, startRoute53Endpoint } from '../../scripts/rigs/route53-endpoint.js';

// On CI a missing pebble is a failure (startPebble says how to install it), never a silent skip.
const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

describe('Integration: issuance through the synthesized state machine', { skip }, () => {
  let h: Harness;
  let route53: Route53Endpoint;
  let unseenDns: Challtestsrv;

  before(async () => {
    // A challtestsrv that Pebble does not query: TXT records written there are never seen.
    unseenDns = await startChalltestsrv();
    h = await startHarness({
      issuers: (pebble) => [
        {
          kind: 'acme',
          name: 'pebble',
          server: pebble.directoryUrl,
          email: 'ops@example.com',
          solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
        },
        {
          kind: 'acme',
          name: 'pebble-route53',
          server: pebble.directoryUrl,
          solvers: [{ dns01: { route53: { region: 'us-east-1' } } }],
        },
        {
          kind: 'acme',
          name: 'pebble-two-solvers',
          server: pebble.directoryUrl,
          solvers: [
            { selector: { dnsZones: ['example.net'] }, dns01: { route53: { region: 'us-east-1' } } },
            { dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } },
          ],
        },
        {
          kind: 'acme',
          name: 'pebble-wrong-dns',
          server: pebble.directoryUrl,
          solvers: [{ dns01: { challtestsrv: { managementUrl: unseenDns.managementUrl } } }],
        },
      ],
      dns: (pebble) => {
        const endpoint = startRoute53Endpoint({
          zones: [{ name: 'example.net', id: 'ZEXAMPLENET' }],
          challtestsrvManagementUrl: pebble.challtestsrv.managementUrl,
        });
        const client = endpoint.then(
          (e) =>
            new Route53Client({
              endpoint: e.url,
              region: 'us-east-1',
              credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
            }),
        );
        void endpoint.then((e) => (route53 = e));
        let route53Solver: Route53DnsSolver | undefined;
        return new SolverDispatcher(
          {
            challtestsrv: (challtestsrv) => new ChalltestsrvDnsSolver(challtestsrv),
            route53: () => ({
              async present(records) {
                route53Solver ??= new Route53DnsSolver({ client: await client });
                return route53Solver.present(records);
              },
              async isPropagated(ids) {
                route53Solver ??= new Route53DnsSolver({ client: await client });
                return route53Solver.isPropagated(ids);
              },
              async cleanUp(records) {
                route53Solver ??= new Route53DnsSolver({ client: await client });
                return route53Solver.cleanUp(records);
              },
            }),
          },
          'dns: this test supports challtestsrv and route53 solvers only',
        );
      },
    });
  });

  after(async () => {
    await h?.stop();
    await route53?.close();
    await unseenDns?.stop();
  });

  async function expectIssued(name: string, dnsNames: string[]) {
    const record = await h.deps.inventory.get(name);
    assert.ok(record, `inventory has ${name}`);
    const ready = getCondition(record.status.conditions, 'Ready');
    assert.equal(ready?.status, 'True', `Ready: ${JSON.stringify(record.status.conditions)}`);
    const stored = await h.deps.store.readCurrent(name);
    assert.ok(stored);
    const leaf = verifyChain(stored['tls.crt'], await h.pebble.rootPem());
    const sans = (leaf.subjectAltName ?? '')
      .split(', ')
      .map((s) => s.replace(/^DNS:/, ''))
      .sort();
    assert.deepEqual(sans, [...dnsNames].sort());
    assert.ok(leaf.checkPrivateKey(createPrivateKey(stored['tls.key'])), 'the key matches the certificate');
    assert.equal(record.status.serialNumber, leaf.serialNumber.toLowerCase().replace(/^0+/, ''));
    assert.ok(stored['ca.crt'].includes('BEGIN CERTIFICATE'));
    for (const dnsName of dnsNames) {
      assert.deepEqual(
        await txtValues(h.pebble.challtestsrv.dnsPort, `_acme-challenge.${dnsName.replace(/^\*\./, '')}`),
        [],
        `no TXT left for ${dnsName}`,
      );
    }
    return { record, stored, leaf };
  }

  it('issues one certificate with two names', async () => {
    const result = await h.issue({
      certificate: { name: 'two-names', issuerRef: { name: 'pebble' }, dnsNames: ['a.example.com', 'b.example.com'] },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const { record, leaf } = await expectIssued('two-names', ['a.example.com', 'b.example.com']);
    assert.equal(leaf.publicKey.asymmetricKeyType, 'ec');
    assert.deepEqual(
      record.events.map((e) => e.reason),
      ['Issuing', 'Generated', 'Requested', 'Issued'],
    );
    assert.ok(result.transitions <= 40, `${result.transitions} transitions`);
    assert.ok(h.deps.events.published.some((e) => e.type === 'Certificate Issued' && e.detail.name === 'two-names'));
  });

  it('issues a wildcard together with its apex (two TXT values on one name)', async () => {
    const result = await h.issue({
      certificate: {
        name: 'wildcard',
        issuerRef: { name: 'pebble' },
        dnsNames: ['*.wild.example.com', 'wild.example.com'],
      },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    await expectIssued('wildcard', ['*.wild.example.com', 'wild.example.com']);
  });

  it('issues an RSA certificate and an ECDSA P-384 certificate side by side', async () => {
    const [rsa, ec] = await Promise.all([
      h.issue({
        certificate: {
          name: 'rsa',
          issuerRef: { name: 'pebble' },
          dnsNames: ['rsa.example.com'],
          privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS8' },
        },
      }),
      h.issue({
        certificate: {
          name: 'ecdsa',
          issuerRef: { name: 'pebble' },
          dnsNames: ['ec.example.com'],
          privateKey: { algorithm: 'ECDSA', size: 384 },
        },
      }),
    ]);
    assert.equal(rsa.status, 'SUCCEEDED', `${rsa.error}: ${rsa.cause}`);
    assert.equal(ec.status, 'SUCCEEDED', `${ec.error}: ${ec.cause}`);
    const r = await expectIssued('rsa', ['rsa.example.com']);
    assert.equal(r.leaf.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(r.leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.match(r.stored['tls.key'], /^-----BEGIN PRIVATE KEY-----/);
    const e = await expectIssued('ecdsa', ['ec.example.com']);
    assert.equal(e.leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    assert.match(e.stored['tls.key'], /^-----BEGIN EC PRIVATE KEY-----/);
  });

  it('issues an Ed25519 certificate (a CSR acme-client cannot build)', async () => {
    const result = await h.issue({
      certificate: {
        name: 'ed25519',
        issuerRef: { name: 'pebble' },
        dnsNames: ['ed.example.com'],
        privateKey: { algorithm: 'Ed25519' },
      },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const { leaf } = await expectIssued('ed25519', ['ed.example.com']);
    assert.equal(leaf.publicKey.asymmetricKeyType, 'ed25519');
  });

  it('issues through the Route53 adapter speaking Route53 XML, validated by Pebble', async () => {
    const result = await h.issue({
      certificate: {
        name: 'route53',
        issuerRef: { name: 'pebble-route53' },
        dnsNames: ['*.example.net', 'example.net', 'www.example.net'],
      },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    await expectIssued('route53', ['*.example.net', 'example.net', 'www.example.net']);
    const changes = route53.calls.filter((c) => c.action === 'ChangeResourceRecordSets');
    assert.ok(changes.length >= 2, 'one batch to present, one to clean up');
    assert.ok(
      route53.calls.some((c) => c.action === 'GetChange'),
      'waited for INSYNC',
    );
    assert.deepEqual(
      route53.records().filter((r) => r.name.includes('_acme-challenge')),
      [],
    );
  });

  it('issues one certificate whose names need two solvers, each batching its own records', async () => {
    // The endpoint starts with the first Route53 use: before that, no change was made.
    const changesBefore = route53?.calls.filter((c) => c.action === 'ChangeResourceRecordSets').length ?? 0;
    const result = await h.issue({
      certificate: {
        name: 'two-solvers',
        issuerRef: { name: 'pebble-two-solvers' },
        dnsNames: ['multi.example.net', 'multi.example.com'],
      },
    });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    await expectIssued('two-solvers', ['multi.example.net', 'multi.example.com']);
    const created = (result.history as any[]).find((e) => e.type === 'StateExited' && e.state?.name === 'CreateOrder');
    const bySolver = Object.fromEntries(
      created.state.output.acme.challenges.map((c: { identifier: string; solver: number }) => [c.identifier, c.solver]),
    );
    // New names: Pebble has no authorization to reuse, so both were challenged, each by its solver.
    assert.deepEqual(bySolver, { 'multi.example.net': 0, 'multi.example.com': 1 });
    const changes = route53.calls.filter((c) => c.action === 'ChangeResourceRecordSets').length - changesBefore;
    assert.ok(changes <= 2, `at most one Route53 batch to present and one to clean up, saw ${changes}`);
  });

  it('keeps the previous certificate and records the CA message when validation fails', async () => {
    const spec = { name: 'stable', issuerRef: { name: 'pebble' }, dnsNames: ['stable.example.com'] };
    assert.equal((await h.issue({ certificate: spec })).status, 'SUCCEEDED');
    const before = await h.deps.store.readCurrent('stable');

    const result = await h.issue({
      certificate: {
        ...spec,
        issuerRef: { name: 'pebble-wrong-dns' },
        dnsNames: ['stable.example.com', 'new.example.com'],
      },
    });
    assert.equal(result.status, 'FAILED');
    assert.equal(result.error, 'AcmeError');

    const record = await h.deps.inventory.get('stable');
    const ready = getCondition(record!.status.conditions, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'Failed');
    assert.match(ready!.message, /acme: validation of ".*example\.com" failed: .*(TXT|NXDOMAIN|DNS)/i);
    assert.equal(record!.status.failedIssuanceAttempts, 1);
    assert.equal(record!.events.at(-1)?.type, 'Warning');
    assert.deepEqual(await h.deps.store.readCurrent('stable'), before, 'the served certificate is untouched');
    for (const name of ['stable.example.com', 'new.example.com']) {
      assert.deepEqual(await txtValues(unseenDns.dnsPort, `_acme-challenge.${name}`), [], `no TXT left for ${name}`);
      assert.deepEqual(await txtValues(h.pebble.challtestsrv.dnsPort, `_acme-challenge.${name}`), []);
    }
    assert.deepEqual(await readdir(join(h.dir, 'pending', 'stable')).catch(() => []), [], 'no pending key left');
  });

  it('survives every step dying after its work and being retried on the same input', async () => {
    const result = await h.issue(
      {
        certificate: {
          name: 'twice',
          issuerRef: { name: 'pebble' },
          dnsNames: ['twice.example.com', '*.twice.example.com'],
        },
      },
      { crashAfterWork: true },
    );
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    const { record } = await expectIssued('twice', ['twice.example.com', '*.twice.example.com']);
    assert.deepEqual(
      record.events.map((e) => e.reason),
      ['Issuing', 'Generated', 'Requested', 'Issued'],
    );
    assert.equal((await h.deps.store.listVersions('twice')).length, 1, 'one secret version');
  });

  it('counts a failure once even when RecordFailure dies after its work and runs again', async () => {
    const spec = { name: 'fail-twice', issuerRef: { name: 'pebble-wrong-dns' }, dnsNames: ['fail-twice.example.com'] };
    const result = await h.issue({ certificate: spec }, { crashAfterWork: true });
    assert.equal(result.status, 'FAILED');
    const record = await h.deps.inventory.get('fail-twice');
    assert.equal(record!.status.failedIssuanceAttempts, 1);
    assert.deepEqual(await txtValues(unseenDns.dnsPort, '_acme-challenge.fail-twice.example.com'), []);
  });

  it('rejects a bad spec naming the field, and changes nothing', async () => {
    const result = await h.issue({
      certificate: { name: 'bad', issuerRef: { name: 'pebble' }, dnsNames: ['ok.example.com', '*.*.example.com'] },
    });
    assert.equal(result.status, 'FAILED');
    assert.equal(result.error, 'ValidationError');
    assert.match(result.cause ?? '', /dnsNames\[1\]/);
    assert.equal(await h.deps.inventory.get('bad'), undefined);
  });

  it('never lets a private key into execution history, logs or events', async () => {
    const keys = await harnessKeyPems(h);
    assert.ok(keys.filter((k) => k.source.startsWith('certificate ')).length >= 6, `found ${keys.length} keys`);
    const haystacks = await harnessHaystacks(h);
    assert.ok(haystacks['execution histories']!.length > 10_000, 'history was captured');
    assert.ok(haystacks.logs!.includes('order created'), 'logs were captured');
    for (const [where, text] of Object.entries(haystacks)) {
      assert.ok(!text.includes('PRIVATE KEY'), `no PEM key header in ${where}`);
    }
    assertNoKeyMaterial(haystacks, keys);
  });
});
