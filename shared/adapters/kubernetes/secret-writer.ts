/**
 * Kubernetes Secrets over plain `node:https`: GET, and server-side apply (`PATCH` with
 * `application/apply-patch+yaml`, certflow's field manager, `force=true`). Two calls are all the
 * sync needs, so no Kubernetes client library (~1.5 MB, and broken on Node 20) is bundled.
 *
 * Apply with force makes certflow the owner of every field it sends: a label someone changed is
 * put back, while fields others added stay theirs (as cert-manager enforces secretTemplate).
 *
 * 409, 429 and 5xx are retried a few times here, then reported as `TransientError` for the queue
 * to retry later; 401, 403, 404 on apply (no such namespace) and 4xx are `DeliveryError`.
 * Messages quote the API server's reason, cut short and stripped of anything base64-like: the
 * request carries a private key, and nothing of it may reach a log.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:https';
import type { DeliveryTarget } from '../../domain/spec.js';
import { DeliveryError, TransientError } from '../../errors.js';
import type { ClusterSecretWriter, KubernetesSecret } from '../../ports/delivery.js';

/** How to reach one cluster's API server. */
export interface ClusterConnection {
  /** `https://host[:port]` */
  server: string;
  caPem: string;
  /** Bearer token. */
  token: string;
}

/** Finds clusters by name (EKS in AWS: see eks-cluster-directory.ts). */
export interface ClusterConnector {
  connect(cluster: string): Promise<ClusterConnection>;
  /** Drops a cached connection after a network failure (the endpoint may have moved). */
  forget?(cluster: string): void;
}

/** Options of {@link KubernetesSecretWriter}. */
export interface KubernetesSecretWriterOptions {
  connector: ClusterConnector;
  /** The field manager of every apply; `certflow` when omitted. */
  fieldManager?: string;
  /** Per request; 5 s when omitted, so one unreachable cluster cannot hold the sync for long. */
  timeoutMs?: number;
  /** Attempts for 409, 429 and 5xx answers; 3 when omitted. */
  attempts?: number;
  /** First pause between attempts (doubled each time); 200 ms when omitted. */
  retryDelayMs?: number;
}

const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_RETRY_AFTER_MS = 2_000;
/** Conflicts, throttling and server faults pass; everything else is an answer. */
const retried = (status: number) => status === 409 || status === 429 || status >= 500;
const NETWORK_ERRORS = /^E[A-Z_]+$/;
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

interface Answer {
  status: number;
  retryAfter?: string;
  body: string;
}

/** The API server's own words (`Status.message`), safe to log. */
function reasonOf(body: string): string {
  let message: unknown;
  try {
    message = (JSON.parse(body) as { message?: unknown }).message;
  } catch {
    message = undefined;
  }
  const text = typeof message === 'string' ? message : body.slice(0, 200);
  return text.replace(/[A-Za-z0-9+/=_-]{40,}/g, '…').slice(0, 300);
}

/** {@link ClusterSecretWriter} on the Kubernetes API. */
export class KubernetesSecretWriter implements ClusterSecretWriter {
  readonly #connector: ClusterConnector;
  readonly #fieldManager: string;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #retryDelayMs: number;
  readonly #agents = new Map<string, Agent>();

  constructor(options: KubernetesSecretWriterOptions) {
    this.#connector = options.connector;
    this.#fieldManager = options.fieldManager ?? 'certflow';
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#attempts = options.attempts ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 200;
  }

  async read(target: DeliveryTarget): Promise<KubernetesSecret | undefined> {
    const answer = await this.#call(target, 'GET', secretPath(target));
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw this.#failure(target, 'GET', answer);
    try {
      return JSON.parse(answer.body) as KubernetesSecret;
    } catch {
      throw new TransientError(`kubernetes: GET secret ${where(target)} answered with a body that is not JSON`);
    }
  }

  async apply(target: DeliveryTarget, secret: KubernetesSecret): Promise<void> {
    const query = `?fieldManager=${encodeURIComponent(this.#fieldManager)}&force=true`;
    // JSON is YAML, so the apply body needs no YAML writer.
    const answer = await this.#call(target, 'PATCH', secretPath(target) + query, JSON.stringify(secret));
    if (answer.status !== 200 && answer.status !== 201) throw this.#failure(target, 'PATCH', answer);
  }

  /**
   * One request, repeated while the API server answers 409, 429 or 5xx, or while a kept-alive
   * socket turns out dead (Lambda freezes containers, and the server closes idle connections
   * meanwhile). A timeout or a refused connection is not repeated here: the cluster is down, and
   * the queue retries later without holding the other targets up.
   */
  async #call(target: DeliveryTarget, method: string, path: string, body?: string): Promise<Answer> {
    let answer: Answer | undefined;
    for (let attempt = 1; ; attempt++) {
      if (answer) await sleep(this.#pause(answer, attempt));
      const connection = await this.#connector.connect(target.cluster);
      try {
        answer = await this.#send(target, connection, method, path, body);
      } catch (error) {
        const stale = STALE_SOCKET.has(((error as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? '');
        if (!stale || attempt >= this.#attempts) throw error;
        answer = undefined;
        continue;
      }
      if (!retried(answer.status) || attempt >= this.#attempts) return answer;
    }
  }

  #pause(previous: Answer, attempt: number): number {
    const retryAfter = Number(previous.retryAfter);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
    return this.#retryDelayMs * 2 ** (attempt - 2) * (0.5 + Math.random() / 2);
  }

  #send(target: DeliveryTarget, connection: ClusterConnection, method: string, path: string, body?: string) {
    const url = new URL(connection.server);
    return new Promise<Answer>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port || 443,
          path,
          method,
          agent: this.#agent(connection),
          timeout: this.#timeoutMs,
          headers: {
            authorization: `Bearer ${connection.token}`,
            accept: 'application/json',
            ...(body !== undefined
              ? { 'content-type': APPLY_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('EBIGANSWER'));
            else chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              ...(typeof res.headers['retry-after'] === 'string' ? { retryAfter: res.headers['retry-after'] } : {}),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    }).catch((error: NodeJS.ErrnoException) => {
      this.#connector.forget?.(target.cluster);
      const code = error.code && NETWORK_ERRORS.test(error.code) ? error.code : 'error';
      // TLS and socket errors name the host and the problem, never the request's content.
      throw new TransientError(`kubernetes: ${method} secret ${where(target)} failed: ${code}: ${error.message}`, {
        cause: error,
      });
    });
  }

  /** One keep-alive agent per API server and CA, trusting only that CA. */
  #agent(connection: ClusterConnection): Agent {
    const key = `${connection.server}\n${createHash('sha256').update(connection.caPem).digest('hex')}`;
    let agent = this.#agents.get(key);
    if (!agent) this.#agents.set(key, (agent = new Agent({ ca: connection.caPem, keepAlive: true })));
    return agent;
  }

  #failure(target: DeliveryTarget, method: string, answer: Answer): Error {
    const message = `kubernetes: ${method} secret ${where(target)} answered ${answer.status}: ${reasonOf(answer.body)}`;
    return retried(answer.status) ? new TransientError(message) : new DeliveryError(message);
  }
}

function secretPath(target: DeliveryTarget): string {
  return `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/secrets/${encodeURIComponent(target.secretName)}`;
}

function where(target: DeliveryTarget): string {
  return `${target.namespace}/${target.secretName} in cluster "${target.cluster}"`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
