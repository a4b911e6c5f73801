import 'reflect-metadata';
import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  AuthorityKeyIdentifierExtension,
  cryptoProvider,
  X509CertificateGenerator,
  type Extension,
} from '@peculiar/x509';
import { AcmeClientGateway } from '../../shared/issuers/acme/acme-client-gateway.js';
import { certificateIdentifier, fetchRenewalInfo, type HttpGet } from '../../shared/issuers/acme/ari.js';
import type { AcmeIssuerConfig } from '../../shared/issuers/registry.js';
import { AcmeError, RateLimitedError, TransientError } from '../../shared/errors.js';
import type { AccountKeyStore } from '../../shared/ports/acme.js';

cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);

/** A self-issued certificate with the given serial and extensions, as PEM. */
async function certificate(serialNumber: string, extensions: Extension[]): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: 'CN=ari.example.com',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2026-04-01T00:00:00Z'),
    keys,
    signingAlgorithm: algorithm,
    extensions,
  });
  return cert.toString('pem');
}

// The certificate of RFC 9773 §4.1 and Appendix A, reduced to what the identifier reads.
const RFC_KEY_ID = '69885B6B87464041E1B37B847BA0AE2CDE01C8D4';
const RFC_IDENTIFIER = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';

describe('Function: certificateIdentifier', () => {
  it('computes the identifier of the RFC 9773 example certificate', async () => {
    const pem = await certificate('0087654321', [new AuthorityKeyIdentifierExtension(RFC_KEY_ID)]);
    assert.equal(certificateIdentifier(pem), RFC_IDENTIFIER);
  });

  it('reads the leaf of a chain', async () => {
    const leaf = await certificate('0087654321', [new AuthorityKeyIdentifierExtension(RFC_KEY_ID)]);
    const other = await certificate('01', [new AuthorityKeyIdentifierExtension('0102')]);
    assert.equal(certificateIdentifier(leaf + other), RFC_IDENTIFIER);
  });

  it('keeps a serial without a leading zero as it is', async () => {
    const pem = await certificate('7f01', [new AuthorityKeyIdentifierExtension(RFC_KEY_ID)]);
    assert.equal(certificateIdentifier(pem), 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.fwE');
  });

  it('refuses a certificate without an Authority Key Identifier', async () => {
    const pem = await certificate('0087654321', []);
    assert.throws(
      () => certificateIdentifier(pem),
      (error: unknown) =>
        error instanceof AcmeError &&
        error.message === 'acme: certificate has no Authority Key Identifier: ARI needs one',
    );
  });

  it('refuses text that is not a certificate', () => {
    assert.throws(() => certificateIdentifier('not a certificate'), AcmeError);
  });
});

// ─── A local HTTP server standing in for the CA ─────────────────────────────────────────────

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

let server: Server;
let base: string;
let routes: Map<string, Handler>;
let requested: string[];

function json(status: number, data: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(typeof data === 'string' ? data : JSON.stringify(data));
  };
}

before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', base).pathname;
      requested.push(`${request.method} ${path}`);
      const handler = routes.get(path);
      if (handler) handler(request, response, body);
      else json(404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'not found' })(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  routes = new Map();
  requested = [];
});

const get: HttpGet = async (url) => {
  const response = await fetch(url);
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
};

const WINDOW = { start: '2026-03-01T00:00:00Z', end: '2026-03-03T12:00:00Z' };
const NOW = new Date('2026-02-01T00:00:00Z');

describe('Function: fetchRenewalInfo', () => {
  it('reads the suggested window', async () => {
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(200, { suggestedWindow: WINDOW }));
    const info = await fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW);
    assert.deepEqual(info, { windowStart: new Date(WINDOW.start), windowEnd: new Date(WINDOW.end) });
  });

  it('keeps the explanation URL', async () => {
    const explanationURL = 'https://ca.example/incident/42';
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(200, { suggestedWindow: WINDOW, explanationURL }));
    const info = await fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW);
    assert.equal(info?.explanationUrl, explanationURL);
  });

  it('reads Retry-After given in seconds', async () => {
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(200, { suggestedWindow: WINDOW }, { 'retry-after': '21600' }));
    const info = await fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW);
    assert.equal(info?.retryAfterSeconds, 21600);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const date = new Date(NOW.getTime() + 3_600_000).toUTCString();
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(200, { suggestedWindow: WINDOW }, { 'retry-after': date }));
    const info = await fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW);
    assert.equal(info?.retryAfterSeconds, 3600);
  });

  it('accepts RFC 3339 times with fractions and offsets', async () => {
    const window = { start: '2026-03-01T01:00:00.123456+01:00', end: '2026-03-03t12:00:00z' };
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(200, { suggestedWindow: window }));
    const info = await fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW);
    assert.equal(info?.windowStart.toISOString(), '2026-03-01T00:00:00.123Z');
    assert.equal(info?.windowEnd.toISOString(), '2026-03-03T12:00:00.000Z');
  });

  it('answers undefined when the CA does not know the certificate', async () => {
    assert.equal(await fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW), undefined);
  });

  it('throws a TransientError when the CA fails', async () => {
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(500, { detail: 'database down' }));
    await assert.rejects(fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW), TransientError);
  });

  it('throws a RateLimitedError carrying Retry-After when rate limited', async () => {
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(429, { detail: 'slow down' }, { 'retry-after': '30' }));
    await assert.rejects(
      fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW),
      (error: unknown) => error instanceof RateLimitedError && error.retryAfterSeconds === 30,
    );
  });

  it('throws an AcmeError carrying the problem when the CA refuses', async () => {
    routes.set(
      `/ari/${RFC_IDENTIFIER}`,
      json(400, { type: 'urn:ietf:params:acme:error:malformed', detail: 'bad identifier' }),
    );
    await assert.rejects(
      fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW),
      (error: unknown) =>
        error instanceof AcmeError &&
        error.problemType === 'urn:ietf:params:acme:error:malformed' &&
        /bad identifier/.test(error.message),
    );
  });

  const malformed: Array<[name: string, body: unknown]> = [
    ['answer is not JSON', '{"suggestedWindow": '],
    ['window is missing', {}],
    ['start is not an RFC 3339 time', { suggestedWindow: { start: 'March 1st', end: WINDOW.end } }],
    ['window ends before it starts', { suggestedWindow: { start: WINDOW.end, end: WINDOW.start } }],
    ['window ends when it starts', { suggestedWindow: { start: WINDOW.start, end: WINDOW.start } }],
  ];
  for (const [name, body] of malformed) {
    it(`throws an AcmeError when the ${name}`, async () => {
      routes.set(`/ari/${RFC_IDENTIFIER}`, json(200, body));
      await assert.rejects(fetchRenewalInfo(`${base}/ari`, RFC_IDENTIFIER, get, NOW), AcmeError);
    });
  }
});

// ─── The gateway's ARI calls, against a fake directory ──────────────────────────────────────

describe('Class: AcmeClientGateway (ARI)', () => {
  const keyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const accounts: AccountKeyStore = {
    get: async () => ({ keyPem }),
    createIfAbsent: async () => ({ keyPem }),
    setAccountUrl: async () => {},
  };
  const issuer = (directory: string): AcmeIssuerConfig => ({
    kind: 'acme',
    name: 'fake-ca',
    server: `${base}${directory}`,
    solvers: [],
  });
  const directory = (withAri: boolean) => ({
    newNonce: `${base}/nonce`,
    newAccount: `${base}/new-account`,
    newOrder: `${base}/new-order`,
    ...(withAri ? { renewalInfo: `${base}/ari` } : {}),
  });
  const session = (path: string) => new AcmeClientGateway(accounts).session(issuer(path), `${base}/account/1`);

  it('answers undefined without asking when the directory has no renewalInfo', async () => {
    routes.set('/directory', json(200, directory(false)));
    // No AKI either: a CA without ARI must never fail on the certificate.
    const pem = await certificate('0087654321', []);
    assert.equal(await (await session('/directory')).renewalInfo(pem), undefined);
    assert.deepEqual(requested, ['GET /directory']);
  });

  it('asks the renewalInfo endpoint when the directory has one', async () => {
    routes.set('/directory', json(200, directory(true)));
    routes.set(`/ari/${RFC_IDENTIFIER}`, json(200, { suggestedWindow: WINDOW }, { 'retry-after': '21600' }));
    const pem = await certificate('0087654321', [new AuthorityKeyIdentifierExtension(RFC_KEY_ID)]);
    const info = await (await session('/directory')).renewalInfo(pem);
    assert.deepEqual(info, {
      certificateId: RFC_IDENTIFIER,
      url: `${base}/ari/${RFC_IDENTIFIER}`,
      windowStart: new Date(WINDOW.start),
      windowEnd: new Date(WINDOW.end),
      retryAfterSeconds: 21600,
    });
    assert.deepEqual(requested, ['GET /directory', `GET /ari/${RFC_IDENTIFIER}`]);
  });

  it('answers undefined when the CA does not know the certificate', async () => {
    routes.set('/directory', json(200, directory(true)));
    const pem = await certificate('0087654321', [new AuthorityKeyIdentifierExtension(RFC_KEY_ID)]);
    assert.equal(await (await session('/directory')).renewalInfo(pem), undefined);
  });

  it('throws a TransientError when the renewalInfo endpoint cannot be reached', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    routes.set('/directory', json(200, { ...directory(true), renewalInfo: 'http://127.0.0.1:1/ari' }));
    const pem = await certificate('0087654321', [new AuthorityKeyIdentifierExtension(RFC_KEY_ID)]);
    await assert.rejects((await session('/directory')).renewalInfo(pem), TransientError);
  });

  it('sends replaces in newOrder', async () => {
    let payload: unknown;
    routes.set('/directory', json(200, directory(true)));
    routes.set('/nonce', json(200, '', { 'replay-nonce': 'nonce-1' }));
    routes.set('/new-order', (request, response, body) => {
      payload = JSON.parse(Buffer.from(JSON.parse(body).payload, 'base64url').toString());
      json(
        201,
        { status: 'pending', authorizations: [], finalize: `${base}/finalize/1` },
        { location: `${base}/order/1`, 'replay-nonce': 'nonce-2' },
      )(request, response, body);
    });
    const identifiers = [{ type: 'dns' as const, value: 'ari.example.com' }];
    const order = await (await session('/directory')).createOrder({ identifiers, replaces: RFC_IDENTIFIER });
    assert.deepEqual(payload, { identifiers, replaces: RFC_IDENTIFIER });
    assert.equal(order.url, `${base}/order/1`);
  });
});
