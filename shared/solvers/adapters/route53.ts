/**
 * DNS-01 on Route53: one atomic change batch per hosted zone, merged by value so that concurrent
 * orders sharing a name never clobber each other's TXT values.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type HostedZone,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { CertflowError, DnsError, TransientError, messageOf } from '../../errors.js';
import { awsErrorName, isTransientAwsError } from '../../adapters/aws/aws-errors.js';
import type { DnsSolver, TxtRecord } from '../../ports/dns.js';

export interface Route53DnsSolverOptions {
  client: Route53Client;
  /** Skip the zone look-up and write every record into this zone. */
  hostedZoneId?: string;
  /** TTL of the TXT sets this solver creates, in seconds (default 60). */
  ttl?: number;
}

interface Zone {
  id: string;
  name: string;
}

/** A TXT set as Route53 holds it: `raw` are the quoted values, exactly as a DELETE must repeat them. */
interface TxtSet {
  ttl: number;
  raw: string[];
  values: string[];
}

/** Route53's wording when a batch's CREATE/DELETE no longer matches what is stored: another writer won. */
const RACE = /already exists|values provided do not match|was not found/i;

/** Quotes a TXT value for Route53, splitting it into 255-byte character strings. */
export function quoteTxt(value: string): string {
  const chunks = value.match(/[\s\S]{1,255}/g) ?? [''];
  return chunks.map((chunk) => `"${chunk.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(' ');
}

/** The value behind a Route53 TXT string (`"a" "b"` → `ab`, `\"` and `\DDD` decoded). */
export function unquoteTxt(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  let out = '';
  for (const match of raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    out += (match[1] ?? '').replace(/\\(\d{3}|.)/g, (_, esc: string) =>
      esc.length === 3 ? String.fromCharCode(Number.parseInt(esc, 8)) : esc,
    );
  }
  return out;
}

/** Lower case, no trailing dot, Route53's octal escapes (`\052` for `*`) decoded. */
function canonical(name: string): string {
  return name
    .replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)))
    .replace(/\.$/, '')
    .toLowerCase();
}

/** Route53 TXT records for DNS-01 (cert-manager's route53 solver). */
export class Route53DnsSolver implements DnsSolver {
  private readonly client: Route53Client;
  private readonly hostedZoneId: string | undefined;
  private readonly ttl: number;
  /** Look-ups by canonical name, kept as promises so that concurrent callers share one. */
  private readonly zonesNamed = new Map<string, Promise<{ zone: Zone; private: boolean }[]>>();
  private readonly zoneOf = new Map<string, Promise<Zone | undefined>>();

  constructor(options: Route53DnsSolverOptions) {
    this.client = options.client;
    this.hostedZoneId = options.hostedZoneId?.replace(/^\/hostedzone\//, '');
    this.ttl = options.ttl ?? 60;
  }

  async present(records: TxtRecord[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [zone, names] of await this.groupByZone(records, true)) {
      const sets = await this.readSets(zone, [...names.keys()]);
      const changes: Change[] = [];
      for (const [name, wanted] of names) {
        const current = sets.get(name);
        const added = [...wanted].filter((value) => !current?.values.includes(value));
        if (added.length === 0) continue;
        if (current) changes.push(this.change('DELETE', name, current.ttl, current.raw));
        const values = [...(current?.values ?? []), ...added];
        changes.push(this.change('CREATE', name, this.ttl, values.map(quoteTxt)));
      }
      const id = await this.submit(zone, changes);
      if (id) ids.push(id);
    }
    return ids;
  }

  async isPropagated(changeIds: string[]): Promise<boolean> {
    const statuses = await Promise.all(
      changeIds.map(async (id) => {
        try {
          const out = await this.client.send(new GetChangeCommand({ Id: id }));
          return out.ChangeInfo?.Status;
        } catch (error) {
          throw translate(error, `reading change ${id}`);
        }
      }),
    );
    return statuses.every((status) => status === 'INSYNC');
  }

  async cleanUp(records: TxtRecord[]): Promise<void> {
    for (const [zone, names] of await this.groupByZone(records, false)) {
      const sets = await this.readSets(zone, [...names.keys()]);
      const changes: Change[] = [];
      for (const [name, unwanted] of names) {
        const current = sets.get(name);
        if (!current || !current.values.some((value) => unwanted.has(value))) continue;
        changes.push(this.change('DELETE', name, current.ttl, current.raw));
        const rest = current.values.filter((value) => !unwanted.has(value));
        if (rest.length > 0) changes.push(this.change('CREATE', name, current.ttl, rest.map(quoteTxt)));
      }
      await this.submit(zone, changes);
    }
  }

  /** zone → name → values. Cleaning up a name that has no zone has nothing to remove. */
  private async groupByZone(records: TxtRecord[], mustExist: boolean): Promise<Map<Zone, Map<string, Set<string>>>> {
    const names = [...new Set(records.map((record) => canonical(record.name)))];
    const zones = await Promise.all(names.map((name) => this.zoneFor(name)));
    const orphan = names.find((_, i) => !zones[i]);
    if (mustExist && orphan) throw new DnsError(`route53: hosted zone for "${orphan}" not found`);
    const byZone = new Map<string, { zone: Zone; names: Map<string, Set<string>> }>();
    for (const record of records) {
      const name = canonical(record.name);
      const zone = zones[names.indexOf(name)];
      if (!zone) continue;
      const entry = byZone.get(zone.id) ?? { zone, names: new Map<string, Set<string>>() };
      byZone.set(zone.id, entry);
      const values = entry.names.get(name) ?? new Set<string>();
      entry.names.set(name, values.add(record.value));
    }
    return new Map([...byZone.values()].map((entry) => [entry.zone, entry.names]));
  }

  private zoneFor(name: string): Promise<Zone | undefined> {
    if (this.hostedZoneId) return Promise.resolve({ id: this.hostedZoneId, name: this.hostedZoneId });
    return cached(this.zoneOf, name, () => this.findZone(name));
  }

  /** The longest public zone that is a suffix of `name`; a private one only if no public one matches. */
  private async findZone(name: string): Promise<Zone | undefined> {
    const labels = name.split('.');
    let privateMatch: Zone | undefined;
    for (let i = 0; i < labels.length; i++) {
      const candidate = labels.slice(i).join('.');
      const zones = await cached(this.zonesNamed, candidate, () => this.zonesNamedExactly(candidate));
      const publicZone = zones.find((zone) => !zone.private);
      if (publicZone) return publicZone.zone;
      privateMatch ??= zones[0]?.zone;
    }
    return privateMatch;
  }

  /**
   * ListHostedZonesByName lists zones in reversed-label order starting at DNSName, so the zones
   * named exactly `name` come first; page on only while the page is still all `name`.
   */
  private async zonesNamedExactly(name: string): Promise<{ zone: Zone; private: boolean }[]> {
    const found: { zone: Zone; private: boolean }[] = [];
    let hostedZoneId: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.client.send(
          new ListHostedZonesByNameCommand({ DNSName: name, HostedZoneId: hostedZoneId, MaxItems: 100 }),
        );
      } catch (error) {
        throw translate(error, `listing hosted zones named "${name}"`);
      }
      const zones: HostedZone[] = page.HostedZones ?? [];
      const same = zones.filter((zone) => canonical(zone.Name ?? '') === name);
      for (const zone of same) {
        found.push({
          zone: { id: (zone.Id ?? '').replace(/^\/hostedzone\//, ''), name },
          private: zone.Config?.PrivateZone === true,
        });
      }
      if (!page.IsTruncated || same.length < zones.length || canonical(page.NextDNSName ?? '') !== name) {
        return found;
      }
      hostedZoneId = page.NextHostedZoneId;
    }
  }

  private async readSets(zone: Zone, names: string[]): Promise<Map<string, TxtSet>> {
    const sets = new Map<string, TxtSet>();
    await Promise.all(
      names.map(async (name) => {
        let out;
        try {
          out = await this.client.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: zone.id,
              StartRecordName: name,
              StartRecordType: 'TXT',
              MaxItems: 1,
            }),
          );
        } catch (error) {
          throw translate(error, `reading TXT "${name}" in zone ${zone.id}`);
        }
        const set = out.ResourceRecordSets?.[0];
        if (!set || set.Type !== 'TXT' || canonical(set.Name ?? '') !== name) return;
        const raw = (set.ResourceRecords ?? []).map((record) => record.Value ?? '');
        sets.set(name, { ttl: set.TTL ?? this.ttl, raw, values: raw.map(unquoteTxt) });
      }),
    );
    return sets;
  }

  private change(action: 'CREATE' | 'DELETE', name: string, ttl: number, raw: string[]): Change {
    return {
      Action: action,
      ResourceRecordSet: { Name: `${name}.`, Type: 'TXT', TTL: ttl, ResourceRecords: raw.map((Value) => ({ Value })) },
    };
  }

  private async submit(zone: Zone, changes: Change[]): Promise<string | undefined> {
    if (changes.length === 0) return undefined;
    const names = [...new Set(changes.map((change) => canonical(change.ResourceRecordSet?.Name ?? '')))];
    try {
      const out = await this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.id,
          ChangeBatch: { Comment: 'certflow dns-01', Changes: changes },
        }),
      );
      return out.ChangeInfo?.Id;
    } catch (error) {
      throw translate(error, `changing TXT ${names.map((name) => `"${name}"`).join(', ')} in zone ${zone.id}`);
    }
  }
}

/** Memoizes `load` by key; a failed look-up is forgotten so that the next call tries again. */
function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}

/** Maps an SDK failure to what the state machine should do with it. */
function translate(error: unknown, doing: string): CertflowError {
  if (error instanceof CertflowError) return error;
  const name = awsErrorName(error) ?? 'Error';
  const message = `route53: ${doing}: ${name}: ${messageOf(error)}`;
  const transient =
    isTransientAwsError(error, ['PriorRequestNotComplete']) ||
    (name === 'InvalidChangeBatch' && RACE.test(messageOf(error)));
  return transient ? new TransientError(message, { cause: error }) : new DnsError(message, { cause: error });
}
