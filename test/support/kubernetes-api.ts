/**
 * A local HTTPS endpoint speaking the two Kubernetes Secret calls the sync makes, with the rules
 * that matter to it: GET, and server-side apply (`PATCH`, `application/apply-patch+yaml`) with
 * field managers. It keeps, per field, which managers own it:
 *   - an apply that changes a field another manager owns is a 409 Conflict, unless `force=true`,
 *     which moves the field to the applier;
 *   - an apply that sets a field to the value it already has shares its ownership;
 *   - a field the applier owned and no longer sends is dropped, unless someone else owns it too.
 * It answers 401 to a missing or malformed bearer token, 403 outside the allowed namespaces, 415 to
 * any other patch type, and whatever failures a test injects (409, 429 with Retry-After, 500, a
 * reset connection).
 * Fields are the leaves certflow writes: `type`, each label, each annotation, each data key.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { createLoopbackTls } from '../../shared/local/tls.js';

type Path = readonly [section: 'type'] | readonly [section: 'labels' | 'annotations' | 'data', key: string];

interface StoredSecret {
  values: Map<string, string>;
  owners: Map<string, Set<string>>;
  uid: string;
  resourceVersion: number;
  creationTimestamp: string;
}

export interface KubernetesApiOptions {
  /** Bearer tokens that authenticate. */
  tokens: string[];
  /** Namespaces the caller may read and write Secrets in; any other answers 403. */
  namespaces: string[];
}

/** An answer to force onto matching requests, `times` times (Infinity: for ever). */
export interface InjectedFailure {
  /** An HTTP status, or 0 to reset the connection without answering. */
  status: number;
  times: number;
  method?: 'GET' | 'PATCH';
  retryAfterSeconds?: number;
  /** The Status message; `injected` when omitted. */
  message?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  namespace?: string;
  name?: string;
  fieldManager?: string;
  force: boolean;
  contentType?: string;
  status: number;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const SECRET_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const key = (path: Path) => JSON.stringify(path);
const pathOf = (k: string) => JSON.parse(k) as Path;
const status = (code: number, reason: string, message: string): Answer => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
});

/** The leaves of an applied Secret, by field path. */
function flatten(object: Record<string, any>): Map<string, string> {
  const fields = new Map<string, string>();
  if (object.type !== undefined) fields.set(key(['type']), String(object.type));
  for (const section of ['labels', 'annotations'] as const) {
    for (const [k, v] of Object.entries(object.metadata?.[section] ?? {})) fields.set(key([section, k]), String(v));
  }
  for (const [k, v] of Object.entries(object.data ?? {})) fields.set(key(['data', k]), String(v));
  return fields;
}

/** `.metadata.labels.team`, as the API server names fields in conflicts. */
function fieldName(path: Path): string {
  return path[0] === 'type' ? '.type' : path[0] === 'data' ? `.data.${path[1]}` : `.metadata.${path[0]}.${path[1]}`;
}

export class KubernetesApi {
  readonly requests: RecordedRequest[] = [];
  readonly #secrets = new Map<string, StoredSecret>();
  readonly #failures: InjectedFailure[] = [];

  private constructor(
    readonly url: string,
    readonly caPem: string,
    private readonly server: Server,
    private readonly options: KubernetesApiOptions,
  ) {}

  /** Starts on 127.0.0.1, on a free port, with a throwaway CA of its own. */
  static async start(options: KubernetesApiOptions): Promise<KubernetesApi> {
    const tls = await createLoopbackTls();
    let api: KubernetesApi | undefined;
    const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => void api!.#serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = new KubernetesApi(`https://127.0.0.1:${port}`, tls.caPem, server, options);
    return api;
  }

  /** Answers `failure.status` to the next `failure.times` matching requests. */
  inject(failure: InjectedFailure): void {
    this.#failures.push({ ...failure });
  }

  /** The Secret as GET returns it, or undefined. */
  secret(namespace: string, name: string): Record<string, any> | undefined {
    const stored = this.#secrets.get(`${namespace}/${name}`);
    return stored ? this.#view(namespace, name, stored) : undefined;
  }

  /** Every Secret, as `namespace/name`. */
  secretNames(): string[] {
    return [...this.#secrets.keys()].sort();
  }

  /** Who owns each field: `{'.metadata.labels.team': ['certflow']}`. */
  owners(namespace: string, name: string): Record<string, string[]> {
    const stored = this.#secrets.get(`${namespace}/${name}`);
    return Object.fromEntries(
      [...(stored?.owners ?? new Map<string, Set<string>>())].map(([k, set]) => [
        fieldName(pathOf(k)),
        [...set].sort(),
      ]),
    );
  }

  /** Server-side apply as `manager`, without HTTP: how a test plays a third party. */
  applyAs(manager: string, object: Record<string, any>, options: { force: boolean }): Answer {
    return this.#apply(object.metadata.namespace, object.metadata.name, manager, object, options.force);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = SECRET_PATH.exec(url.pathname);
    const [namespace, name] = match ? [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)] : [];
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    const answer = this.#answer(req, url, namespace, name, contentType, Buffer.concat(chunks).toString('utf8'));
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      ...(namespace ? { namespace, name } : {}),
      ...(url.searchParams.has('fieldManager') ? { fieldManager: url.searchParams.get('fieldManager')! } : {}),
      force: url.searchParams.get('force') === 'true',
      ...(contentType ? { contentType } : {}),
      status: answer.status,
    });
    if (answer.status === 0) {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  #answer(
    req: IncomingMessage,
    url: URL,
    namespace: string | undefined,
    name: string | undefined,
    contentType: string | undefined,
    body: string,
  ): Answer {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.options.tokens.includes(token)) return status(401, 'Unauthorized', 'Unauthorized');
    if (!namespace || !name) return status(404, 'NotFound', 'the server could not find the requested resource');
    const verb = req.method === 'GET' ? 'get' : 'patch';
    if (!this.options.namespaces.includes(namespace)) {
      return status(
        403,
        'Forbidden',
        `secrets "${name}" is forbidden: User "certflow" cannot ${verb} resource "secrets" in API group "" in the namespace "${namespace}"`,
      );
    }
    const failure = this.#failures.find((f) => f.times > 0 && (!f.method || f.method === req.method));
    if (failure) {
      failure.times--;
      const injected = status(
        failure.status,
        failure.status === 429 ? 'TooManyRequests' : 'InternalError',
        failure.message ?? 'injected',
      );
      return failure.retryAfterSeconds === undefined
        ? injected
        : { ...injected, headers: { 'retry-after': String(failure.retryAfterSeconds) } };
    }
    if (req.method === 'GET') {
      const found = this.secret(namespace, name);
      return found ? { status: 200, body: found } : status(404, 'NotFound', `secrets "${name}" not found`);
    }
    if (req.method !== 'PATCH') return status(405, 'MethodNotAllowed', `${req.method} is not supported here`);
    if (contentType !== 'application/apply-patch+yaml') {
      return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${contentType}`);
    }
    const manager = url.searchParams.get('fieldManager');
    if (!manager) return status(400, 'BadRequest', 'fieldManager: Required value: is required for apply patch');
    let object: unknown;
    try {
      object = parseYaml(body);
    } catch {
      return status(400, 'BadRequest', 'error decoding YAML');
    }
    return this.#apply(
      namespace,
      name,
      manager,
      object as Record<string, any>,
      url.searchParams.get('force') === 'true',
    );
  }

  #apply(namespace: string, name: string, manager: string, object: Record<string, any>, force: boolean): Answer {
    if (object?.apiVersion !== 'v1' || object.kind !== 'Secret') return status(400, 'BadRequest', 'not a v1 Secret');
    if (object.metadata?.name !== name || (object.metadata.namespace ?? namespace) !== namespace) {
      return status(400, 'BadRequest', 'the name or namespace of the object does not match the URL');
    }
    for (const [k, v] of Object.entries(object.data ?? {})) {
      if (typeof v !== 'string' || !BASE64.test(v)) return status(422, 'Invalid', `data[${k}]: illegal base64 data`);
    }
    const applied = flatten(object);
    const id = `${namespace}/${name}`;
    const existing = this.#secrets.get(id);
    const typeKey = key(['type']);
    if (existing && applied.has(typeKey) && applied.get(typeKey) !== existing.values.get(typeKey)) {
      return status(422, 'Invalid', `Secret "${name}" is invalid: type: Invalid value: field is immutable`);
    }

    const values = new Map(existing?.values);
    const owners = new Map([...(existing?.owners ?? [])].map(([k, set]) => [k, new Set(set)]));
    const conflicts = [...applied].filter(([k, v]) => {
      const others = [...(owners.get(k) ?? [])].filter((m) => m !== manager);
      return others.length > 0 && values.get(k) !== v;
    });
    if (conflicts.length > 0 && !force) {
      const described = conflicts.map(
        ([k]) => `conflict with "${[...owners.get(k)!].join('", "')}": ${fieldName(pathOf(k))}`,
      );
      return status(409, 'Conflict', `Apply failed with ${conflicts.length} conflicts: ${described.join('; ')}`);
    }
    const conflicting = new Set(conflicts.map(([k]) => k));
    for (const [k, v] of applied) {
      values.set(k, v);
      owners.set(k, conflicting.has(k) ? new Set([manager]) : new Set([...(owners.get(k) ?? []), manager]));
    }
    for (const [k, set] of owners) {
      if (applied.has(k) || !set.has(manager)) continue;
      set.delete(manager);
      if (set.size === 0) {
        owners.delete(k);
        values.delete(k);
      }
    }
    if (!values.has(typeKey)) values.set(typeKey, 'Opaque');
    const stored: StoredSecret = {
      values,
      owners,
      uid: existing?.uid ?? randomUUID(),
      resourceVersion: (existing?.resourceVersion ?? 0) + 1,
      creationTimestamp: existing?.creationTimestamp ?? new Date().toISOString(),
    };
    this.#secrets.set(id, stored);
    return { status: existing ? 200 : 201, body: this.#view(namespace, name, stored) };
  }

  #view(namespace: string, name: string, stored: StoredSecret): Record<string, any> {
    const section = (s: 'labels' | 'annotations' | 'data') =>
      Object.fromEntries(
        [...stored.values].flatMap(([k, v]) => {
          const path = pathOf(k);
          return path[0] === s ? [[path[1], v]] : [];
        }),
      );
    const managers = new Set([...stored.owners.values()].flatMap((set) => [...set]));
    const managedFields = [...managers].sort().map((manager) => {
      const fields: Record<string, any> = {};
      for (const [k, set] of stored.owners) {
        if (!set.has(manager)) continue;
        const path = pathOf(k);
        if (path[0] === 'type') fields['f:type'] = {};
        else if (path[0] === 'data') (fields['f:data'] ??= {})[`f:${path[1]}`] = {};
        else ((fields['f:metadata'] ??= {})[`f:${path[0]}`] ??= {})[`f:${path[1]}`] = {};
      }
      return { manager, operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: fields };
    });
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace,
        uid: stored.uid,
        resourceVersion: String(stored.resourceVersion),
        creationTimestamp: stored.creationTimestamp,
        labels: section('labels'),
        annotations: section('annotations'),
        managedFields,
      },
      type: stored.values.get(key(['type'])),
      data: section('data'),
    };
  }
}
