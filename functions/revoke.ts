import { revokeCertificate } from '../shared/certificates/revoke.js';
import { acmeGateway } from '../shared/wiring/aws/acme.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { renewalScheduler } from '../shared/wiring/aws/scheduler.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** Revokes a certificate at its CA, then deletes its record and schedule; invoked by the API for `DELETE …?revoke=true`. */
export const handler = stepHandler(
  (event: { name: string }, deps: Parameters<typeof revokeCertificate>[1]) => revokeCertificate(event.name, deps),
  () => ({
    issuers: awsConfig().issuers,
    inventory: inventory(),
    store: certificateStore(),
    acme: acmeGateway(),
    scheduler: renewalScheduler(),
  }),
);
