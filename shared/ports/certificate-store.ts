/** Where certificates and their private keys live (Secrets Manager in AWS, files locally). */
import type { CertificateBundle } from '../domain/bundle.js';

export interface StoredCertificate extends CertificateBundle {
  secretArn: string;
  versionId: string;
}

export interface CertificateStore {
  /** The certificate currently served, or undefined if none was ever issued. */
  readCurrent(name: string): Promise<StoredCertificate | undefined>;
  /** Keeps a new private key until its certificate arrives. Idempotent per issuance. */
  putPendingKey(name: string, issuanceId: string, keyPem: string): Promise<void>;
  readPendingKey(name: string, issuanceId: string): Promise<string | undefined>;
  discardPendingKey(name: string, issuanceId: string): Promise<void>;
  /**
   * Writes `bundle` as the new current version; the previous one stays readable. Idempotent per
   * issuance: writing the same issuance twice yields one version.
   */
  putCurrent(
    name: string,
    issuanceId: string,
    bundle: CertificateBundle,
    tags: Record<string, string>,
  ): Promise<{ secretArn: string; versionId: string }>;
}
