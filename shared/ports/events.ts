/** What the pipeline announces (EventBridge in AWS); references only, never key material. */

export type CertificateEventType =
  'Certificate Issued' | 'Certificate Renewed' | 'Certificate Issuance Failed' | 'Certificate Expiring';

export interface CertificateEventDetail {
  name: string;
  revision: number;
  issuer: string;
  serialNumber?: string;
  notAfter?: string;
  secretArn?: string;
  reason?: string;
  message?: string;
}

export interface EventPublisher {
  publish(type: CertificateEventType, detail: CertificateEventDetail): Promise<void>;
}
