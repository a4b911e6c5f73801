/**
 * The challtestsrv DNS-01 solver against a real pebble-challtestsrv on loopback, beyond the shared
 * conformance suite: what its HTTP API errors become (retried or not), names written as given,
 * and a clean-up interrupted by a server outage finishing once it is back.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DnsError, RETRYABLE_ERRORS, TransientError } from '../../shared/errors.js';
import { type Challtestsrv, freePort, startChalltestsrv } from '../../shared/local/pebble.js';
import type { DnsSolver } from '../../shared/ports/dns.js';
import { ChalltestsrvDnsSolver } from '../../shared/solvers/adapters/challtestsrv.js';
import { txtValues } from '../../scripts/rigs/issuance-harness.js';

const installed = spawnSync('sh', ['-c', 'command -v pebble-challtestsrv']).status === 0;
// As the other integration tests: on CI a missing pebble is a failure, never a silent skip.
const skip = installed || process.env.CI ? false : 'pebble-challtestsrv is not installed (apt-get install -y pebble)';

/** Unique per run, so that names never meet values left by an earlier run or another test. */
const run = randomBytes(4).toString('hex');
const recordName = (label: string) => `_acme-challenge.${label}-${run}.example.com`;
const sorted = (values: string[]) => [...values].sort();

/** The error a promise rejects with, for checks beyond `assert.rejects`. */
async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a rejection');
}

const retried = (error: Error) => (RETRYABLE_ERRORS as readonly string[]).includes(error.name);

/**
 * A pebble-challtestsrv on fixed ports, so that the same management URL can go down and come back
 * (shared/local/pebble.ts's launcher picks new ports each time).
 */
async function launch(dnsPort: number, managementPort: number): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    'pebble-challtestsrv',
    [
      ...['-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${managementPort}`],
      ...['-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', ''],
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${managementPort}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    const up = await fetch(`${url}/clear-txt`, { method: 'POST', body: JSON.stringify({ host: 'probe.invalid.' }) })
      .then((r) => r.ok)
      .catch(() => false);
    if (up) return { url, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error('pebble-challtestsrv did not start');
}

describe('Integration: ChalltestsrvDnsSolver on pebble-challtestsrv', { skip }, () => {
  let server: Challtestsrv;
  let solver: DnsSolver;
  const txt = (name: string) => txtValues(server.dnsPort, name);

  before(async () => {
    server = await startChalltestsrv();
    solver = new ChalltestsrvDnsSolver({ managementUrl: server.managementUrl });
  });

  after(async () => {
    await server?.stop();
  });

  it('serves a presented value at once: no change to wait for', async () => {
    const name = recordName('present');
    assert.deepEqual(await txt(name), []);
    assert.deepEqual(await solver.present([{ name, value: 'v-present' }]), []);
    assert.equal(await solver.isPropagated([]), true);
    assert.deepEqual(await txt(name), ['v-present']);
  });

  it('keeps two values of one name side by side, and cleans up only its own', async () => {
    const name = recordName('pair');
    await solver.present([{ name, value: 'apex' }]);
    await solver.present([{ name, value: 'wildcard' }]);
    assert.deepEqual(sorted(await txt(name)), ['apex', 'wildcard']);
    await solver.cleanUp([{ name, value: 'apex' }]);
    assert.deepEqual(await txt(name), ['wildcard']);
  });

  it('cleans up an absent value, or a name it never wrote, without error and without touching others', async () => {
    const name = recordName('absent');
    await solver.present([{ name, value: 'stays' }]);
    await solver.cleanUp([{ name, value: 'never-presented' }]);
    await solver.cleanUp([{ name: recordName('unknown'), value: 'ghost' }]);
    assert.deepEqual(await txt(name), ['stays']);
    assert.deepEqual(await txt(recordName('unknown')), []);
  });

  it('treats names case-insensitively and with or without the trailing dot', async () => {
    const name = recordName('case');
    await solver.present([{ name: `${name.toUpperCase()}.`, value: 'v-case' }]);
    assert.deepEqual(await txt(name), ['v-case']);
    await solver.present([{ name, value: 'v-case' }]);
    assert.deepEqual(await txt(name), ['v-case'], 'the same value, presented under another spelling, once');
    await solver.cleanUp([{ name, value: 'v-case' }]);
    assert.deepEqual(await txt(name), []);
  });

  it('reports a management API that refuses connections as transient, naming the call', async () => {
    const refused = new ChalltestsrvDnsSolver({ managementUrl: `http://127.0.0.1:${await freePort()}` });
    const name = recordName('refused');
    const error = await errorOf(refused.present([{ name, value: 'v' }]));
    assert.ok(error instanceof TransientError, `got ${error.name}`);
    assert.equal(error.name, 'TransientError');
    assert.ok(retried(error), 'the state machine retries it');
    assert.equal(error.message, `challtestsrv: /set-txt for "${name}." failed: fetch failed`);
    assert.match(String((error.cause as { cause?: { code?: string } })?.cause?.code), /ECONNREFUSED/);
    // Nothing was recorded as written: cleaning up calls nothing and succeeds.
    await refused.cleanUp([{ name, value: 'v' }]);
  });

  it('reports an HTTP error of the management API as a DNS refusal, with its status and body', async () => {
    const wrong = new ChalltestsrvDnsSolver({ managementUrl: `${server.managementUrl}/no-such-prefix` });
    const name = recordName('http-error');
    const error = await errorOf(wrong.present([{ name, value: 'v' }]));
    assert.ok(error instanceof DnsError, `got ${error.name}`);
    assert.ok(!retried(error), 'not retried');
    assert.equal(error.message, `challtestsrv: /set-txt for "${name}." answered 404: 404 page not found`);
    assert.deepEqual(await txt(name), []);
  });

  it('finishes a clean-up interrupted by an outage once the server is back', async () => {
    const [dnsPort, managementPort] = [await freePort(), await freePort()];
    let restartable = await launch(dnsPort, managementPort);
    try {
      const own = new ChalltestsrvDnsSolver({ managementUrl: restartable.url });
      const name = recordName('outage');
      await own.present([
        { name, value: 'mine' },
        { name, value: 'theirs' },
      ]);
      assert.deepEqual(sorted(await txtValues(dnsPort, name)), ['mine', 'theirs']);

      await restartable.stop();
      const error = await errorOf(own.cleanUp([{ name, value: 'mine' }]));
      assert.ok(error instanceof TransientError && retried(error), `got ${error.name}`);
      assert.equal(error.message, `challtestsrv: /clear-txt for "${name}." failed: fetch failed`);

      // A restarted challtestsrv has forgotten everything; the retried clean-up re-adds the rest.
      restartable = await launch(dnsPort, managementPort);
      await own.cleanUp([{ name, value: 'mine' }]);
      assert.deepEqual(await txtValues(dnsPort, name), ['theirs']);
    } finally {
      await restartable.stop();
    }
  });
});
