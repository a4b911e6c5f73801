import { createOrder } from '../shared/steps/create-order.js';
import { acmeGateway } from '../shared/wiring/aws/acme.js';
import { cnameResolver } from '../shared/wiring/aws/cnames.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The createOrder step of the issuance state machine (see shared/steps/create-order.ts). */
export const handler = stepHandler(createOrder, () => ({
  issuers: awsConfig().issuers,
  acme: acmeGateway(),
  cnames: cnameResolver(),
}));
