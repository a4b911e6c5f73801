/**
 * The HTTP client of the certificate API: plain `fetch` to a loopback endpoint (local mode), SigV4
 * signed otherwise. Any answer other than 2xx becomes an {@link ApiError} carrying the API's
 * `{error:{code,message,field}}`.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { CertificateView } from '../../shared/api/views.js';
import type { CertificateEvent } from '../../shared/domain/status.js';
import { type CliContext, CliError, UsageError } from './context.js';
import { type CredentialProvider, type Credentials, isLoopback, regionFromEndpoint, signRequest } from './sigv4.js';

/** The local service started by `npm run local`. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

/** The API answered with an error. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiResult<T> {
  status: number;
  body: T;
}

export interface ApiClientOptions {
  endpoint: string;
  /** Overrides the region taken from the endpoint host and the environment. */
  region?: string;
  env: CliContext['env'];
  fetch?: typeof fetch;
  credentials?: Credentials | CredentialProvider;
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint: "${endpoint}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoint: "${endpoint}" is not an http(s) URL`);
  }
  return url;
}

/** Reads an error answer; API Gateway's own errors are `{"message": …}`, not the API's shape. */
function toApiError(status: number, text: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: fall back to the status line below.
  }
  const body = (parsed ?? {}) as { error?: { code?: unknown; message?: unknown; field?: unknown }; message?: unknown };
  const error = body.error;
  if (error && typeof error.message === 'string') {
    const field = typeof error.field === 'string' ? error.field : undefined;
    return new ApiError(status, String(error.code ?? 'Error'), error.message, field);
  }
  const message = typeof body.message === 'string' ? body.message : text.trim().slice(0, 200);
  return new ApiError(status, 'HttpError', `HTTP ${status}${message ? `: ${message}` : ''}`);
}

/** A client of one endpoint. */
export class ApiClient {
  readonly endpoint: URL;
  /** Loopback endpoint: local mode, no signing, keys read from the local store. */
  readonly local: boolean;
  readonly #options: ApiClientOptions;
  #credentials: Credentials | CredentialProvider | undefined;

  constructor(options: ApiClientOptions) {
    this.endpoint = parseEndpoint(options.endpoint);
    this.local = isLoopback(this.endpoint);
    this.#options = options;
    this.#credentials = options.credentials;
  }

  /** The region requests are signed for: `--region`, then the API Gateway host, then the environment. */
  region(): string {
    const region =
      this.#options.region ??
      regionFromEndpoint(this.endpoint) ??
      this.#options.env.AWS_REGION ??
      this.#options.env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new UsageError(`cannot tell the AWS region of ${this.endpoint.host}: pass --region or set AWS_REGION`);
    }
    return region;
  }

  /** Credentials for signing; the default chain is resolved once, on the first signed request. */
  credentials(): Credentials | CredentialProvider {
    this.#credentials ??= fromNodeProviderChain();
    return this.#credentials;
  }

  /** Sends one request; `path` is relative to the endpoint (which may carry a stage, `/prod`). */
  async request<T>(
    method: string,
    path: string,
    options: { body?: string; query?: Record<string, string> } = {},
  ): Promise<ApiResult<T>> {
    const url = new URL(this.endpoint.href.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (!this.local) {
      const signed = await signRequest(
        { method, url, headers, body: options.body },
        { region: this.region(), credentials: this.credentials() },
      );
      const { host: _host, ...rest } = signed;
      headers = rest;
    }
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(url, { method, headers, body: options.body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      const hint = this.local ? ' (is `npm run local` running?)' : '';
      throw new CliError(`cannot reach ${this.endpoint.origin}: ${detail}${hint}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw toApiError(response.status, text);
    try {
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    } catch {
      throw new CliError(`${method} ${url.pathname}: the API answered ${response.status} with a body that is not JSON`);
    }
  }

  /** `GET /certificates/{name}`. */
  async getCertificate(name: string): Promise<ApiResult<CertificateView>> {
    return this.request<CertificateView>('GET', `/certificates/${encodeURIComponent(name)}`);
  }

  /** `GET /certificates/{name}/events`, oldest first. */
  async getEvents(name: string): Promise<ApiResult<CertificateEvent[]>> {
    return this.request<CertificateEvent[]>('GET', `/certificates/${encodeURIComponent(name)}/events`);
  }
}
