/** The bench's knobs. It takes no command-line arguments: every count comes from a BENCH_* variable. */
import { envInt } from '../measure/stats.js';

/** Reads the BENCH_* variables; an unset one takes its default, an out-of-range one its bound. */
export function readSettings() {
  return {
    singleRuns: envInt('BENCH_RUNS', 5, 1, 50),
    wildcardRuns: envInt('BENCH_WILDCARD_RUNS', 3, 1, 50),
    sequentialCount: envInt('BENCH_SEQUENTIAL_COUNT', 20, 1, 200),
    sequentialRuns: envInt('BENCH_SEQUENTIAL_RUNS', 3, 1, 10),
    parallelCount: envInt('BENCH_PARALLEL_COUNT', 50, 1, 500),
    parallelRuns: envInt('BENCH_PARALLEL_RUNS', 3, 1, 10),
    peerProcesses: envInt('BENCH_PEER_PROCESSES', 8, 1, 64),
    loadRuns: envInt('BENCH_LOAD_RUNS', 7, 7, 50),
    waitMs: envInt('BENCH_WAIT_MS', 5, 0, 10_000),
    retryMs: envInt('BENCH_RETRY_MS', 10, 0, 10_000),
    /** Certificates renewing at once against a Route53 allowing 5 requests/s; 0 skips it. */
    route53Burst: envInt('BENCH_ROUTE53_CERTIFICATES', 200, 0, 2_000),
    /** Also run the same burst without the request budget, for contrast. */
    route53Contrast: process.env.BENCH_ROUTE53_CONTRAST !== '0',
    peers: (process.env.BENCH_PEERS ?? 'lego,certbot').split(',').filter((p) => p === 'lego' || p === 'certbot'),
    bundles: process.env.BENCH_BUNDLES !== '0',
    /**
     * Pebble's nonce rejection, in percent. 0 by default: certbot 2.1.0 dies on a `badNonce`
     * (`AttributeError: can't set attribute`), which Pebble's default 5% makes likely in any run of
     * a few dozen requests; the fault suite covers certflow's own `badNonce` handling.
     */
    nonceReject: envInt('BENCH_NONCE_REJECT', 0, 0, 100),
  };
}

export type BenchSettings = ReturnType<typeof readSettings>;
