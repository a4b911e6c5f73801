/**
 * What the step tests share: issuers, an issuance state, the project's local adapters in a temp
 * dir, a hand-written fake of the `AcmeSession` port (integration tests run the real gateway on
 * Pebble), a recording `DnsSolver`, and checks for error classes and for key material.
 */
// @peculiar/x509 2.x needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCertificateStore } from '../../../shared/adapters/local/file-certificate-store.js';
import { LocalEventPublisher } from '../../../shared/adapters/local/local-event-publisher.js';
import { MemoryInventory } from '../../../shared/adapters/local/memory-inventory.js';
import { generatePrivateKey } from '../../../shared/domain/keys.js';
import type { CertificateSpec } from '../../../shared/domain/spec.js';
import { validateSpec } from '../../../shared/domain/validate-spec.js';
import { RETRYABLE_ERRORS } from '../../../shared/errors.js';
import { applySpec } from '../../../shared/inventory/records.js';
import type {
  AcmeIssuerConfig,
  CaIssuerConfig,
  IssuerConfig,
  SelfSignedIssuerConfig,
} from '../../../shared/issuers/registry.js';
import { signCertificate } from '../../../shared/issuers/x509/sign-certificate.js';
import { LocalRenewalScheduler } from '../../../shared/local/scheduler.js';
import type {
  AcmeAccountConfig,
  AcmeAuthorization,
  AcmeChallenge,
  AcmeGateway,
  AcmeOrder,
  AcmeOrderRequest,
  AcmeRenewalInfo,
  AcmeSession,
} from '../../../shared/ports/acme.js';
import type { AcmeSolverConfig, DnsSolver, DnsSolverFactory, TxtRecord } from '../../../shared/ports/dns.js';
import type { IssuanceState } from '../../../shared/steps/state.js';
import { assertNoKeyMaterial } from '../../support/key-material.js';

export const NOW = new Date('2026-06-01T00:00:00.000Z');
export const clock = { now: () => new Date(NOW) };

export const ACCOUNT_URL = 'https://ca.test/acct/1';
export const ORDER_URL = 'https://ca.test/order/1';
export const AUTHZ = ['https://ca.test/authz/web', 'https://ca.test/authz/api', 'https://ca.test/authz/reused'];
export const CHALLENGE = { web: 'https://ca.test/chal/web', api: 'https://ca.test/chal/api' };

export const ACME_ISSUER: AcmeIssuerConfig = {
  kind: 'acme',
  name: 'le',
  server: 'https://ca.test/dir',
  preferredChain: 'Test Root X2',
  solvers: [
    { selector: { dnsZones: ['example.com'] }, dns01: { route53: {} } },
    { selector: { dnsZones: ['example.org'] }, dns01: { challtestsrv: { managementUrl: 'http://127.0.0.1:9' } } },
  ],
};
export const SELF_SIGNED: SelfSignedIssuerConfig = { kind: 'selfSigned', name: 'self' };
export const CA_ISSUER: CaIssuerConfig = { kind: 'ca', name: 'internal-ca', certificateName: 'root' };
export const ISSUERS: IssuerConfig[] = [ACME_ISSUER, SELF_SIGNED, CA_ISSUER];

export function spec(input: Record<string, unknown> = {}): CertificateSpec {
  return validateSpec({ name: 'web', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'], ...input });
}

/** An issuance past CreateOrder: two challenges on two solvers, one authorization reused. */
export function acmeState(extra: Partial<IssuanceState> = {}): IssuanceState {
  return {
    name: 'web',
    revision: 2,
    issuanceId: 'web-r2',
    startedAt: '2026-05-31T23:59:00.000Z',
    issuer: 'le',
    issuerKind: 'acme',
    reason: 'Issuing',
    renewal: false,
    spec: spec({ dnsNames: ['web.example.com', 'api.example.org', 'reused.example.com'] }),
    acme: {
      accountUrl: ACCOUNT_URL,
      orderUrl: ORDER_URL,
      authorizationUrls: [...AUTHZ],
      challenges: [
        {
          identifier: 'web.example.com',
          wildcard: false,
          authorizationUrl: AUTHZ[0]!,
          challengeUrl: CHALLENGE.web,
          recordName: '_acme-challenge.web.example.com',
          value: 'txt-web',
          solver: 0,
        },
        {
          identifier: 'api.example.org',
          wildcard: false,
          authorizationUrl: AUTHZ[1]!,
          challengeUrl: CHALLENGE.api,
          recordName: '_acme-challenge.api.example.org',
          value: 'txt-api',
          solver: 1,
        },
      ],
    },
    ...extra,
  };
}

/** The state of a `selfSigned` or `ca` issuance, as Prepare hands it to Sign. */
export function signState(issuer: IssuerConfig, extra: Partial<IssuanceState> = {}): IssuanceState {
  return {
    name: 'web',
    revision: 1,
    issuanceId: 'web-r1',
    issuer: issuer.name,
    issuerKind: issuer.kind,
    reason: 'Issuing',
    renewal: false,
    spec: spec({ issuerRef: { name: issuer.name }, dnsNames: ['web.internal'] }),
    ...extra,
  };
}

/** The local adapters of `npm run local`, in a fresh temp dir. */
export async function localAdapters() {
  const dir = await mkdtemp(join(tmpdir(), 'certflow-steps-'));
  const inventory = new MemoryInventory();
  const store = new FileCertificateStore({ dir });
  const events = new LocalEventPublisher({ now: clock.now });
  const scheduler = new LocalRenewalScheduler();
  return {
    dir,
    inventory,
    store,
    events,
    scheduler,
    clock,
    issuers: ISSUERS,
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The inventory record of `spec`, created as the API's apply creates it. */
export async function withRecord(inventory: MemoryInventory, s: CertificateSpec) {
  return (await applySpec(inventory, clock, s)).record;
}

/**
 * A hand-written CA behind the `AcmeSession` port: orders and authorizations in maps, every call
 * logged in `calls`. Answers are copies, so a step cannot change the CA's state by mutating them.
 */
export class FakeCa implements AcmeSession {
  readonly accountUrl = ACCOUNT_URL;
  readonly orders = new Map<string, AcmeOrder>();
  readonly authorizations = new Map<string, AcmeAuthorization>();
  readonly calls: string[] = [];
  readonly csrs: string[] = [];
  /** What `finalize` moves the order to. */
  finalizeTo: AcmeOrder['status'] = 'processing';
  chainPem = '';
  renewal: (certificatePem: string) => Promise<AcmeRenewalInfo | undefined> = async () => undefined;

  constructor() {
    this.orders.set(ORDER_URL, {
      url: ORDER_URL,
      status: 'pending',
      authorizations: [...AUTHZ],
      finalize: 'https://ca.test/finalize/1',
    });
    this.authorizations.set(AUTHZ[0]!, authorization(AUTHZ[0]!, 'web.example.com', CHALLENGE.web));
    this.authorizations.set(AUTHZ[1]!, authorization(AUTHZ[1]!, 'api.example.org', CHALLENGE.api));
    this.authorizations.set(AUTHZ[2]!, { ...authorization(AUTHZ[2]!, 'reused.example.com', ''), status: 'valid' });
  }

  /** Changes the order (status, error, Retry-After…). */
  setOrder(change: Partial<AcmeOrder>): void {
    this.orders.set(ORDER_URL, { ...this.orders.get(ORDER_URL)!, ...change });
  }

  setAuthorization(url: string, change: Partial<AcmeAuthorization>): void {
    this.authorizations.set(url, { ...this.authorizations.get(url)!, ...change });
  }

  async createOrder(request: AcmeOrderRequest): Promise<AcmeOrder> {
    this.calls.push(`createOrder ${request.identifiers.map((i) => i.value).join(',')}`);
    return structuredClone(this.orders.get(ORDER_URL)!);
  }

  async getOrder(url: string): Promise<AcmeOrder> {
    this.calls.push(`getOrder ${url}`);
    const order = this.orders.get(url);
    if (!order) throw new Error(`fake CA: no order ${url}`);
    return structuredClone(order);
  }

  async getAuthorization(url: string): Promise<AcmeAuthorization> {
    this.calls.push(`getAuthorization ${url}`);
    const found = this.authorizations.get(url);
    if (!found) throw new Error(`fake CA: no authorization ${url}`);
    return structuredClone(found);
  }

  async dns01TxtValue(challenge: AcmeChallenge): Promise<string> {
    return `txt-of-${challenge.token}`;
  }

  async completeChallenge(url: string): Promise<AcmeChallenge> {
    this.calls.push(`completeChallenge ${url}`);
    for (const [authzUrl, authz] of this.authorizations) {
      const challenges = authz.challenges.map((c) => (c.url === url ? { ...c, status: 'processing' as const } : c));
      this.authorizations.set(authzUrl, { ...authz, challenges });
      const done = challenges.find((c) => c.url === url);
      if (done) return structuredClone(done);
    }
    throw new Error(`fake CA: no challenge ${url}`);
  }

  async finalize(order: AcmeOrder, csrPem: string): Promise<AcmeOrder> {
    this.calls.push(`finalize ${order.url}`);
    this.csrs.push(csrPem);
    this.setOrder({ status: this.finalizeTo });
    return structuredClone(this.orders.get(order.url)!);
  }

  async downloadCertificate(order: AcmeOrder, preferredChain?: string): Promise<string> {
    this.calls.push(`downloadCertificate ${order.url} ${preferredChain ?? '-'}`);
    return this.chainPem;
  }

  async revoke(): Promise<void> {
    throw new Error('fake CA: no step revokes');
  }

  async renewalInfo(certificatePem: string): Promise<AcmeRenewalInfo | undefined> {
    this.calls.push('renewalInfo');
    return this.renewal(certificatePem);
  }
}

function authorization(url: string, identifier: string, challengeUrl: string): AcmeAuthorization {
  return {
    url,
    status: 'pending',
    identifier: { type: 'dns', value: identifier },
    wildcard: false,
    challenges: [
      { type: 'http-01', url: `${challengeUrl}-http`, token: 'tok-http', status: 'pending' },
      { type: 'dns-01', url: challengeUrl, token: `tok-${identifier}`, status: 'pending' },
    ],
  };
}

/** An `AcmeGateway` that hands out `ca` and remembers which account each session was opened on. */
export function gatewayOf(ca: AcmeSession): { acme: AcmeGateway; opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    acme: {
      async session(issuer: AcmeAccountConfig, accountUrl?: string) {
        opened.push(`${issuer.name} ${accountUrl ?? '(new)'}`);
        return ca;
      },
    },
  };
}

/** A `DnsSolver` that records what it is asked; `failWith` makes every call throw. */
export class RecordingSolver implements DnsSolver {
  readonly presented: TxtRecord[][] = [];
  readonly cleaned: TxtRecord[][] = [];
  readonly checked: string[][] = [];
  failWith: Error | undefined;

  constructor(
    private readonly changeIds: string[] = [],
    public propagated: (changeIds: string[]) => boolean = () => true,
  ) {}

  async present(records: TxtRecord[]): Promise<string[]> {
    this.presented.push(records);
    if (this.failWith) throw this.failWith;
    return [...this.changeIds];
  }

  async isPropagated(changeIds: string[]): Promise<boolean> {
    this.checked.push(changeIds);
    if (this.failWith) throw this.failWith;
    return this.propagated(changeIds);
  }

  async cleanUp(records: TxtRecord[]): Promise<void> {
    this.cleaned.push(records);
    if (this.failWith) throw this.failWith;
  }
}

/** Solver `i` of `issuer` is `solvers[i]`: the step must ask for it by the issuer's configuration. */
export function solversOf(issuer: AcmeIssuerConfig, solvers: DnsSolver[]): DnsSolverFactory {
  return {
    solverFor(config: AcmeSolverConfig) {
      const index = issuer.solvers.indexOf(config);
      const solver = solvers[index];
      if (!solver) throw new Error(`test: no solver for ${JSON.stringify(config)}`);
      return solver;
    },
  };
}

/**
 * Awaits `promise`'s rejection and checks the error: its class, its `name` (what the state machine
 * decides by), its message, and whether the state machine retries it.
 */
export async function rejectsWith<E extends Error>(
  promise: Promise<unknown>,
  errorClass: new (...args: never[]) => E,
  message: RegExp,
): Promise<E> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof errorClass, `expected ${errorClass.name}, got ${String(caught)}`);
  assert.equal(caught.name, errorClass.name);
  assert.match(caught.message, message);
  return caught;
}

/** Terminal: not in the state machine's Retry list, so it is caught into Cleanup → RecordFailure. */
export function assertTerminal(error: Error): void {
  assert.ok(!(RETRYABLE_ERRORS as readonly string[]).includes(error.name), `${error.name} would be retried`);
}

export function assertTransient(error: Error): void {
  assert.ok((RETRYABLE_ERRORS as readonly string[]).includes(error.name), `${error.name} would not be retried`);
}

/** A step's output must hold no private key: no PEM header and none of the keys' private bytes. */
export function assertNoPrivateKey(state: unknown, keyPems: string[]): void {
  const text = JSON.stringify(state);
  assert.ok(!text.includes('PRIVATE KEY'), 'a PEM key header in the returned state');
  assertNoKeyMaterial({ 'returned state': text }, keyPems);
}

/** SubjectPublicKeyInfo of a private or public key, for "this certificate is for that key". */
export function spkiOf(pem: string): Buffer {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' });
}

/** A root CA, as a `selfSigned` issuer with `isCA: true` makes it (cert-manager's bootstrap). */
export async function makeCa(commonName: string, signer?: { certificatePem: string; keyPem: string }) {
  const keyPem = await generatePrivateKey({
    algorithm: 'ECDSA',
    size: 256,
    encoding: 'PKCS1',
    rotationPolicy: 'Always',
  });
  const caSpec = validateSpec({ name: 'root', issuerRef: { name: 'self' }, commonName, isCA: true, duration: '8760h' });
  const signed = await signCertificate({ spec: caSpec, keyPem, signer: signer ?? 'self', now: new Date('2026-01-01') });
  return { certificatePem: signed.certificatePem, keyPem };
}

/** A leaf for `s` with the public key of `keyPem`, signed by `ca` (as a CA's answer to a CSR). */
export async function makeLeaf(
  s: CertificateSpec,
  keyPem: string,
  ca: { certificatePem: string; keyPem: string },
  serialNumber = '0a1b2c3d',
) {
  return signCertificate({ spec: s, keyPem, signer: ca, now: NOW, serialNumber });
}
