import { acceptChallenges } from '../shared/steps/accept-challenges.js';
import { acmeGateway } from '../shared/wiring/aws/acme.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The acceptChallenges step of the issuance state machine (see shared/steps/accept-challenges.ts). */
export const handler = stepHandler(acceptChallenges, () => ({ issuers: awsConfig().issuers, acme: acmeGateway() }));
