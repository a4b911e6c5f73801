/**
 * The `delivery` section of the `certflow` context: which EKS clusters the sync may write to and
 * how it is let in, which workloads may read a certificate themselves (IRSA), and where the sync
 * runs when a cluster's endpoint is private. Everything is optional: without it, the sync is
 * deployed with no cluster to reach.
 */

/** How the sync's role is let into a cluster. */
export type ClusterAccess = 'rbac' | 'editPolicy' | 'none';

export interface DeliveryClusterConfig {
  /** EKS cluster name, in the stack's region (what certificate targets name in `cluster`). */
  name: string;
  /** Namespaces where certflow may get, create and patch Secrets. */
  namespaces: string[];
  /**
   * `rbac` (default): an EKS access entry puts the sync's role in the Kubernetes group
   * `certflow-sync`, and the RBAC manifest in the stack's outputs lets that group get, create and
   * patch Secrets in `namespaces`, nothing else.
   * `editPolicy`: the access entry gets AmazonEKSEditPolicy scoped to `namespaces`: no kubectl
   * step, but edit rights on most resources of those namespaces, not only Secrets.
   * `none`: no access entry (aws-auth ConfigMap, or an entry managed elsewhere); apply the manifest.
   */
  access?: ClusterAccess;
}

/** IRSA pull mode: a role that one service account assumes to read one certificate. */
export interface PullAccessConfig {
  /** The certificate name. */
  certificate: string;
  /** `arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>` */
  oidcProviderArn: string;
  /** `namespace/name` of the Kubernetes service account. */
  serviceAccount: string;
}

export interface DeliveryConfig {
  clusters: DeliveryClusterConfig[];
  pullAccess: PullAccessConfig[];
  /** Runs the sync inside the clusters' VPC, for private endpoints. */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** How often every certificate is delivered again, healing drift; 6 when omitted. */
  reconcileIntervalHours: number;
}

const CLUSTER = /^[A-Za-z0-9_-]{1,100}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CERTIFICATE = /^[a-z0-9-]{1,63}$/;
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;

function fail(field: string, message: string): never {
  throw new Error(`config: delivery.${field}: ${message}`);
}

function list<T>(value: unknown, field: string, item: (v: unknown, field: string) => T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(field, 'must be an array');
  return value.map((v, i) => item(v, `${field}[${i}]`));
}

function text(value: unknown, field: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(field, `must be ${what}`);
  return value;
}

function cluster(value: unknown, field: string): DeliveryClusterConfig {
  const v = (value ?? {}) as Record<string, unknown>;
  const namespaces = list(v.namespaces, `${field}.namespaces`, (n, f) => text(n, f, DNS_LABEL, 'a namespace name'));
  if (namespaces.length === 0) fail(`${field}.namespaces`, 'must name at least one namespace');
  const access = v.access ?? 'rbac';
  if (!['rbac', 'editPolicy', 'none'].includes(access as string))
    fail(`${field}.access`, 'must be rbac, editPolicy or none');
  return {
    name: text(v.name, `${field}.name`, CLUSTER, 'an EKS cluster name'),
    namespaces,
    access: access as ClusterAccess,
  };
}

function pull(value: unknown, field: string): PullAccessConfig {
  const v = (value ?? {}) as Record<string, unknown>;
  const serviceAccount = text(v.serviceAccount, `${field}.serviceAccount`, /^[^/]+\/[^/]+$/, '"namespace/name"');
  const [namespace, name] = serviceAccount.split('/') as [string, string];
  text(namespace, `${field}.serviceAccount`, DNS_LABEL, 'a valid "namespace/name"');
  text(name, `${field}.serviceAccount`, /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a valid "namespace/name"');
  return {
    certificate: text(v.certificate, `${field}.certificate`, CERTIFICATE, 'a certificate name'),
    oidcProviderArn: text(v.oidcProviderArn, `${field}.oidcProviderArn`, OIDC_PROVIDER_ARN, 'an IAM OIDC provider ARN'),
    serviceAccount,
  };
}

/** Reads and checks the `delivery` section; errors name the field. */
export function parseDeliveryConfig(raw: unknown): DeliveryConfig {
  const v = (raw ?? {}) as Record<string, unknown>;
  const clusters = list(v.clusters, 'clusters', cluster);
  const ids = clusters.map((c) => clusterId(c.name));
  const clash = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (clash >= 0) {
    fail(
      'clusters',
      `"${clusters[ids.indexOf(ids[clash]!)]!.name}" and "${clusters[clash]!.name}" would share the id ${ids[clash]}`,
    );
  }
  let vpc: DeliveryConfig['vpc'];
  if (v.vpc !== undefined) {
    const raw = v.vpc as Record<string, unknown>;
    const subnetIds = list(raw.subnetIds, 'vpc.subnetIds', (s, f) => text(s, f, /^subnet-[0-9a-f]+$/, 'a subnet id'));
    const securityGroupIds = list(raw.securityGroupIds, 'vpc.securityGroupIds', (s, f) =>
      text(s, f, /^sg-[0-9a-f]+$/, 'a security group id'),
    );
    if (subnetIds.length === 0 || securityGroupIds.length === 0) {
      fail('vpc', 'needs at least one subnet id and one security group id');
    }
    vpc = { subnetIds, securityGroupIds };
  }
  const hours = v.reconcileIntervalHours ?? 6;
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > 168) {
    fail('reconcileIntervalHours', 'must be a whole number of hours from 1 to 168');
  }
  return {
    clusters,
    pullAccess: list(v.pullAccess, 'pullAccess', pull),
    ...(vpc ? { vpc } : {}),
    reconcileIntervalHours: hours,
  };
}

/** A cluster name as letters and digits (`prod-eu` → `ProdEu`): its part of construct and output ids. */
export function clusterId(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The issuer of an OIDC provider ARN (`oidc.eks.<region>.amazonaws.com/id/<id>`), the prefix of its condition keys. */
export function oidcIssuerOf(oidcProviderArn: string): string {
  return OIDC_PROVIDER_ARN.exec(oidcProviderArn)![1]!;
}
