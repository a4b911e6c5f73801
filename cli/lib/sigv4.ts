/**
 * SigV4 signing for the deployed API, which API Gateway protects with IAM auth: the same request
 * `aws` or `awscurl` would send, signed for service `execute-api`.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What `fromNodeProviderChain()` returns. */
export type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;
/** Resolved credentials: `accessKeyId`, `secretAccessKey`, optional `sessionToken`. */
export type Credentials = Awaited<ReturnType<CredentialProvider>>;

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The region of an API Gateway default endpoint (`<id>.execute-api.<region>.amazonaws.com`). */
export function regionFromEndpoint(url: URL): string | undefined {
  return EXECUTE_API_HOST.exec(url.hostname.toLowerCase())?.[1];
}

/** Whether the endpoint is this machine: local mode, unsigned and read from the local store. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '::1' ||
    /^::ffff:127\./.test(host)
  );
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface SigningOptions {
  region: string;
  credentials: Credentials | CredentialProvider;
  /** Fixed signing time, for tests. */
  signingDate?: Date;
}

/** Returns the request's headers plus `authorization`, `x-amz-date` and friends. */
export async function signRequest(request: SignableRequest, options: SigningOptions): Promise<Record<string, string>> {
  const { url } = request;
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const unsigned = new HttpRequest({
    method: request.method.toUpperCase(),
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    // `host` must be signed; fetch derives the same value from the URL.
    headers: { ...request.headers, host: url.host },
    body: request.body,
  });
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign(unsigned, options.signingDate ? { signingDate: options.signingDate } : undefined);
  return signed.headers;
}
