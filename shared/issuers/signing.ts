/**
 * The issuers that sign at once (`issuedBy: 'sign'` in the registry): each kind's signing code,
 * found by kind. Apart from `registry.ts` so that only the Sign function bundles X.509 code.
 */
import { signWithCa } from './ca/sign.js';
import { ISSUER_KINDS, type IssuerConfig } from './registry.js';
import { signSelfSigned } from './self-signed/sign.js';
import type { IssuerSigning, SignInput } from './x509/signer.js';

export type { IssuerSigning, SignInput } from './x509/signer.js';

type SigningIssuer = Extract<IssuerConfig, { kind: 'selfSigned' | 'ca' }>;

const SIGNERS: {
  [K in SigningIssuer['kind']]: (
    issuer: Extract<SigningIssuer, { kind: K }>,
    input: SignInput,
  ) => Promise<IssuerSigning>;
} = {
  selfSigned: signSelfSigned,
  ca: signWithCa,
};

/** True for the issuers that sign at once. */
export function signsAtOnce(issuer: IssuerConfig): issuer is SigningIssuer {
  return ISSUER_KINDS[issuer.kind].issuedBy === 'sign';
}

/** Signs with `issuer`'s own code. */
export function signWith(issuer: SigningIssuer, input: SignInput): Promise<IssuerSigning> {
  return (SIGNERS[issuer.kind] as (issuer: SigningIssuer, input: SignInput) => Promise<IssuerSigning>)(issuer, input);
}
