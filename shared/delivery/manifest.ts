/**
 * The `kubernetes.io/tls` Secret certflow applies to a target, and whether a Secret a cluster
 * already holds is that one.
 *
 * certflow's own annotations say which certificate, revision and serial number the Secret holds,
 * under `certflow.io/` (a prefix the spec validation keeps users out of), so that a look at the
 * Secret tells where it came from and the sync can see when it is already current.
 */
import type { DeliveryTarget, SecretTemplate } from '../domain/spec.js';
import type { CertificateBundle } from '../domain/bundle.js';
import type { KubernetesSecret } from '../ports/delivery.js';

/** certflow's annotations on every Secret it writes (cert-manager's names, under certflow.io/). */
export const CERTFLOW_ANNOTATIONS = {
  certificateName: 'certflow.io/certificate-name',
  revision: 'certflow.io/revision',
  serialNumber: 'certflow.io/serial-number',
  notAfter: 'certflow.io/not-after',
  issuerName: 'certflow.io/issuer-name',
} as const;

/** The label that lets `kubectl get secrets -l app.kubernetes.io/managed-by=certflow` find them. */
export const MANAGED_BY_LABEL = { key: 'app.kubernetes.io/managed-by', value: 'certflow' } as const;

/** What a Secret is made of: the certificate's identity, its template, and the bundle. */
export interface SecretSource {
  name: string;
  revision: number;
  issuer: string;
  serialNumber: string;
  notAfter: string;
  secretTemplate?: SecretTemplate;
  bundle: CertificateBundle;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The Secret for `target`: type `kubernetes.io/tls`, `tls.crt`, `tls.key` and `ca.crt`, the
 * spec's secretTemplate labels and annotations, and certflow's own, which win over the template.
 */
export function secretManifest(source: SecretSource, target: DeliveryTarget): KubernetesSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: target.secretName,
      namespace: target.namespace,
      labels: { ...source.secretTemplate?.labels, [MANAGED_BY_LABEL.key]: MANAGED_BY_LABEL.value },
      annotations: {
        ...source.secretTemplate?.annotations,
        [CERTFLOW_ANNOTATIONS.certificateName]: source.name,
        [CERTFLOW_ANNOTATIONS.revision]: String(source.revision),
        [CERTFLOW_ANNOTATIONS.serialNumber]: source.serialNumber,
        [CERTFLOW_ANNOTATIONS.notAfter]: source.notAfter,
        [CERTFLOW_ANNOTATIONS.issuerName]: source.issuer,
      },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': base64(source.bundle['tls.crt']),
      'tls.key': base64(source.bundle['tls.key']),
      'ca.crt': base64(source.bundle['ca.crt']),
    },
  };
}

function includes(live: Record<string, string> | undefined, wanted: Record<string, string> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => live?.[key] === value);
}

/**
 * True when `live` already says everything `desired` says: same type, data, and every label and
 * annotation certflow sets. Fields others added do not matter, so a Secret that is current costs
 * one GET and no write; a label someone changed makes it not current, and the apply puts it back.
 */
export function isCurrent(live: KubernetesSecret, desired: KubernetesSecret): boolean {
  return (
    live.type === desired.type &&
    includes(live.data, desired.data) &&
    includes(live.metadata?.labels, desired.metadata.labels) &&
    includes(live.metadata?.annotations, desired.metadata.annotations)
  );
}
