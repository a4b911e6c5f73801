import { pollOrder } from '../shared/steps/poll-order.js';
import { acmeGateway } from '../shared/wiring/aws/acme.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The pollOrder step of the issuance state machine (see shared/steps/poll-order.ts). */
export const handler = stepHandler(pollOrder, () => ({ issuers: awsConfig().issuers, acme: acmeGateway() }));
