import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  ThrottlingException,
  type Change,
  type ListHostedZonesByNameCommandInput,
  type ListResourceRecordSetsCommandInput,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { Route53DnsSolver, quoteTxt, unquoteTxt } from '../../shared/solvers/adapters/route53.js';
import { DnsError, TransientError } from '../../shared/errors.js';

const r53 = mockClient(Route53Client);
const client = new Route53Client({ region: 'us-east-1' });

/** Answers ListHostedZonesByName as Route53 does: zones in reversed-label order from DNSName on. */
function hostedZones(zones: { name: string; id: string; private?: boolean }[]): void {
  const key = (name: string) => name.replace(/\.$/, '').split('.').reverse().join('.');
  r53.on(ListHostedZonesByNameCommand).callsFake((input: ListHostedZonesByNameCommandInput) => ({
    HostedZones: zones
      .filter((zone) => !input.DNSName || key(zone.name) >= key(input.DNSName))
      .sort((a, b) => (key(a.name) < key(b.name) ? -1 : 1))
      .map((zone) => ({
        Id: `/hostedzone/${zone.id}`,
        Name: `${zone.name}.`,
        CallerReference: zone.id,
        Config: { PrivateZone: zone.private ?? false },
      })),
    IsTruncated: false,
    MaxItems: 100,
  }));
}

/** Answers ListResourceRecordSets with these TXT sets (values as Route53 holds them, quoted). */
function txtSets(sets: Record<string, string[]>): void {
  r53.on(ListResourceRecordSetsCommand).callsFake((input: ListResourceRecordSetsCommandInput) => {
    const name = (input.StartRecordName ?? '').replace(/\.$/, '');
    const values = sets[name];
    return {
      ResourceRecordSets: values
        ? [{ Name: `${name}.`, Type: 'TXT', TTL: 60, ResourceRecords: values.map((Value) => ({ Value })) }]
        : [{ Name: `zzz.${name}.`, Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.1' }] }],
      IsTruncated: false,
      MaxItems: 1,
    };
  });
}

function changeBatches(): { zone: string | undefined; changes: Change[] }[] {
  return r53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => ({
    zone: call.args[0].input.HostedZoneId,
    changes: call.args[0].input.ChangeBatch?.Changes ?? [],
  }));
}

function summary(changes: Change[]): string[] {
  return changes.map(
    (change) =>
      `${change.Action} ${change.ResourceRecordSet?.Name} ${(change.ResourceRecordSet?.ResourceRecords ?? []).map((r) => r.Value).join(' ')}`,
  );
}

describe('Class: Route53DnsSolver', () => {
  beforeEach(() => {
    r53.reset();
    hostedZones([{ name: 'example.com', id: 'ZEXAMPLE' }]);
    txtSets({});
    r53.on(ChangeResourceRecordSetsCommand).resolves({
      ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() },
    });
  });

  it('sends one change batch for two names in one zone', async () => {
    const solver = new Route53DnsSolver({ client });
    const ids = await solver.present([
      { name: '_acme-challenge.a.example.com', value: 'one' },
      { name: '_acme-challenge.b.example.com', value: 'two' },
    ]);
    assert.deepEqual(ids, ['/change/C1']);
    const batches = changeBatches();
    assert.equal(batches.length, 1);
    assert.deepEqual(summary(batches[0]?.changes ?? []), [
      'CREATE _acme-challenge.a.example.com. "one"',
      'CREATE _acme-challenge.b.example.com. "two"',
    ]);
  });

  it('sends one change batch per zone when the names span two zones', async () => {
    hostedZones([
      { name: 'example.com', id: 'ZEXAMPLE' },
      { name: 'example.org', id: 'ZORG' },
    ]);
    const solver = new Route53DnsSolver({ client });
    await solver.present([
      { name: '_acme-challenge.example.com', value: 'one' },
      { name: '_acme-challenge.example.org', value: 'two' },
    ]);
    assert.deepEqual(
      changeBatches()
        .map((batch) => batch.zone)
        .sort(),
      ['ZEXAMPLE', 'ZORG'],
    );
  });

  it('picks the zone with the longest matching suffix', async () => {
    hostedZones([
      { name: 'example.com', id: 'ZEXAMPLE' },
      { name: 'sub.example.com', id: 'ZSUB' },
    ]);
    await new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.www.sub.example.com', value: 'v' }]);
    assert.deepEqual(
      changeBatches().map((batch) => batch.zone),
      ['ZSUB'],
    );
  });

  it('prefers a public zone to a longer private one', async () => {
    hostedZones([
      { name: 'example.com', id: 'ZPUBLIC' },
      { name: 'sub.example.com', id: 'ZPRIVATE', private: true },
    ]);
    await new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.sub.example.com', value: 'v' }]);
    assert.deepEqual(
      changeBatches().map((batch) => batch.zone),
      ['ZPUBLIC'],
    );
  });

  it('uses a private zone when no public one matches', async () => {
    hostedZones([{ name: 'internal.example', id: 'ZPRIVATE', private: true }]);
    await new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.internal.example', value: 'v' }]);
    assert.deepEqual(
      changeBatches().map((batch) => batch.zone),
      ['ZPRIVATE'],
    );
  });

  it('looks each zone up once per instance', async () => {
    const solver = new Route53DnsSolver({ client });
    await solver.present([{ name: '_acme-challenge.example.com', value: 'v' }]);
    const first = r53.commandCalls(ListHostedZonesByNameCommand).length;
    await solver.present([{ name: '_acme-challenge.example.com', value: 'w' }]);
    assert.equal(r53.commandCalls(ListHostedZonesByNameCommand).length, first);
  });

  it('skips the zone look-up when a hosted zone id is configured', async () => {
    await new Route53DnsSolver({ client, hostedZoneId: '/hostedzone/ZCONFIG' }).present([
      { name: '_acme-challenge.anything.test', value: 'v' },
    ]);
    assert.equal(r53.commandCalls(ListHostedZonesByNameCommand).length, 0);
    assert.deepEqual(
      changeBatches().map((batch) => batch.zone),
      ['ZCONFIG'],
    );
  });

  it('merges with existing values by deleting the old set and creating the merged one', async () => {
    txtSets({ '_acme-challenge.example.com': ['"theirs"'] });
    await new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.example.com', value: 'ours' }]);
    assert.deepEqual(summary(changeBatches()[0]?.changes ?? []), [
      'DELETE _acme-challenge.example.com. "theirs"',
      'CREATE _acme-challenge.example.com. "theirs" "ours"',
    ]);
  });

  it('writes wildcard and apex values for one name as one set of two values', async () => {
    await new Route53DnsSolver({ client }).present([
      { name: '_acme-challenge.example.com', value: 'apex' },
      { name: '_acme-challenge.example.com', value: 'wildcard' },
    ]);
    assert.deepEqual(summary(changeBatches()[0]?.changes ?? []), [
      'CREATE _acme-challenge.example.com. "apex" "wildcard"',
    ]);
  });

  it('sends nothing when every value is already present', async () => {
    txtSets({ '_acme-challenge.example.com': ['"ours"'] });
    const ids = await new Route53DnsSolver({ client }).present([
      { name: '_acme-challenge.example.com', value: 'ours' },
    ]);
    assert.deepEqual(ids, []);
    assert.equal(changeBatches().length, 0);
  });

  it('removes only its own value on clean-up', async () => {
    txtSets({ '_acme-challenge.example.com': ['"theirs"', '"ours"'] });
    await new Route53DnsSolver({ client }).cleanUp([{ name: '_acme-challenge.example.com', value: 'ours' }]);
    assert.deepEqual(summary(changeBatches()[0]?.changes ?? []), [
      'DELETE _acme-challenge.example.com. "theirs" "ours"',
      'CREATE _acme-challenge.example.com. "theirs"',
    ]);
  });

  it('deletes the set on clean-up when no value remains', async () => {
    txtSets({ '_acme-challenge.example.com': ['"ours"'] });
    await new Route53DnsSolver({ client }).cleanUp([{ name: '_acme-challenge.example.com', value: 'ours' }]);
    assert.deepEqual(summary(changeBatches()[0]?.changes ?? []), ['DELETE _acme-challenge.example.com. "ours"']);
  });

  it('does nothing when cleaning up values that are already gone', async () => {
    const solver = new Route53DnsSolver({ client });
    await solver.cleanUp([{ name: '_acme-challenge.example.com', value: 'ours' }]);
    txtSets({ '_acme-challenge.example.com': ['"theirs"'] });
    await solver.cleanUp([{ name: '_acme-challenge.example.com', value: 'ours' }]);
    assert.equal(changeBatches().length, 0);
  });

  it('reports propagation only when every change is INSYNC', async () => {
    r53
      .on(GetChangeCommand, { Id: '/change/A' })
      .resolves({ ChangeInfo: { Id: '/change/A', Status: 'INSYNC', SubmittedAt: new Date() } });
    r53
      .on(GetChangeCommand, { Id: '/change/B' })
      .resolves({ ChangeInfo: { Id: '/change/B', Status: 'PENDING', SubmittedAt: new Date() } });
    const solver = new Route53DnsSolver({ client });
    assert.equal(await solver.isPropagated(['/change/A', '/change/B']), false);
    assert.equal(await solver.isPropagated(['/change/A']), true);
  });

  it('turns throttling into a TransientError', async () => {
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    await assert.rejects(
      new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.example.com', value: 'v' }]),
      (error: unknown) => error instanceof TransientError && error.message.startsWith('route53: '),
    );
  });

  it('turns a dropped connection into a TransientError', async () => {
    r53.on(ListResourceRecordSetsCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await assert.rejects(
      new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.example.com', value: 'v' }]),
      TransientError,
    );
  });

  it('turns AccessDenied into a DnsError naming the zone', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform route53:ChangeResourceRecordSets'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    r53.on(ChangeResourceRecordSetsCommand).rejects(denied);
    await assert.rejects(
      new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.example.com', value: 'v' }]),
      (error: unknown) => error instanceof DnsError && /^route53: .*zone ZEXAMPLE.*AccessDenied/.test(error.message),
    );
  });

  it('turns a lost optimistic-concurrency race into a TransientError', async () => {
    const message =
      "[Tried to delete resource record set [name='_acme-challenge.example.com.', type='TXT'] but the values provided do not match the current values]";
    r53.on(ChangeResourceRecordSetsCommand).rejects(new InvalidChangeBatch({ message, $metadata: {} }));
    txtSets({ '_acme-challenge.example.com': ['"theirs"'] });
    await assert.rejects(
      new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.example.com', value: 'v' }]),
      TransientError,
    );
  });

  it('turns any other invalid change batch into a DnsError', async () => {
    const message = '[RRSet with DNS name _acme-challenge.example.com. is not permitted in zone other.com.]';
    r53.on(ChangeResourceRecordSetsCommand).rejects(new InvalidChangeBatch({ message, $metadata: {} }));
    await assert.rejects(
      new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.example.com', value: 'v' }]),
      (error: unknown) => error instanceof DnsError && /_acme-challenge\.example\.com/.test(error.message),
    );
  });

  it('fails with a DnsError naming the record when no zone matches', async () => {
    await assert.rejects(
      new Route53DnsSolver({ client }).present([{ name: '_acme-challenge.www.example.org', value: 'v' }]),
      (error: unknown) =>
        error instanceof DnsError &&
        error.message === 'route53: hosted zone for "_acme-challenge.www.example.org" not found',
    );
  });

  it('round-trips TXT values through quoting', () => {
    const long = 'x'.repeat(300);
    for (const value of ['plain', 'with "quotes" and \\ backslash', long]) {
      assert.equal(unquoteTxt(quoteTxt(value)), value);
    }
    assert.equal(quoteTxt(long), `"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
  });
});
