/** What the API shows of a certificate: spec and status, never key material. */
import type { CertificateRecord } from '../domain/record.js';

export interface CertificateView {
  name: string;
  revision: number;
  spec: CertificateRecord['spec'];
  status: CertificateRecord['status'];
  createdAt: string;
  updatedAt: string;
}

export function certificateView(record: CertificateRecord): CertificateView {
  const { lastIssuanceId: _issuance, lastFailedIssuanceId: _failed, ...status } = record.status;
  return {
    name: record.name,
    revision: record.revision,
    spec: record.spec,
    status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
