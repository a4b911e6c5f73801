import { cleanup } from '../shared/steps/cleanup.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { dnsSolvers } from '../shared/wiring/aws/dns.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The cleanup step of the issuance state machine (see shared/steps/cleanup.ts). */
export const handler = stepHandler(cleanup, () => ({
  issuers: awsConfig().issuers,
  dns: dnsSolvers(),
  store: certificateStore(),
}));
