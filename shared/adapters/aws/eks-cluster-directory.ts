/**
 * Where an EKS cluster's API server is and which CA signs its certificate, from DescribeCluster,
 * kept for the container's life (an hour at most): endpoints and CAs change rarely, and the sync
 * would otherwise call DescribeCluster once per target.
 */
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { DeliveryError, TransientError } from '../../errors.js';
import type { ClusterConnection, ClusterConnector } from '../kubernetes/secret-writer.js';
import { awsErrorName, translateAwsError } from './aws-errors.js';
import type { EksTokenSigner } from './eks-token.js';

/** The API server of one cluster. */
export interface ClusterEndpoint {
  /** `https://…eks.amazonaws.com` */
  endpoint: string;
  /** The cluster CA, PEM. */
  caPem: string;
}

/** Options of {@link EksClusterDirectory}. */
export interface EksClusterDirectoryOptions {
  client: EKSClient;
  /** How long an answer is reused; an hour when omitted. */
  ttlMs?: number;
  clock?: () => number;
}

const HOUR_MS = 3_600_000;

/** DescribeCluster, cached per cluster name. */
export class EksClusterDirectory {
  readonly #client: EKSClient;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #cache = new Map<string, { endpoint: Promise<ClusterEndpoint>; expires: number }>();

  constructor(options: EksClusterDirectoryOptions) {
    this.#client = options.client;
    this.#ttlMs = options.ttlMs ?? HOUR_MS;
    this.#clock = options.clock ?? Date.now;
  }

  /** The endpoint and CA of `cluster`; concurrent callers share one DescribeCluster. */
  describe(cluster: string): Promise<ClusterEndpoint> {
    const now = this.#clock();
    const cached = this.#cache.get(cluster);
    if (cached && cached.expires > now) return cached.endpoint;
    const endpoint = this.#describe(cluster);
    this.#cache.set(cluster, { endpoint, expires: now + this.#ttlMs });
    // A failure is not kept: the next target asks again.
    endpoint.catch(() => this.forget(cluster));
    return endpoint;
  }

  /** Drops what is known of `cluster`, e.g. after its endpoint stopped answering. */
  forget(cluster: string): void {
    this.#cache.delete(cluster);
  }

  async #describe(cluster: string): Promise<ClusterEndpoint> {
    let output;
    try {
      output = await this.#client.send(new DescribeClusterCommand({ name: cluster }));
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') {
        throw new DeliveryError(`eks: cluster "${cluster}" does not exist in this region`, { cause: error });
      }
      throw translateAwsError('eks', `DescribeCluster "${cluster}"`, error, DeliveryError);
    }
    const endpoint = output.cluster?.endpoint;
    const caData = output.cluster?.certificateAuthority?.data;
    if (!endpoint || !caData) {
      // A cluster being created has neither yet.
      throw new TransientError(
        `eks: cluster "${cluster}" has no endpoint yet (status ${output.cluster?.status ?? 'unknown'})`,
      );
    }
    return { endpoint, caPem: Buffer.from(caData, 'base64').toString('utf8') };
  }
}

/** Connections to EKS clusters: endpoint and CA from the directory, a fresh token per connection. */
export function eksConnector(directory: EksClusterDirectory, tokens: EksTokenSigner): ClusterConnector {
  return {
    async connect(cluster: string): Promise<ClusterConnection> {
      const [{ endpoint, caPem }, token] = await Promise.all([directory.describe(cluster), tokens.token(cluster)]);
      return { server: endpoint, caPem, token };
    },
    forget: (cluster) => directory.forget(cluster),
  };
}
