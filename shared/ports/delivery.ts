/** Delivery into Kubernetes Secrets of EKS clusters: the writer and the sync's queue. */
import type { DeliveryTarget } from '../domain/spec.js';

/** A Kubernetes Secret: the part of it certflow writes and compares. */
export interface KubernetesSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  type: string;
  /** base64, as the Kubernetes API carries Secret data. */
  data: Record<string, string>;
}

/** Secrets in clusters (the Kubernetes API with an EKS token in AWS). */
export interface ClusterSecretWriter {
  /** The Secret as the cluster has it, or undefined when there is none. */
  read(target: DeliveryTarget): Promise<KubernetesSecret | undefined>;
  /** Server-side apply with certflow's own field manager, taking over conflicting fields. */
  apply(target: DeliveryTarget, secret: KubernetesSecret): Promise<void>;
}

/** Work of the sync: references only, never key material. */
export type DeliveryMessage =
  | { kind: 'certificate'; name: string }
  | { kind: 'target'; name: string; target: DeliveryTarget }
  | { kind: 'reconcile'; nextToken?: string };

/** The sync's queue (SQS in AWS): each message is retried, and dead-lettered, on its own. */
export interface DeliveryQueue {
  send(messages: DeliveryMessage[]): Promise<void>;
  /** Straight to the dead-letter queue, with the reason: failures that no retry can fix. */
  deadLetter(entries: { message: DeliveryMessage; error: string }[]): Promise<void>;
}
