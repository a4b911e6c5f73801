/** `certflow apply -f FILE [--wait] [--timeout 5m]`: create or update a certificate. */
import { parseDuration } from '../../shared/domain/duration.js';
import type { CertificateView } from '../../shared/api/views.js';
import type { Command, CommandInput } from '../lib/command.js';
import { ref } from '../lib/command.js';
import { UsageError, nowOf, print, printJson, sleepOf } from '../lib/context.js';
import { humanDuration, shortTime } from '../lib/format.js';
import { readSpecFile } from '../lib/spec-file.js';
import { waitForIssuance } from '../lib/wait.js';

const DEFAULT_TIMEOUT = '5m';
/** Issuance takes seconds to minutes; polling faster only costs API calls. */
export const WAIT_INTERVAL_MS = 2_000;

function timeoutOf(value: string | boolean | undefined): number {
  const text = typeof value === 'string' ? value : DEFAULT_TIMEOUT;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new UsageError(`--timeout: ${(error as Error).message}`);
  }
  if (ms <= 0) throw new UsageError('--timeout: must be positive');
  return ms;
}

/** `created`, `configured` or `unchanged`, as `kubectl apply` says. */
function verb(status: number, view: CertificateView): string {
  if (status === 200) return 'unchanged';
  return view.revision === 1 ? 'created' : 'configured';
}

async function wait(input: CommandInput, status: number, applied: CertificateView, timeoutMs: number): Promise<number> {
  const { ctx, client, json } = input;
  // Progress goes to stderr under -o json, so that stdout stays one JSON document.
  const progress = (line: string) => (json ? ctx.stderr.write(`${line}\n`) : print(ctx, line));
  const started = status === 202;
  const result = await waitForIssuance(client, {
    name: applied.name,
    revision: applied.revision,
    staleFailureTime: started ? applied.status.lastFailureTime : undefined,
    eventsSince: started ? applied.updatedAt : undefined,
    timeoutMs,
    intervalMs: WAIT_INTERVAL_MS,
    now: () => nowOf(ctx),
    sleep: sleepOf(ctx),
    onEvent: (event) => progress(`  ${event.type} ${event.reason}: ${event.message}`),
  });
  if (json) printJson(ctx, result.view);
  const name = ref(applied.name);
  if (result.outcome === 'ready') {
    const { serialNumber, notAfter } = result.view.status;
    if (!json) print(ctx, `${name} is ready (serial ${serialNumber ?? '-'}, not after ${shortTime(notAfter)})`);
    return 0;
  }
  if (result.outcome === 'failed') {
    ctx.stderr.write(`error: ${name} failed: ${result.message ?? 'issuance failed'}\n`);
    return 1;
  }
  ctx.stderr.write(`error: timed out after ${humanDuration(timeoutMs)} waiting for ${name} to become ready\n`);
  return 1;
}

async function run(input: CommandInput): Promise<number> {
  const { ctx, client, values, json } = input;
  const file = values.filename;
  if (typeof file !== 'string') throw new UsageError('apply: -f FILE is required (- for stdin)');
  const timeoutMs = timeoutOf(values.timeout);
  const spec = await readSpecFile(ctx, file);
  const { status, body: view } = await client.request<CertificateView>('POST', '/certificates', {
    body: JSON.stringify(spec),
  });
  if (!json) print(ctx, `${ref(view.name)} ${verb(status, view)}${status === 202 ? ' (issuing)' : ''}`);
  if (!values.wait) {
    if (json) printJson(ctx, view);
    return 0;
  }
  return wait(input, status, view, timeoutMs);
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Create or update a certificate from a JSON or YAML spec',
  synopsis: 'apply -f FILE [--wait] [--timeout 5m]',
  help: `  -f, --filename FILE  the spec: .json, .yaml or .yml, or - for stdin
  --wait               wait until the certificate is Ready or its issuance fails
  --timeout DURATION   how long --wait waits (Go duration, default ${DEFAULT_TIMEOUT})`,
  options: {
    filename: { type: 'string', short: 'f' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  positionals: [],
  run,
};
