import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { Route53DnsSolver } from '../../shared/solvers/adapters/route53.js';
import { TransientError } from '../../shared/errors.js';
import { startRoute53Endpoint, type Route53Endpoint } from '../../scripts/rigs/route53-endpoint.js';

const credentials = { accessKeyId: 'AKIDCERTFLOWTEST', secretAccessKey: 'not-a-secret' };

/** Re-runs `work` on TransientError, as the state machine's Retry does. */
async function retried<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= attempts) throw error;
    }
  }
}

describe('Class: Route53DnsSolver against the Route53 XML endpoint', () => {
  let endpoint: Route53Endpoint;
  let client: Route53Client;
  /** Without the SDK's own retries, so that injected faults reach the solver. */
  let noRetryClient: Route53Client;

  before(async () => {
    endpoint = await startRoute53Endpoint({
      zones: [
        { name: 'example.com', id: 'ZEXAMPLE' },
        { name: 'sub.example.com', id: 'ZSUB' },
      ],
    });
    client = new Route53Client({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    noRetryClient = new Route53Client({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  });

  after(async () => {
    client.destroy();
    noRetryClient.destroy();
    await endpoint.close();
  });

  beforeEach(() => {
    endpoint.faults.throttleEvery = undefined;
    endpoint.faults.priorRequestNotComplete = undefined;
  });

  it('holds both names after a present on two names', async () => {
    const solver = new Route53DnsSolver({ client });
    await solver.present([
      { name: '_acme-challenge.two-a.example.com', value: 'a' },
      { name: '_acme-challenge.two-b.sub.example.com', value: 'b' },
    ]);
    assert.deepEqual(endpoint.txt('_acme-challenge.two-a.example.com'), ['a']);
    assert.deepEqual(endpoint.txt('_acme-challenge.two-b.sub.example.com'), ['b']);
    const zones = endpoint
      .records()
      .filter((set) => set.name.includes('two-'))
      .map((set) => set.zoneId)
      .sort();
    assert.deepEqual(zones, ['ZEXAMPLE', 'ZSUB']);
  });

  it('writes TXT values quoted on the wire', async () => {
    await new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.quoted.example.com', value: 'q' }]);
    const set = endpoint.records().find((record) => record.name === '_acme-challenge.quoted.example.com');
    assert.deepEqual(set?.values, ['"q"']);
    assert.equal(set?.ttl, 60);
  });

  it('keeps both values when two solvers present on one name at once', async () => {
    const name = '_acme-challenge.race.example.com';
    await new Route53DnsSolver({ client }).present([{ name, value: 'base' }]);
    // The first solver's write waits until the second has written: both read the same set, so
    // the first one's DELETE no longer matches and it must re-read.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowClient = new Route53Client({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    slowClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ChangeResourceRecordSetsCommand') await gate;
        return next(args);
      },
      { step: 'initialize' },
    );
    const reads = (): number => endpoint.calls.filter((call) => call.action === 'ListResourceRecordSets').length;
    const readsBefore = reads();
    const failures: unknown[] = [];
    const slow = retried(async () => {
      try {
        return await new Route53DnsSolver({ client: slowClient }).present([{ name, value: 'order-0' }]);
      } catch (error) {
        failures.push(error);
        throw error;
      }
    });
    while (reads() === readsBefore) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await retried(() => new Route53DnsSolver({ client }).present([{ name, value: 'order-1' }]));
    release();
    await slow;
    slowClient.destroy();
    assert.deepEqual(endpoint.txt(name).sort(), ['base', 'order-0', 'order-1']);
    assert.equal(failures.length, 1);
    assert.ok(failures[0] instanceof TransientError);
    assert.match((failures[0] as Error).message, /values provided do not match/);
  });

  it('removes only the cleaned-up value and then the whole set', async () => {
    const name = '_acme-challenge.clean.example.com';
    const solver = new Route53DnsSolver({ client });
    await solver.present([
      { name, value: 'keep' },
      { name, value: 'drop' },
    ]);
    await solver.cleanUp([{ name, value: 'drop' }]);
    assert.deepEqual(endpoint.txt(name), ['keep']);
    await solver.cleanUp([{ name, value: 'keep' }]);
    await solver.cleanUp([{ name, value: 'keep' }]);
    assert.equal(
      endpoint.records().some((set) => set.name === name),
      false,
    );
  });

  it('reports PENDING on the first GetChange and INSYNC afterwards', async () => {
    const solver = new Route53DnsSolver({ client });
    const ids = await solver.present([{ name: '_acme-challenge.sync.example.com', value: 'v' }]);
    assert.equal(ids.length, 1);
    assert.equal(await solver.isPropagated(ids), false);
    assert.equal(await solver.isPropagated(ids), true);
  });

  it('turns a Throttling answer into a TransientError', async () => {
    endpoint.faults.throttleEvery = 1;
    await assert.rejects(
      new Route53DnsSolver({ client: noRetryClient }).present([
        { name: '_acme-challenge.throttled.example.com', value: 'v' },
      ]),
      (error: unknown) => error instanceof TransientError && /Throttling/.test(error.message),
    );
  });

  it('turns PriorRequestNotComplete into a TransientError and applies nothing', async () => {
    endpoint.faults.priorRequestNotComplete = 1;
    const name = '_acme-challenge.prior.example.com';
    await assert.rejects(
      new Route53DnsSolver({ client: noRetryClient, hostedZoneId: 'ZEXAMPLE' }).present([{ name, value: 'v' }]),
      TransientError,
    );
    assert.deepEqual(endpoint.txt(name), []);
  });

  it('rides out occasional throttling through the SDK client retries', async () => {
    endpoint.faults.throttleEvery = 2;
    const name = '_acme-challenge.sdk-retry.example.com';
    await new Route53DnsSolver({ client }).present([{ name, value: 'v' }]);
    assert.deepEqual(endpoint.txt(name), ['v']);
  });

  it('answers a DELETE with stale values as InvalidChangeBatch, applying nothing of the batch', async () => {
    const name = '_acme-challenge.stale.example.com';
    const solver = new Route53DnsSolver({ client });
    await solver.present([{ name, value: 'first' }]);
    await assert.rejects(
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: 'ZEXAMPLE',
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
                ResourceRecordSet: {
                  Name: `other.${name}.`,
                  Type: 'TXT',
                  TTL: 60,
                  ResourceRecords: [{ Value: '"x"' }],
                },
              },
              {
                Action: 'DELETE',
                ResourceRecordSet: { Name: `${name}.`, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"stale"' }] },
              },
            ],
          },
        }),
      ),
      (error: unknown) =>
        error instanceof Error &&
        error.name === 'InvalidChangeBatch' &&
        /do not match the current values/.test(error.message),
    );
    assert.deepEqual(endpoint.txt(`other.${name}`), []);
    assert.deepEqual(endpoint.txt(name), ['first']);
  });
});
