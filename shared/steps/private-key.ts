/** The private key of a new issuance, chosen by the spec's rotation policy. */
import { describePrivateKey, generatePrivateKey } from '../domain/keys.js';
import type { CertificateSpec } from '../domain/spec.js';
import { type CertificateEvent, Reasons } from '../domain/status.js';
import type { CertificateStore } from '../ports/certificate-store.js';

/**
 * `rotationPolicy: Never` reuses the key of the current certificate when it still fits the spec
 * (cert-manager makes a new one when the algorithm or size changed); otherwise a new key. The key
 * is read and made inside the calling Lambda and never leaves it except into the store.
 */
export async function privateKeyFor(
  spec: CertificateSpec,
  store: CertificateStore,
): Promise<{ keyPem: string; reused: boolean }> {
  if (spec.privateKey.rotationPolicy === 'Never') {
    const current = await store.readCurrent(spec.name);
    if (current) {
      const existing = describePrivateKey(current['tls.key']);
      if (existing.algorithm === spec.privateKey.algorithm && existing.size === spec.privateKey.size) {
        return { keyPem: current['tls.key'], reused: true };
      }
    }
  }
  return { keyPem: await generatePrivateKey(spec.privateKey), reused: false };
}

/** The `Generated` event of the key an issuance uses, in cert-manager's words. */
export function keyEvent(reused: boolean): Omit<CertificateEvent, 'time'> {
  return {
    type: 'Normal',
    reason: Reasons.Generated,
    message: reused
      ? 'Reusing the stored private key (rotationPolicy Never)'
      : 'Stored new private key in temporary Secret',
  };
}
