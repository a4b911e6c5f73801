import type { CertificateSpec } from './spec.js';
import type { CertificateEvent, CertificateStatus } from './status.js';

/** What the inventory keeps per certificate. */
export interface CertificateRecord {
  name: string;
  spec: CertificateSpec;
  /** Bumped each time the spec changes; an issuance is for one revision. */
  revision: number;
  /** Storage version for optimistic concurrency; bumped on every write. */
  version: number;
  status: CertificateStatus;
  events: CertificateEvent[];
  createdAt: string;
  updatedAt: string;
}
