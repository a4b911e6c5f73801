/**
 * `npm run bench`: see scripts/bench/main.ts. The handlers' log lines and EMF metrics would drown
 * the table, so they are switched off before any handler module is loaded.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_DEV ??= 'false';

await import('./bench/main.js');
