/**
 * Admission of a certificate spec: the one check that the API (on apply) and the Prepare step (on
 * a spec given in the execution input) run before anything is written, so both refuse a spec with
 * the same field and the same words.
 */
import { checkIdentifiersFor } from '../domain/identifiers.js';
import type { CertificateSpec } from '../domain/spec.js';
import { validateSpec } from '../domain/validate-spec.js';
import { ValidationError } from '../errors.js';
import { type IssuerConfig, findIssuer } from '../issuers/registry.js';

/**
 * The configured issuer called `name`, or a `ValidationError` on `issuerRef.name` that lists the
 * configured ones (issuers come from the infrastructure, so a caller cannot guess them).
 */
export function requireIssuer(issuers: readonly IssuerConfig[], name: string): IssuerConfig {
  const issuer = findIssuer(issuers, name);
  if (issuer) return issuer;
  const known = issuers.map((i) => i.name).join(', ');
  throw new ValidationError('issuerRef.name', `issuer "${name}" is not configured (known: ${known})`);
}

/**
 * Validates `input` as a spec, finds its issuer and checks that the issuer can prove the spec's
 * identifiers. Throws the first `ValidationError`; returns the normalised spec and its issuer.
 */
export function admitSpec(
  input: unknown,
  issuers: readonly IssuerConfig[],
): { spec: CertificateSpec; issuer: IssuerConfig } {
  const spec = validateSpec(input);
  const issuer = requireIssuer(issuers, spec.issuerRef.name);
  checkIdentifiersFor(issuer.kind, spec);
  return { spec, issuer };
}
