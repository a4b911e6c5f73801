/**
 * The Kubernetes side of least privilege: per namespace, a Role that allows get, create and patch
 * on Secrets and nothing else, bound to the group the sync's IAM role is mapped to (by an EKS
 * access entry, or by the aws-auth ConfigMap). `kubectl apply -f` takes the list as it is.
 */

/** The Kubernetes group of the sync's role, and the name of the Role and RoleBinding. */
export const SYNC_GROUP = 'certflow-sync';
/** What the sync does with Secrets: read to compare, create or patch to apply. */
export const SYNC_VERBS = ['get', 'create', 'patch'] as const;

const RBAC = 'rbac.authorization.k8s.io';

/** A `v1 List` of one Role and one RoleBinding per namespace. */
export function rbacManifest(namespaces: readonly string[], group = SYNC_GROUP): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: namespaces.flatMap((namespace) => [
      {
        apiVersion: `${RBAC}/v1`,
        kind: 'Role',
        metadata: { name: SYNC_GROUP, namespace },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: [...SYNC_VERBS] }],
      },
      {
        apiVersion: `${RBAC}/v1`,
        kind: 'RoleBinding',
        metadata: { name: SYNC_GROUP, namespace },
        roleRef: { apiGroup: RBAC, kind: 'Role', name: SYNC_GROUP },
        subjects: [{ apiGroup: RBAC, kind: 'Group', name: group }],
      },
    ]),
  };
}
