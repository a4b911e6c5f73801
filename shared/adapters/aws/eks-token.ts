/**
 * EKS bearer tokens, made exactly as `aws eks get-token` makes them: a presigned STS
 * GetCallerIdentity URL, signed with SigV4 including the header `x-k8s-aws-id: <cluster>`, valid
 * for 60 s, base64url-encoded without padding and prefixed `k8s-aws-v1.`. The cluster's
 * authenticator calls STS with that URL and learns which IAM role is asking; the header binds
 * the token to one cluster. Signing is local: no call to STS, no credential stored anywhere.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { DeliveryError } from '../../errors.js';

/** The prefix every EKS token starts with. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that names the cluster inside the signature. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** What `aws eks get-token` presigns for: the token is meant for immediate use. */
export const TOKEN_EXPIRES_SECONDS = 60;

/** Options of {@link EksTokenSigner}. */
export interface EksTokenSignerOptions {
  /** The region whose STS endpoint is presigned (the clusters' region). */
  region: string;
  /** The caller's credentials: the Lambda role's, via an SDK client's provider. */
  credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  clock?: () => Date;
}

/** RFC 3986 escaping, which is what SigV4 signs. */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Makes EKS tokens for the caller's IAM identity. */
export class EksTokenSigner {
  readonly #region: string;
  readonly #signer: SignatureV4;
  readonly #clock: () => Date;

  constructor(options: EksTokenSignerOptions) {
    this.#region = options.region;
    this.#clock = options.clock ?? (() => new Date());
    this.#signer = new SignatureV4({
      service: 'sts',
      region: options.region,
      credentials: options.credentials,
      sha256: Sha256,
    });
  }

  /** A fresh token for `cluster` (the EKS cluster name). */
  async token(cluster: string): Promise<string> {
    const hostname = `sts.${this.#region}.amazonaws.com`;
    let signed: Awaited<ReturnType<SignatureV4['presign']>>;
    try {
      signed = await this.#signer.presign(
        new HttpRequest({
          method: 'GET',
          protocol: 'https:',
          hostname,
          path: '/',
          query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
          headers: { host: hostname, [CLUSTER_ID_HEADER]: cluster },
        }),
        { expiresIn: TOKEN_EXPIRES_SECONDS, signingDate: this.#clock() },
      );
    } catch (error) {
      // Only the credential provider can fail here, and its message holds no secret.
      throw new DeliveryError(
        `eks: cannot sign a token for cluster "${cluster}": ${(error as Error).message ?? error}`,
        {
          cause: error,
        },
      );
    }
    const query = Object.entries(signed.query ?? {})
      .map(([key, value]) => `${escape(key)}=${escape(String(value))}`)
      .join('&');
    const url = `https://${hostname}/?${query}`;
    return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
  }
}

/** The presigned URL inside a token (for tests and for debugging an authentication failure). */
export function eksTokenUrl(token: string): string {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) throw new DeliveryError('eks: not an EKS token');
  return Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8');
}
