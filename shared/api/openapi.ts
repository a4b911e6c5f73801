/**
 * The HTTP API's contract. The JSON file is the source: it is what API Gateway and client
 * generators read, and the route tests check every answer against it.
 */
import doc from './openapi.json' with { type: 'json' };

export const openApiDocument = doc;
export type OpenApiDocument = typeof doc;
