/** Translation between API Gateway's proxy integration and the API's own request/response. */
import type { ApiRequest, ApiResponse } from './http.js';

/** The fields of an API Gateway (REST, proxy) event that the API reads. */
export interface ApiGatewayProxyEvent {
  httpMethod: string;
  path: string;
  /** The resource path with the stage stripped, e.g. `/certificates/{name}`. */
  resource?: string;
  pathParameters?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface ApiGatewayProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function fromApiGatewayEvent(event: ApiGatewayProxyEvent): ApiRequest {
  const body =
    event.body === null || event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return { method: event.httpMethod, path: event.path, query: { ...(event.queryStringParameters ?? {}) }, body };
}

export function toApiGatewayResult(response: ApiResponse): ApiGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: { 'content-type': 'application/json', ...response.headers },
    body: response.body === undefined ? '' : JSON.stringify(response.body),
  };
}
