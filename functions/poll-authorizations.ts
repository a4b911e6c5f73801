import { pollAuthorizations } from '../shared/steps/poll-authorizations.js';
import { acmeGateway } from '../shared/wiring/aws/acme.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The pollAuthorizations step of the issuance state machine (see shared/steps/poll-authorizations.ts). */
export const handler = stepHandler(pollAuthorizations, () => ({ issuers: awsConfig().issuers, acme: acmeGateway() }));
