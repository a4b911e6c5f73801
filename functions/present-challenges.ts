import { presentChallenges } from '../shared/steps/present-challenges.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { dnsSolvers } from '../shared/wiring/aws/dns.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The presentChallenges step of the issuance state machine (see shared/steps/present-challenges.ts). */
export const handler = stepHandler(presentChallenges, () => ({ issuers: awsConfig().issuers, dns: dnsSolvers() }));
