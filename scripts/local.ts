/**
 * `npm run local`: the whole service on this machine, no AWS account. Starts Pebble and
 * pebble-challtestsrv on loopback when they are installed, runs the synthesized state machine
 * with the real handlers and local adapters, and serves the API on http://127.0.0.1:8080.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.CERTFLOW_PORT ?? '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string', default: process.env.CERTFLOW_HOME ?? '.certflow' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run local -- [--port 8080] [--host 127.0.0.1] [--dir .certflow] [--verbose]

Runs certflow locally: the API on http://HOST:PORT, the issuance state machine from the
synthesized CDK template, a local ACME CA (Pebble) when the Debian package "pebble" is installed.
Environment: CERTFLOW_PORT, CERTFLOW_HOME (state directory).`);
  process.exit(0);
}

// The service's JSON logs are for Lambda; locally only warnings show unless --verbose.
process.env.POWERTOOLS_LOG_LEVEL ??= values.verbose ? 'INFO' : 'WARN';
// EMF metric lines are for CloudWatch; locally they are noise unless asked for.
process.env.POWERTOOLS_METRICS_DISABLED ??= values.verbose ? 'false' : 'true';

const { pebbleInstalled, startPebble, PEBBLE_INSTALL_HINT } = await import('../shared/local/pebble.js');
const { localIssuers } = await import('../shared/issuers/local-defaults.js');
const { startLocalService } = await import('../shared/local/service.js');
const { synthesizeTemplate } = await import('../infra/synth.js');
const { loadConfig } = await import('../infra/config/certflow-config.js');

const dir = resolve(values.dir);
const say = (line: string) => process.stdout.write(`${line}\n`);

let pebble: Awaited<ReturnType<typeof startPebble>> | undefined;
if (pebbleInstalled()) {
  pebble = await startPebble();
  say(`certflow: local ACME CA (Pebble) at ${pebble.directoryUrl}`);
} else {
  say(`certflow: pebble is not installed, so the ACME issuer "local-acme" is off; ${PEBBLE_INSTALL_HINT}`);
}
const issuers = localIssuers(pebble);
const template = synthesizeTemplate(loadConfig({ issuers }));
const service = await startLocalService({
  template,
  issuers,
  dir,
  port: Number(values.port),
  host: values.host,
  pebble,
  onExecution: (result) =>
    say(
      `certflow: execution ${result.executionName} ${result.status}` +
        (result.status === 'FAILED' ? `: ${result.error}: ${result.cause}` : ` (${result.transitions} transitions)`),
    ),
});

say(`certflow: API on ${service.url} (OpenAPI: ${service.url}/openapi.json), state in ${dir}`);
say(`certflow: issuers: ${issuers.map((i) => `${i.name} (${i.kind})`).join(', ') || 'none'}`);
say(`certflow: try, in another terminal:
  echo '{"name":"web","issuerRef":{"name":"${issuers[0]?.name ?? 'local-acme'}"},"dnsNames":["web.example.test"]}' | npx certflow apply -f - --wait
  npx certflow export web --out ./web && openssl x509 -in ./web/tls.crt -noout -subject -ext subjectAltName
Press Ctrl-C to stop.`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('certflow: stopping');
  await service.stop();
  await pebble?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
