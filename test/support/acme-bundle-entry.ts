// Bundled by test/infra/bundle.test.ts exactly as the ACME functions are (same esbuild options and
// aliases), then driven against Pebble: proof that the stubbed node-forge/form-data are never used.
export { acceptChallenges } from '../../shared/pipeline/steps/accept-challenges.js';
export { checkPropagation } from '../../shared/pipeline/steps/check-propagation.js';
export { cleanup } from '../../shared/pipeline/steps/cleanup.js';
export { createOrder } from '../../shared/pipeline/steps/create-order.js';
export { finalize } from '../../shared/pipeline/steps/finalize.js';
export { pollAuthorizations } from '../../shared/pipeline/steps/poll-authorizations.js';
export { pollOrder } from '../../shared/pipeline/steps/poll-order.js';
export { prepare } from '../../shared/pipeline/steps/prepare.js';
export { presentChallenges } from '../../shared/pipeline/steps/present-challenges.js';
export { store } from '../../shared/pipeline/steps/store.js';
export { localDependencies } from '../../shared/wiring/local.js';
