/**
 * When a certificate should be renewed, as cert-manager decides it: `renewBefore` before expiry,
 * or `renewBeforePercentage` of the lifetime before expiry, or by default at 2/3 of the lifetime.
 */
import { parseDuration } from './duration.js';
import type { CertificateSpec } from './spec.js';

export function renewalTime(
  spec: Pick<CertificateSpec, 'renewBefore' | 'renewBeforePercentage'>,
  notBefore: Date,
  notAfter: Date,
): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  let before = lifetime / 3;
  if (spec.renewBefore) before = parseDuration(spec.renewBefore);
  else if (spec.renewBeforePercentage) before = (lifetime * spec.renewBeforePercentage) / 100;
  // A renewBefore longer than the lifetime would renew at once, for ever: fall back to 2/3.
  if (before >= lifetime) before = lifetime / 3;
  return new Date(notAfter.getTime() - before);
}
