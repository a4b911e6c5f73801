/**
 * Makes acme-client's HTTP layer fit a step-by-step pipeline:
 * - no sleeping inside a Lambda: acme-client's own retry loop (which waits Retry-After, up to
 *   minutes) is switched off, and the state machine's `Retry` does the waiting instead;
 * - errors keep their meaning: a transport failure or 5xx becomes `TransientError`, `rateLimited`
 *   becomes `RateLimitedError` with the CA's Retry-After (or, past what the state machine's
 *   retrier covers, an `AcmeError` naming the CA's time: `rateLimitedUntilMessage`, which
 *   RecordFailure schedules the retry for), and any other problem document becomes
 *   `AcmeError` carrying the CA's `type` and `detail` (acme-client would flatten it into a bare
 *   `Error`). `badNonce` is left to acme-client, which retries it with the fresh nonce.
 */
import type { Agent } from 'node:https';
import acme from 'acme-client';
import axios, { type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { AcmeError, RateLimitedError, TransientError, rateLimitedUntilMessage } from '../../errors.js';
import { recordAcmeRequest } from '../../monitoring/metrics.js';
import { parseRetryAfter } from './retry-after.js';

export { parseRetryAfter };

const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce';
const RATE_LIMITED = 'urn:ietf:params:acme:error:rateLimited';

/**
 * The longest Retry-After the state machine's `RateLimitedError` retrier covers (30 s doubling,
 * 4 attempts, 300 s cap). A longer one is not waited out inside an execution: the issuance ends
 * as rate-limited and its retry is scheduled for when the CA said.
 */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 300;

/** Per-request timeout: well inside a Lambda's, so a slow CA becomes a retried step. */
export const ACME_REQUEST_TIMEOUT_MS = 10_000;

function problemOf(response: AxiosResponse): { type?: string; detail?: string } {
  // Adapters see the raw body: axios parses JSON only after the adapter returns.
  let data: unknown = response.data;
  if (typeof data === 'string' || Buffer.isBuffer(data)) {
    try {
      data = JSON.parse(data.toString());
    } catch {
      return {};
    }
  }
  if (data && typeof data === 'object') {
    const { type, detail } = data as { type?: unknown; detail?: unknown };
    return {
      type: typeof type === 'string' ? type : undefined,
      detail: typeof detail === 'string' ? detail : undefined,
    };
  }
  return {};
}

function describe(config: InternalAxiosRequestConfig): string {
  return `${(config.method ?? 'get').toUpperCase()} ${config.url ?? ''}`;
}

/** Turns a problem response into certflow's error; returns quietly for anything else. */
function throwIfProblem(response: AxiosResponse, config: InternalAxiosRequestConfig): void {
  const { status } = response;
  if (status < 400) return;
  const problem = problemOf(response);
  if (problem.type === BAD_NONCE) return;
  const detail = problem.detail ?? `HTTP ${status}`;
  if (status === 429 || problem.type === RATE_LIMITED) {
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    if (retryAfter !== undefined && retryAfter > MAX_RATE_LIMIT_WAIT_SECONDS) {
      const until = new Date(Date.now() + retryAfter * 1000);
      throw new AcmeError(rateLimitedUntilMessage(until, detail), RATE_LIMITED);
    }
    throw new RateLimitedError(`acme: rate limited: ${detail}`, retryAfter);
  }
  if (status >= 500) throw new TransientError(`acme: ${describe(config)} answered ${status}: ${detail}`);
  throw new AcmeError(`acme: ${detail}`, problem.type);
}

/**
 * Wraps an axios adapter so that ACME failures come out as certflow's errors. acme-client makes
 * axios reject every response (it validates statuses in an interceptor), so a response can
 * arrive as an error carrying `.response`; anything that is not a problem goes on unchanged.
 */
export function classifyingAdapter(inner: AxiosAdapter): AxiosAdapter {
  return async (config) => {
    const pooled = config.method?.toLowerCase() === 'head' ? takeNonce(config.url) : undefined;
    if (pooled) {
      return { status: 200, statusText: 'OK', headers: { 'replay-nonce': pooled }, data: '', config } as AxiosResponse;
    }
    let response: AxiosResponse;
    try {
      response = await inner(config);
    } catch (error) {
      const failed = (error as { response?: AxiosResponse }).response;
      if (failed) keepNonce(failed, config);
      recordAcmeRequest(failed ? `${Math.floor(failed.status / 100)}xx` : 'network');
      if (!failed) {
        const code = (error as { code?: string }).code ?? (error as Error).message;
        throw new TransientError(`acme: ${describe(config)} failed: ${code}`, { cause: error });
      }
      throwIfProblem(failed, config);
      throw error;
    }
    keepNonce(response, config);
    recordAcmeRequest(`${Math.floor(response.status / 100)}xx`);
    throwIfProblem(response, config);
    return response;
  };
}

/**
 * Nonces the CA handed out in `Replay-Nonce`, per CA, newest last. RFC 8555 §7.2 lets a client
 * use them instead of asking `newNonce` (acme-client asks before every signed request), which
 * halves the requests of a step. One that went stale meanwhile draws `badNonce`, which
 * acme-client retries with the fresh nonce of that very answer.
 */
const nonces = new Map<string, string[]>();
const MAX_POOLED_NONCES = 32;

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

function takeNonce(url: string | undefined): string | undefined {
  const origin = originOf(url);
  return origin ? nonces.get(origin)?.pop() : undefined;
}

function keepNonce(response: AxiosResponse, config: InternalAxiosRequestConfig): void {
  const nonce = (response.headers as Record<string, unknown> | undefined)?.['replay-nonce'];
  const origin = originOf(config.url);
  // acme-client itself retries a badNonce with that answer's nonce: pooling it would reuse it.
  if (typeof nonce !== 'string' || !nonce || !origin || problemOf(response).type === BAD_NONCE) return;
  const pool = nonces.get(origin) ?? [];
  pool.push(nonce);
  if (pool.length > MAX_POOLED_NONCES) pool.shift();
  nonces.set(origin, pool);
}

let configured = false;

/**
 * Configures acme-client's shared axios instance once per process. `httpsAgent` is for a CA
 * whose TLS certificate is not publicly trusted (the local Pebble).
 */
export function configureAcmeHttp(options: { httpsAgent?: Agent } = {}): void {
  const instance = acme.axios;
  if (options.httpsAgent) instance.defaults.httpsAgent = options.httpsAgent;
  if (configured) return;
  configured = true;
  (instance.defaults as { acmeSettings?: { retryMaxAttempts: number } }).acmeSettings!.retryMaxAttempts = 0;
  instance.defaults.timeout = ACME_REQUEST_TIMEOUT_MS;
  instance.defaults.adapter = classifyingAdapter(axios.getAdapter('http'));
}
