/**
 * Minimal DER reading: just enough to walk a certificate's structure to one field (the SAN
 * extension, the serial, the AKI) without a full ASN.1 library in every Lambda bundle.
 */
import { CertflowError } from '../errors.js';

/** One DER element: its tag, and where its contents start and end in the buffer. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

export function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new CertflowError('certificate: truncated DER');
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new CertflowError('certificate: unsupported DER length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[start + i] ?? 0);
    start += octets;
  }
  const end = start + length;
  if (end > der.length) throw new CertflowError('certificate: truncated DER');
  return { tag, start, end };
}

/** The elements inside a constructed element. */
export function children(der: Buffer, parent: Tlv): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const item = readTlv(der, offset);
    items.push(item);
    offset = item.end;
  }
  return items;
}
