/**
 * A local HTTP server speaking enough of Route53's REST-XML API for the real
 * `@aws-sdk/client-route-53` to run the DNS-01 calls against it, with Route53's batch semantics
 * (validated as a whole, applied atomically, CREATE/DELETE conflicts as `InvalidChangeBatch`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unquoteTxt } from '../../shared/solvers/adapters/route53.js';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export interface EndpointZone {
  name: string;
  /** With or without the `/hostedzone/` prefix. */
  id: string;
  private?: boolean;
}

export interface EndpointFaults {
  /** Every Nth call (of any kind) answers HTTP 400 `Throttling`. */
  throttleEvery?: number;
  /** Every Nth ChangeResourceRecordSets call answers HTTP 400 `PriorRequestNotComplete`. */
  priorRequestNotComplete?: number;
  /**
   * Route53's rate limit: at most this many requests are served in any one-second window; the
   * rest answer HTTP 400 `Throttling` and are not served (nor counted against the window).
   */
  requestsPerSecond?: number;
}

export interface EndpointRecordSet {
  zoneId: string;
  /** No trailing dot. */
  name: string;
  type: string;
  ttl: number;
  /** As stored: TXT values are quoted. */
  values: string[];
}

export interface Route53Endpoint {
  url: string;
  records(): EndpointRecordSet[];
  /** The unquoted TXT values of `name` (no trailing dot), in whichever zone holds it. */
  txt(name: string): string[];
  /** Every request: when it arrived (ms since epoch) and whether it was refused as throttled. */
  calls: { action: string; zoneId?: string; at: number; throttled?: boolean }[];
  /** The most requests served within any `windowMs` (one second by default), counting from `since`. */
  peakServed(windowMs?: number, since?: number): number;
  /** Mutable: tests may switch faults on and off between calls. */
  faults: EndpointFaults;
  close(): Promise<void>;
}

interface Zone extends EndpointZone {
  sets: Map<string, EndpointRecordSet>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const fqdn = (name: string): string => `${name.replace(/\.$/, '').toLowerCase()}.`;
const bare = (name: string): string => name.replace(/\.$/, '').toLowerCase();
/** Route53 orders names by their labels reversed (`com.example.www`). */
const reversed = (name: string): string => bare(name).split('.').reverse().join('.');
const setKey = (name: string, type: string): string => `${reversed(name)}\u0000${type}`;

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
const unescapeXml = (text: string): string =>
  text.replace(/&(lt|gt|amp|apos|quot|#x[0-9a-f]+|#\d+);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
    if (named[e]) return named[e];
    return String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10));
  });
const tag = (xml: string, name: string): string | undefined =>
  xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1];
const tags = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1] ?? '');

function recordSetXml(set: EndpointRecordSet): string {
  const values = set.values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('');
  return `<ResourceRecordSet><Name>${fqdn(set.name)}</Name><Type>${set.type}</Type><TTL>${set.ttl}</TTL><ResourceRecords>${values}</ResourceRecords></ResourceRecordSet>`;
}

/** Starts the endpoint on 127.0.0.1 (a free port); mirrors TXT changes into challtestsrv when asked. */
export async function startRoute53Endpoint(options: {
  zones: EndpointZone[];
  challtestsrvManagementUrl?: string;
  faults?: EndpointFaults;
}): Promise<Route53Endpoint> {
  const zones = new Map<string, Zone>();
  for (const zone of options.zones) {
    const id = zone.id.replace(/^\/hostedzone\//, '');
    zones.set(id, { ...zone, id, name: bare(zone.name), sets: new Map() });
  }
  const calls: Route53Endpoint['calls'] = [];
  const faults: EndpointFaults = { ...options.faults };
  const changes = new Map<string, { reads: number; submittedAt: string }>();
  let mirror: Promise<unknown> = Promise.resolve();

  const zoneById = (id: string): Zone => {
    const zone = zones.get(decodeURIComponent(id));
    if (!zone) throw new ApiError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
    return zone;
  };

  const changeInfo = (id: string, status: string): string => {
    const info = changes.get(id);
    return `<ChangeInfo><Id>/change/${id}</Id><Status>${status}</Status><SubmittedAt>${info?.submittedAt ?? ''}</SubmittedAt><Comment>certflow test endpoint</Comment></ChangeInfo>`;
  };

  function listHostedZonesByName(query: URLSearchParams): string {
    const dnsName = query.get('dnsname');
    const startId = query.get('hostedzoneid');
    const max = Number(query.get('maxitems') ?? 100);
    const sorted = [...zones.values()].sort((a, b) =>
      reversed(a.name) === reversed(b.name) ? a.id.localeCompare(b.id) : reversed(a.name) < reversed(b.name) ? -1 : 1,
    );
    const from = sorted.filter((zone) => {
      if (!dnsName) return true;
      const [z, d] = [reversed(zone.name), reversed(dnsName)];
      return z > d || (z === d && (!startId || zone.id >= startId));
    });
    const page = from.slice(0, max);
    const next = from[max];
    const body = page
      .map(
        (zone) =>
          `<HostedZone><Id>/hostedzone/${zone.id}</Id><Name>${fqdn(zone.name)}</Name><CallerReference>${zone.id}</CallerReference><Config><PrivateZone>${zone.private === true}</PrivateZone></Config><ResourceRecordSetCount>${zone.sets.size}</ResourceRecordSetCount></HostedZone>`,
      )
      .join('');
    return `<ListHostedZonesByNameResponse xmlns="${NS}"><HostedZones>${body}</HostedZones>${dnsName ? `<DNSName>${fqdn(dnsName)}</DNSName>` : ''}${startId ? `<HostedZoneId>${startId}</HostedZoneId>` : ''}<IsTruncated>${next !== undefined}</IsTruncated><MaxItems>${max}</MaxItems>${next ? `<NextDNSName>${fqdn(next.name)}</NextDNSName><NextHostedZoneId>${next.id}</NextHostedZoneId>` : ''}</ListHostedZonesByNameResponse>`;
  }

  function listResourceRecordSets(zone: Zone, query: URLSearchParams): string {
    const name = query.get('name');
    const type = query.get('type') ?? '';
    const max = Number(query.get('maxitems') ?? 300);
    const sorted = [...zone.sets.values()].sort((a, b) => (setKey(a.name, a.type) < setKey(b.name, b.type) ? -1 : 1));
    const from = name ? sorted.filter((set) => setKey(set.name, set.type) >= setKey(name, type)) : sorted;
    const next = from[max];
    return `<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${from.slice(0, max).map(recordSetXml).join('')}</ResourceRecordSets><IsTruncated>${next !== undefined}</IsTruncated><MaxItems>${max}</MaxItems>${next ? `<NextRecordName>${fqdn(next.name)}</NextRecordName><NextRecordType>${next.type}</NextRecordType>` : ''}</ListResourceRecordSetsResponse>`;
  }

  /** Validates the whole batch against a copy, then swaps it in: Route53 applies all or nothing. */
  function changeResourceRecordSets(zone: Zone, body: string): string {
    const working = new Map(zone.sets);
    const problems: string[] = [];
    const touched = new Set<string>();
    const parsed = tags(body, 'Change');
    if (parsed.length === 0) throw new ApiError(400, 'InvalidInput', 'Invalid XML; no Change in the ChangeBatch');
    for (const change of parsed) {
      const action = tag(change, 'Action') ?? '';
      const name = bare(unescapeXml(tag(change, 'Name') ?? ''));
      const type = tag(change, 'Type') ?? '';
      const set: EndpointRecordSet = {
        zoneId: zone.id,
        name,
        type,
        ttl: Number(tag(change, 'TTL') ?? 0),
        values: tags(change, 'Value').map(unescapeXml),
      };
      const label = `[name='${fqdn(name)}', type='${type}']`;
      const key = setKey(name, type);
      const existing = working.get(key);
      if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
        problems.push(`RRSet with DNS name ${fqdn(name)} is not permitted in zone ${fqdn(zone.name)}`);
        continue;
      }
      const badTxt = type === 'TXT' && set.values.find((v) => !/^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/.test(v));
      if (badTxt !== undefined && badTxt !== false) {
        problems.push(
          `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${badTxt}''`,
        );
        continue;
      }
      if (action === 'CREATE') {
        if (existing) problems.push(`Tried to create resource record set ${label} but it already exists`);
        else working.set(key, set);
      } else if (action === 'DELETE') {
        if (!existing) problems.push(`Tried to delete resource record set ${label} but it was not found`);
        else if (
          existing.ttl !== set.ttl ||
          [...existing.values].sort().join('\n') !== [...set.values].sort().join('\n')
        ) {
          problems.push(
            `Tried to delete resource record set ${label} but the values provided do not match the current values`,
          );
        } else working.delete(key);
      } else if (action === 'UPSERT') {
        working.set(key, set);
      } else {
        throw new ApiError(400, 'InvalidInput', `Invalid request: unknown action ${action}`);
      }
      if (type === 'TXT') touched.add(name);
    }
    if (problems.length > 0) throw new ApiError(400, 'InvalidChangeBatch', `[${problems.join(', ')}]`);
    zone.sets = working;
    const id = `C${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    changes.set(id, { reads: 0, submittedAt: new Date().toISOString() });
    if (options.challtestsrvManagementUrl) mirrorTxt(zone, [...touched]);
    return `<ChangeResourceRecordSetsResponse xmlns="${NS}">${changeInfo(id, 'PENDING')}</ChangeResourceRecordSetsResponse>`;
  }

  /**
   * Queued so that mirrors never interleave; each one writes the state current when it runs, so
   * the last one leaves challtestsrv equal to the zone.
   */
  function mirrorTxt(zone: Zone, names: string[]): void {
    const url = options.challtestsrvManagementUrl ?? '';
    const post = async (path: string, body: object): Promise<void> => {
      const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`challtestsrv ${path}: HTTP ${response.status}`);
      await response.body?.cancel();
    };
    mirror = mirror
      .catch(() => undefined)
      .then(async () => {
        for (const name of names) {
          await post('/clear-txt', { host: fqdn(name) });
          for (const value of zone.sets.get(setKey(name, 'TXT'))?.values ?? []) {
            await post('/set-txt', { host: fqdn(name), value: unquoteTxt(value) });
          }
        }
      });
  }

  function getChange(id: string): string {
    const change = changes.get(id);
    if (!change) throw new ApiError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
    change.reads += 1;
    return `<GetChangeResponse xmlns="${NS}">${changeInfo(id, change.reads === 1 ? 'PENDING' : 'INSYNC')}</GetChangeResponse>`;
  }

  /** Which operation a request is, and how to answer it. */
  function operation(method: string, path: string, query: URLSearchParams, body: string) {
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/2013-04-01/hostedzonesbyname') {
      return { action: 'ListHostedZonesByName', run: () => listHostedZonesByName(query) };
    }
    if ((m = path.match(/^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/))) {
      const zoneId = decodeURIComponent(m[1] ?? '');
      if (method === 'GET') {
        return { action: 'ListResourceRecordSets', zoneId, run: () => listResourceRecordSets(zoneById(zoneId), query) };
      }
      if (method === 'POST') {
        return {
          action: 'ChangeResourceRecordSets',
          zoneId,
          run: () => changeResourceRecordSets(zoneById(zoneId), body),
        };
      }
    }
    if (method === 'GET' && (m = path.match(/^\/2013-04-01\/change\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1] ?? '');
      return { action: 'GetChange', run: () => getChange(id) };
    }
    return {
      action: `${method} ${path}`,
      run: (): string => {
        throw new ApiError(404, 'InvalidInput', `Not implemented by the test endpoint: ${method} ${path}`);
      },
    };
  }

  /** Arrival times of the requests served, for the rate limit's sliding window. */
  const served: number[] = [];

  /** Injected faults answer before the operation runs, as Route53's do: nothing is applied. */
  function fault(action: string, at: number): ApiError | undefined {
    if (faults.throttleEvery && calls.length % faults.throttleEvery === 0) {
      return new ApiError(400, 'Throttling', 'Rate exceeded');
    }
    if (faults.requestsPerSecond !== undefined) {
      let inWindow = 0;
      for (let i = served.length - 1; i >= 0 && served[i]! > at - 1000; i--) inWindow++;
      if (inWindow >= faults.requestsPerSecond) return new ApiError(400, 'Throttling', 'Rate exceeded');
    }
    if (action !== 'ChangeResourceRecordSets' || !faults.priorRequestNotComplete) return undefined;
    if (calls.filter((call) => call.action === action).length % faults.priorRequestNotComplete === 0) {
      return new ApiError(
        400,
        'PriorRequestNotComplete',
        'The request was rejected because Route 53 was still processing a prior request.',
      );
    }
    return undefined;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const respond = (status: number, xml: string): void => {
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
        res.end(`<?xml version="1.0"?>\n${xml}`);
      };
      const op = operation(req.method ?? 'GET', url.pathname, url.searchParams, Buffer.concat(chunks).toString('utf8'));
      const at = Date.now();
      const call: Route53Endpoint['calls'][number] = { action: op.action, at };
      if (op.zoneId !== undefined) call.zoneId = op.zoneId;
      calls.push(call);
      const injected = fault(op.action, at);
      if (injected?.code === 'Throttling') call.throttled = true;
      else served.push(at);
      new Promise<string>((resolve) => {
        if (injected) throw injected;
        resolve(op.run());
      })
        // A change answers only once challtestsrv shows it, so whatever validates next sees it.
        .then(async (xml) => {
          await mirror;
          return xml;
        })
        .then(
          (xml) => respond(200, xml),
          (error: unknown) => {
            const e = error instanceof ApiError ? error : new ApiError(500, 'InternalFailure', String(error));
            respond(
              e.status,
              `<ErrorResponse xmlns="${NS}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
            );
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    faults,
    peakServed: (windowMs = 1000, since = 0) => {
      let peak = 0;
      let start = served.findIndex((at) => at >= since);
      if (start < 0) return 0;
      for (let end = start; end < served.length; end++) {
        while (served[end]! - served[start]! >= windowMs) start++;
        peak = Math.max(peak, end - start + 1);
      }
      return peak;
    },
    records: () =>
      [...zones.values()].flatMap((zone) =>
        [...zone.sets.values()].map((set) => ({ ...set, values: [...set.values] })),
      ),
    txt: (name) =>
      [...zones.values()].flatMap((zone) => zone.sets.get(setKey(name, 'TXT'))?.values.map(unquoteTxt) ?? []),
    close: async () => {
      await mirror.catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
