// Bundled by test/infra/bundle.test.ts exactly as the ACME functions are (same esbuild options and
// aliases), then driven against Pebble: proof that the stubbed node-forge/form-data are never used.
export { acceptChallenges } from '../../shared/steps/accept-challenges.js';
export { checkPropagation } from '../../shared/steps/check-propagation.js';
export { cleanup } from '../../shared/steps/cleanup.js';
export { createOrder } from '../../shared/steps/create-order.js';
export { finalize } from '../../shared/steps/finalize.js';
export { pollAuthorizations } from '../../shared/steps/poll-authorizations.js';
export { pollOrder } from '../../shared/steps/poll-order.js';
export { prepare } from '../../shared/steps/prepare.js';
export { presentChallenges } from '../../shared/steps/present-challenges.js';
export { store } from '../../shared/steps/store.js';
export { localDependencies } from '../../shared/local/dependencies.js';
