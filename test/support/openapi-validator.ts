/**
 * Checks an API answer against shared/api/openapi.json, so that the document and the handlers
 * cannot drift apart unnoticed: every status must be documented for its operation and every body
 * must match that response's schema.
 */
import assert from 'node:assert/strict';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { openApiDocument } from '../../shared/api/openapi.js';

type Json = Record<string, unknown>;

// ajv-formats is CommonJS with an ES-style default; which shape arrives depends on the loader.
const addFormats = ((addFormatsModule as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

const BASE = 'https://certflow.invalid/openapi.json';
const doc = openApiDocument as unknown as Json;
const components = doc.components as Json;

// OpenAPI 3.0 schemas are JSON Schema plus a few keywords (`example`, `x-…`) that strict mode
// would refuse; the document uses no `nullable`, so nothing else needs translating.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: BASE, components });

const cache = new Map<string, ValidateFunction | null>();

/** Points the document's local `#/components/…` refs at the components added under BASE. */
function anchorRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(anchorRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `${BASE}${inner}` : anchorRefs(inner),
    ]),
  );
}

function resolve(value: unknown): Json {
  let node = value as Json;
  while (typeof node.$ref === 'string') {
    const path = node.$ref.replace(/^#\//, '').split('/');
    node = path.reduce<Json>((at, part) => at[part.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, doc);
    assert.ok(node, `openapi.json: unresolvable $ref`);
  }
  return node;
}

/** The schema documented for this answer, or null when the response has no body. */
function responseSchema(method: string, pathTemplate: string, status: number): Json | null {
  const paths = doc.paths as Record<string, Json>;
  const pathItem = paths[pathTemplate];
  const operation = pathItem?.[method.toLowerCase()] as Json | undefined;
  // Routes and methods the API does not have are answered by the router itself, with an Error.
  if (!pathItem) {
    assert.equal(status, 404, `${pathTemplate} is not in openapi.json, so only 404 can answer it`);
    return { $ref: '#/components/schemas/Error' };
  }
  if (!operation) {
    assert.equal(status, 405, `${method} ${pathTemplate} is not in openapi.json, so only 405 can answer it`);
    return { $ref: '#/components/schemas/Error' };
  }
  const responses = operation.responses as Json;
  const documented = responses[String(status)];
  assert.ok(
    documented,
    `openapi.json documents no ${status} for ${method} ${pathTemplate} (only ${Object.keys(responses).join(', ')})`,
  );
  const content = resolve(documented).content as Record<string, Json> | undefined;
  return (content?.['application/json']?.schema as Json | undefined) ?? null;
}

/**
 * Asserts that `status` is documented for `method pathTemplate` (e.g. `GET`,
 * `/certificates/{name}`) and that `body` matches its schema.
 */
export function expectMatchesOpenApi(method: string, pathTemplate: string, status: number, body: unknown): void {
  const key = `${method.toUpperCase()} ${pathTemplate} ${status}`;
  let validate = cache.get(key);
  if (validate === undefined) {
    const schema = responseSchema(method, pathTemplate, status);
    validate = schema ? ajv.compile(anchorRefs(schema) as Json) : null;
    cache.set(key, validate);
  }
  if (validate === null) {
    assert.equal(body, undefined, `${key}: openapi.json documents no body`);
    return;
  }
  // Compare what a client receives: the body as JSON text, parsed back.
  const received: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  if (!validate(received)) {
    const text = JSON.stringify(received);
    assert.fail(
      `${key}: body does not match openapi.json: ${ajv.errorsText(validate.errors)}\n${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`,
    );
  }
}
