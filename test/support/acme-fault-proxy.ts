/**
 * An HTTPS proxy on loopback between the ACME client and Pebble that injects faults by rule: 5xx
 * answers, `badNonce`, `rateLimited` (429 with Retry-After), a 403 `unauthorized` refusal, answers
 * that hang until the client gives up, and dropped connections (before Pebble sees the request, or
 * after it acted on it).
 *
 * The proxy keeps the client's Host header, so Pebble writes the proxy's own URLs into the
 * directory, `Location` and `Link` headers and JWS checks; any Pebble URL that still shows up is
 * rewritten to the proxy's. The proxy has its own certificate: trust `caPem` next to Pebble's.
 */
import { createServer, type Server } from 'node:https';
import { request, type Agent } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * A self-signed loopback certificate with a subject of its own: a second CA named like Pebble's
 * listener CA (shared/local/tls.ts) would make OpenSSL pick the wrong one and fail the signature.
 */
async function proxyTls(): Promise<{ certPem: string; keyPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a',
    name: 'CN=certflow ACME fault proxy',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { certPem: `${cert.toString('pem')}\n`, keyPem };
}

export type FaultKind =
  /** 503 with a `serverInternal` problem. */
  | 'serverError'
  /** 400 `badNonce`, carrying a fresh nonce as Pebble would. */
  | 'badNonce'
  /** 429 `rateLimited` with `retryAfter` (seconds, default 1). */
  | 'rateLimited'
  /** 403 `unauthorized`: the CA refuses for good, as for a revoked account or a forbidden name. */
  | 'unauthorized'
  /** Holds the request `hangMs`, then destroys the connection (the client's timeout fires first). */
  | 'hang'
  /** Destroys the connection before Pebble sees the request. */
  | 'drop'
  /** Forwards to Pebble, then destroys the connection: the CA acted, the client never hears. */
  | 'dropAfterForward';

export interface FaultRule {
  kind: FaultKind;
  method?: string;
  /** Matched against the request path (e.g. /order-plz, /finalize-order/…, /certZ/…). */
  path: RegExp;
  /** How many matching requests get the fault; Infinity for all. */
  times: number;
  retryAfter?: string;
  hangMs?: number;
  /** Runs before the fault is answered, e.g. to look at DNS while the CA is being refused. */
  onMatch?: (request: { method: string; path: string }) => void | Promise<void>;
}

export interface AcmeFaultProxy {
  directoryUrl: string;
  /** The proxy's self-signed TLS certificate: trust it. */
  caPem: string;
  /** Faults injected so far, by kind. */
  injected: Record<FaultKind, number>;
  /** Every request seen: method and path. */
  requests: { method: string; path: string; fault?: FaultKind }[];
  rules: FaultRule[];
  /** Replaces the rules (a fresh `times` budget each). */
  setRules(rules: FaultRule[]): void;
  totalInjected(): number;
  close(): Promise<void>;
}

const problem = (type: string, detail: string) =>
  JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail, status: 0 });

/** Starts the proxy in front of `target` (Pebble's directory URL), trusting it with `targetAgent`. */
export async function startAcmeFaultProxy(options: { target: string; targetAgent: Agent }): Promise<AcmeFaultProxy> {
  const target = new URL(options.target);
  const tls = await proxyTls();
  const injected: Record<FaultKind, number> = {
    serverError: 0,
    badNonce: 0,
    rateLimited: 0,
    unauthorized: 0,
    hang: 0,
    drop: 0,
    dropAfterForward: 0,
  };
  const requests: AcmeFaultProxy['requests'] = [];
  let rules: (FaultRule & { left: number })[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let proxyOrigin = '';

  const rewrite = (text: string) => text.split(target.origin).join(proxyOrigin);

  function forward(
    req: IncomingMessage,
    body: Buffer,
    method = req.method ?? 'GET',
    path = req.url ?? '/',
    bare = false,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      // A bare request (the nonce fetch) must not claim the original's body length.
      const host = req.headers.host ?? target.host;
      const headers = bare ? { host } : { ...req.headers, host };
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          headers,
          agent: options.targetAgent,
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const out: Record<string, string | string[]> = {};
            for (const [key, value] of Object.entries(res.headers)) {
              if (value === undefined || key === 'content-length' || key === 'connection') continue;
              out[key] = Array.isArray(value) ? value.map(rewrite) : rewrite(value);
            }
            resolve({
              status: res.statusCode ?? 502,
              headers: out,
              body: Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8'))),
            });
          });
        },
      );
      upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  /** A fresh nonce from Pebble, so a `badNonce` answer is as usable as Pebble's own. */
  async function freshNonce(req: IncomingMessage): Promise<string | undefined> {
    const answer = await forward(req, Buffer.alloc(0), 'HEAD', '/nonce-plz', true);
    const nonce = answer.headers['replay-nonce'];
    return Array.isArray(nonce) ? nonce[0] : nonce;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const rule = rules.find((r) => r.left > 0 && (!r.method || r.method === method) && r.path.test(path));
    requests.push(rule ? { method, path, fault: rule.kind } : { method, path });
    if (rule) {
      rule.left--;
      injected[rule.kind]++;
      await rule.onMatch?.({ method, path });
      const json = (status: number, text: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
        res.end(text);
      };
      switch (rule.kind) {
        case 'serverError':
          return json(503, problem('serverInternal', 'injected: service unavailable'));
        case 'rateLimited':
          return json(429, problem('rateLimited', 'injected: too many requests'), {
            'retry-after': rule.retryAfter ?? '1',
          });
        case 'unauthorized':
          return json(403, problem('unauthorized', 'injected: account is not authorized for this request'));
        case 'badNonce': {
          const nonce = await freshNonce(req);
          return json(400, problem('badNonce', 'injected: bad nonce'), nonce ? { 'replay-nonce': nonce } : {});
        }
        case 'drop':
          req.socket.destroy();
          return;
        case 'hang': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            req.socket.destroy();
          }, rule.hangMs ?? 2_000);
          timers.add(timer);
          return;
        }
        case 'dropAfterForward':
          await forward(req, body);
          req.socket.destroy();
          return;
      }
    }
    const answer = await forward(req, body);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: Error) => {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${error.message}`);
      });
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxyOrigin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    directoryUrl: `${proxyOrigin}${target.pathname}`,
    caPem: tls.certPem,
    injected,
    requests,
    get rules() {
      return rules;
    },
    setRules(next) {
      rules = next.map((r) => ({ ...r, left: r.times }));
    },
    totalInjected: () => Object.values(injected).reduce((a, b) => a + b, 0),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
