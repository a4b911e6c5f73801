/**
 * The local service: the synthesized state machine run by `LocalStateMachine` with the real
 * handlers and local adapters, and the real `api` handler served over HTTP on loopback.
 */
import { mkdirSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { join } from 'node:path';
import type { ApiGatewayProxyEvent, ApiGatewayProxyResult } from '../api/api-gateway.js';
import { MAX_BODY_BYTES } from '../api/http.js';
import { openApiDocument } from '../api/openapi.js';
import type { IssuerConfig } from '../issuers/registry.js';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../certificates/renewal-policy.js';
import { sweep } from '../renewal/sweep.js';
import { setDependencies } from '../wiring/index.js';
import { type LocalDependencies, localDependencies } from './dependencies.js';
import { LocalIssuanceStarter, statusChangeOf } from './issuance-starter.js';
import { type ExecutionStatusChange, restartAbandoned } from '../steps/ended-issuance.js';
import { messageOf } from '../errors.js';
import { logger } from '../logger.js';
import type { Pebble } from './pebble.js';
import { type ExecutionResult, LocalStateMachine, type Template } from './state-machine.js';

export interface LocalServiceOptions {
  template: Template;
  issuers: IssuerConfig[];
  /** State directory: certificates, keys (0600), accounts, inventory. */
  dir: string;
  port: number;
  host?: string;
  pebble?: Pebble;
  onExecution?: (result: ExecutionResult) => void;
  /** How often the local sweep runs (the deployed one runs daily); 0 turns it off. */
  sweepIntervalMs?: number;
}

export interface LocalService {
  url: string;
  deps: LocalDependencies;
  starter: LocalIssuanceStarter;
  stop(): Promise<void>;
}

const loadHandler = async (step: string) => (await import(`../../functions/${step}.ts`)).handler;

/** Reads a body, but no more than one byte past the API's limit (the API answers 413). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
    size += buffer.length;
  }
  return size ? Buffer.concat(chunks).toString('utf8') : undefined;
}

function send(response: ServerResponse, result: ApiGatewayProxyResult): void {
  response.writeHead(result.statusCode, result.headers);
  response.end(result.body);
}

/**
 * Local mode resumes: an issuance that ran when local mode last stopped (Ctrl-C, a kill) still
 * holds its certificate's lease, and its execution died with the process. Each is cleaned up
 * after, its interruption recorded as a failure, and started again at once.
 */
export async function resumeInterrupted(deps: LocalDependencies, starter: LocalIssuanceStarter): Promise<string[]> {
  const resumed: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.inventory.list({ limit: 100, ...(nextToken ? { nextToken } : {}) });
    for (const record of page.items) {
      const lease = record.status.issuance;
      if (!lease) continue;
      const execution = await starter.describe(lease.id);
      if (execution.status === 'RUNNING') continue;
      try {
        const outcome = await restartAbandoned(record.name, { executionName: lease.id, ...execution }, deps);
        if (outcome.executionName) resumed.push(outcome.executionName);
        logger.warn('local: resumed an issuance interrupted when local mode stopped', {
          certificate: record.name,
          interrupted: lease.id,
          executionName: outcome.executionName,
        });
      } catch (error) {
        logger.error('local: cannot resume an interrupted issuance', { certificate: record.name, error: messageOf(error) });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return resumed;
}

export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const deps = localDependencies({
    dir: options.dir,
    issuers: options.issuers,
    httpsAgent: options.pebble?.httpsAgent,
    persistInventory: true,
    ...(options.pebble ? { dnsServers: [`127.0.0.1:${options.pebble.challtestsrv.dnsPort}`] } : {}),
  });
  const machine = new LocalStateMachine({ template: options.template, loadHandler });
  // As in AWS, an execution that ends badly goes to the execution-ended handler (an EventBridge
  // rule there): it cleans up after one that ended without its Cleanup and RecordFailure.
  const ended = (await loadHandler('execution-ended')) as (event: ExecutionStatusChange) => Promise<unknown>;
  const starter = new LocalIssuanceStarter(machine, {
    namesFile: join(options.dir, 'executions.txt'),
    onFinished: async (result) => {
      if (result.status !== 'SUCCEEDED') {
        await ended(statusChangeOf(result)).catch((error: unknown) =>
          logger.error('local: the execution-ended handler failed', { executionName: result.executionName, error: messageOf(error) }),
        );
      }
      options.onExecution?.(result);
    },
  });
  deps.issuance = starter;
  deps.scheduler.attach(starter);
  setDependencies(deps);
  await resumeInterrupted(deps, starter);
  const api = (await loadHandler('api')) as (event: ApiGatewayProxyEvent) => Promise<ApiGatewayProxyResult>;

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (request.method === 'GET' && url.pathname === '/openapi.json') {
        send(response, {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(openApiDocument),
        });
        return;
      }
      const body = await readBody(request);
      const event: ApiGatewayProxyEvent = {
        httpMethod: request.method ?? 'GET',
        path: url.pathname,
        queryStringParameters: Object.fromEntries(url.searchParams),
        body: body ?? null,
        isBase64Encoded: false,
      };
      send(response, await api(event));
    })().catch(() => {
      // The api handler answers every failure itself; this is a transport problem.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'InternalError', message: 'local server error' } }));
    });
  });
  // The safety net behind the schedules, as in AWS: starts whatever is due, warns about expiry.
  const interval = options.sweepIntervalMs ?? 60_000;
  const sweeper =
    interval > 0
      ? setInterval(
          () => void sweep(deps, { expiryWarningDays: DEFAULT_EXPIRY_WARNING_DAYS }).catch(() => undefined),
          interval,
        )
      : undefined;
  sweeper?.unref();

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    deps,
    starter,
    stop: async () => {
      clearInterval(sweeper);
      deps.scheduler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      setDependencies(undefined);
    },
  };
}
