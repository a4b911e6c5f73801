/** The issuers local mode offers without any configuration. */
import type { IssuerConfig } from './registry.js';

/**
 * `selfsigned` always; `local-acme`, the local Pebble validated through its challtestsrv, when
 * Pebble is installed.
 */
export function localIssuers(pebble?: {
  directoryUrl: string;
  challtestsrv: { managementUrl: string };
}): IssuerConfig[] {
  const issuers: IssuerConfig[] = [];
  if (pebble) {
    issuers.push({
      kind: 'acme',
      name: 'local-acme',
      server: pebble.directoryUrl,
      email: 'certflow@localhost.localdomain',
      solvers: [{ dns01: { challtestsrv: { managementUrl: pebble.challtestsrv.managementUrl } } }],
    });
  }
  issuers.push({ kind: 'selfSigned', name: 'selfsigned' });
  return issuers;
}
