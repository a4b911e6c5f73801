/** Routes an API request to its handler and turns every failure into a JSON answer. */
import {
  type ApiDependencies,
  applyCertificate,
  certificateEvents,
  deleteCertificate,
  getCertificate,
  listCertificates,
  renewCertificate,
} from './certificates.js';
import { type ApiRequest, type ApiResponse, HttpError, MAX_BODY_BYTES, errorResponse } from './http.js';

export type { ApiDependencies };

type Route = (request: ApiRequest, params: string[], deps: ApiDependencies) => Promise<ApiResponse>;

const ROUTES: { method: string; pattern: RegExp; handle: Route }[] = [
  { method: 'POST', pattern: /^\/certificates$/, handle: (r, _p, d) => applyCertificate(r.body, d) },
  { method: 'GET', pattern: /^\/certificates$/, handle: (r, _p, d) => listCertificates(r.query, d) },
  { method: 'GET', pattern: /^\/certificates\/([^/]+)$/, handle: (_r, [n], d) => getCertificate(n!, d) },
  { method: 'GET', pattern: /^\/certificates\/([^/]+)\/events$/, handle: (_r, [n], d) => certificateEvents(n!, d) },
  { method: 'POST', pattern: /^\/certificates\/([^/]+)\/renew$/, handle: (_r, [n], d) => renewCertificate(n!, d) },
  { method: 'DELETE', pattern: /^\/certificates\/([^/]+)$/, handle: (r, [n], d) => deleteCertificate(n!, r.query, d) },
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'ValidationFailed', 'name: is not a valid path segment', 'name');
  }
}

export async function handleApiRequest(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  try {
    if (request.body !== undefined && Buffer.byteLength(request.body, 'utf8') > MAX_BODY_BYTES) {
      throw new HttpError(413, 'PayloadTooLarge', `body: larger than ${MAX_BODY_BYTES} bytes`, 'body');
    }
    const path = request.path.replace(/\/+$/, '') || '/';
    const matches = ROUTES.filter((route) => route.pattern.test(path));
    if (!matches.length) throw new HttpError(404, 'NotFound', `no such resource: ${path.slice(0, 200)}`);
    const route = matches.find((r) => r.method === request.method.toUpperCase());
    if (!route)
      throw new HttpError(405, 'MethodNotAllowed', `${request.method} is not allowed on ${path.slice(0, 200)}`);
    const params = (route.pattern.exec(path) ?? []).slice(1).map(decode);
    return await route.handle(request, params, deps);
  } catch (error) {
    return errorResponse(error);
  }
}
