import { cleanup } from '../shared/steps/cleanup.js';
import type { IssuanceState } from '../shared/steps/state.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { dnsSolvers } from '../shared/wiring/aws/dns.js';
import { certificateStore } from '../shared/wiring/aws/secrets.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The cleanup step of the issuance state machine (see shared/steps/cleanup.ts). */
export const handler = stepHandler((state: IssuanceState, deps: Parameters<typeof cleanup>[1]) => cleanup(state, deps), () => ({
  issuers: awsConfig().issuers,
  dns: dnsSolvers(),
  store: certificateStore(),
}));
