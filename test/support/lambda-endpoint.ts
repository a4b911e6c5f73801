/**
 * A local HTTP server speaking the Lambda Invoke REST API (`POST
 * /2015-03-31/functions/{name}/invocations`) for the real `@aws-sdk/client-lambda`, dispatching
 * to in-process handlers by function name. A handler that throws is answered the way Lambda
 * answers it: HTTP 200, `X-Amz-Function-Error: Unhandled`, `{"errorType","errorMessage"}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Lambda handler as the Node runtime calls it (the context is not passed). */
export type LocalLambdaHandler = (event: unknown) => unknown;

export interface LambdaEndpoint {
  url: string;
  /** Every invocation, in order: the function name as requested and the parsed event. */
  invocations: { functionName: string; event: unknown }[];
  close(): Promise<void>;
}

/** Fake static credentials for a `LambdaClient` pointed at the endpoint. */
export const LOCAL_LAMBDA_CREDENTIALS = { accessKeyId: 'AKIDCERTFLOWTEST', secretAccessKey: 'not-a-secret' };

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The function a requested name means: a name, `name:qualifier`, or an ARN
 * (`arn:…:function:name[:qualifier]`) all dispatch by the bare name.
 */
function bareName(requested: string): string {
  const afterFunction = requested.match(/(?:^|:)function:([^:]+)/)?.[1];
  return afterFunction ?? requested.split(':')[0]!;
}

/** Starts the endpoint on 127.0.0.1 with an ephemeral port. */
export async function startLambdaEndpoint(handlers: Record<string, LocalLambdaHandler>): Promise<LambdaEndpoint> {
  const invocations: LambdaEndpoint['invocations'] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const match = request.method === 'POST' ? INVOKE.exec(path) : null;
    if (!match) return serviceError(response, 404, 'UnknownOperationException', `no such operation: ${path}`);
    const functionName = decodeURIComponent(match[1]!);
    const handler = handlers[bareName(functionName)];
    if (!handler) {
      return serviceError(response, 404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType !== 'RequestResponse') {
      return serviceError(response, 400, 'InvalidParameterValueException', `unsupported type ${invocationType}`);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let event: unknown;
    try {
      event = text ? JSON.parse(text) : {};
    } catch {
      return serviceError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    invocations.push({ functionName, event });
    let body: string;
    try {
      // Lambda serializes `undefined` as `null`, as JSON.stringify does not.
      body = JSON.stringify((await handler(event)) ?? null);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-function-error': 'Unhandled',
        'x-amz-executed-version': '$LATEST',
      });
      response.end(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
    response.end(body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      serviceError(response, 500, 'ServiceException', String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** An error of the Lambda service itself (restJson1: the type in `x-amzn-ErrorType`). */
function serviceError(response: ServerResponse, status: number, type: string, message: string): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ Type: 'User', message }));
}
