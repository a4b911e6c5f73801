import { checkPropagation } from '../shared/steps/check-propagation.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { dnsSolvers } from '../shared/wiring/aws/dns.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The checkPropagation step of the issuance state machine (see shared/steps/check-propagation.ts). */
export const handler = stepHandler(checkPropagation, () => ({ issuers: awsConfig().issuers, dns: dnsSolvers() }));
