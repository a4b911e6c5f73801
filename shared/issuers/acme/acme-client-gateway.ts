/**
 * The ACME port implemented with acme-client, driven one request at a time: every method is one
 * or two HTTP calls and returns at once, so a Lambda never waits on the CA. Only URLs travel
 * between steps; the account key stays in the account store and is cached per warm container.
 */
import acme from 'acme-client';
import axios, { type AxiosAdapter, type AxiosResponse } from 'axios';
import type { AcmeIssuerConfig } from './config.js';
import { AcmeError, TransientError } from '../../errors.js';
import type {
  AccountKeyStore,
  SecretReader,
  AcmeAuthorization,
  AcmeChallenge,
  AcmeGateway,
  AcmeOrder,
  AcmeOrderRequest,
  AcmeRenewalInfo,
  AcmeSession,
} from '../../ports/acme.js';
import { certificateIdentifier, fetchRenewalInfo, type HttpAnswer } from './ari.js';
import { configureAcmeHttp, parseRetryAfter } from './http.js';

const ACCOUNT_DOES_NOT_EXIST = 'urn:ietf:params:acme:error:accountDoesNotExist';

/** The part of acme-client's internal API used for POST-as-GET with response headers. */
interface AcmeApi {
  apiRequest(
    url: string,
    payload: unknown,
    validStatusCodes: number[],
  ): Promise<{ data: any; headers: Record<string, unknown> }>;
  /** acme-client's HttpClient, which caches the directory for a day. */
  http: { getDirectory(): Promise<Record<string, unknown>> };
}

type Client = InstanceType<typeof acme.Client> & { api: AcmeApi };

interface Account {
  keyPem: string;
  accountUrl?: string;
  server?: string;
}

export class AcmeClientGateway implements AcmeGateway {
  private readonly accountCache = new Map<string, Account>();
  /**
   * One acme-client per issuer and account for the process (a warm Lambda container, local
   * mode): it keeps the CA's directory, so each step does not fetch it again. Its requests share
   * no state, so concurrent sessions can use it.
   */
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly accounts: AccountKeyStore,
    /** Reads EAB HMAC keys; needed only by issuers with an External Account Binding. */
    private readonly secrets?: SecretReader,
  ) {
    configureAcmeHttp();
  }

  async session(issuer: AcmeIssuerConfig, accountUrl?: string): Promise<AcmeSession> {
    const account = await this.loadAccount(issuer);
    const knownUrl = accountUrl ?? (account.server === issuer.server ? account.accountUrl : undefined);
    const client = knownUrl ? this.clientFor(issuer, account.keyPem, knownUrl) : this.newClient(issuer, account.keyPem);
    const session = new AcmeClientSession(client, () => this.register(issuer, account));
    if (!knownUrl) await session.reRegister();
    return session;
  }

  private async loadAccount(issuer: AcmeIssuerConfig): Promise<Account> {
    const cached = this.accountCache.get(issuer.name);
    if (cached) return cached;
    let account = await this.accounts.get(issuer.name);
    if (!account) {
      // ES256 account keys: small JWS, and every ACME CA accepts them.
      const keyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
      account = await this.accounts.createIfAbsent(issuer.name, keyPem);
    }
    this.accountCache.set(issuer.name, account);
    return account;
  }

  private async registrationClient(issuer: AcmeIssuerConfig, keyPem: string): Promise<Client> {
    const binding = issuer.externalAccountBinding;
    if (!binding) return this.newClient(issuer, keyPem);
    if (!this.secrets)
      throw new AcmeError(`acme: issuer "${issuer.name}" needs its EAB key, and no secret reader is set`);
    const hmacKey = (await this.secrets.read(binding.hmacKeySecretArn)).trim();
    return this.newClient(issuer, keyPem, undefined, { kid: binding.keyId, hmacKey });
  }

  private clientFor(issuer: AcmeIssuerConfig, keyPem: string, accountUrl: string): Client {
    const key = `${issuer.name}\n${issuer.server}\n${accountUrl}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.newClient(issuer, keyPem, accountUrl);
      this.clients.set(key, client);
    }
    return client;
  }

  private newClient(
    issuer: AcmeIssuerConfig,
    keyPem: string,
    accountUrl?: string,
    externalAccountBinding?: { kid: string; hmacKey: string },
  ): Client {
    return new acme.Client({
      directoryUrl: issuer.server,
      accountKey: keyPem,
      accountUrl,
      ...(externalAccountBinding ? { externalAccountBinding } : {}),
      // The state machine polls; these only bound acme-client's own helpers should one be used.
      backoffAttempts: 1,
      backoffMin: 100,
      backoffMax: 200,
    }) as Client;
  }

  /**
   * Finds or creates the account for the stored key; newAccount with a known key returns it. With
   * an External Account Binding (ZeroSSL, a corporate CA), newAccount carries the binding, signed
   * with the HMAC key read here and used for nothing else.
   */
  private async register(issuer: AcmeIssuerConfig, account: Account): Promise<Client> {
    const client = await this.registrationClient(issuer, account.keyPem);
    try {
      await client.createAccount({
        termsOfServiceAgreed: true,
        ...(issuer.email ? { contact: [`mailto:${issuer.email}`] } : {}),
      });
    } catch (error) {
      // newAccount answered 200 (the key's account exists: another execution registered it a
      // moment ago) and acme-client followed with an account update. With no contact to change,
      // that update is empty, which strict CAs refuse ("use POST-as-GET"); the account was found.
      if (issuer.email || !hasAccountUrl(client)) throw error;
    }
    const url = client.getAccountUrl();
    if (url !== account.accountUrl || account.server !== issuer.server) {
      await this.accounts.setAccountUrl(issuer.name, issuer.server, url);
      account.accountUrl = url;
      account.server = issuer.server;
    }
    return client;
  }
}

/** True once newAccount has answered with the account's URL. */
function hasAccountUrl(client: Client): boolean {
  try {
    return Boolean(client.getAccountUrl());
  } catch {
    return false;
  }
}

class AcmeClientSession implements AcmeSession {
  constructor(
    private client: Client,
    private readonly registerAgain: () => Promise<Client>,
  ) {}

  get accountUrl(): string {
    return this.client.getAccountUrl();
  }

  /** Registers (or finds) the account; used on first use and when the CA forgot it. */
  async reRegister(): Promise<void> {
    this.client = await this.registerAgain();
  }

  /** Runs `call`; if the CA no longer knows the account (a restarted Pebble), registers once more. */
  private async withAccount<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof AcmeError) || error.problemType !== ACCOUNT_DOES_NOT_EXIST) throw error;
      await this.reRegister();
      return call();
    }
  }

  async createOrder(request: AcmeOrderRequest): Promise<AcmeOrder> {
    const payload = {
      identifiers: request.identifiers,
      ...(request.profile ? { profile: request.profile } : {}),
      ...(request.replaces ? { replaces: request.replaces } : {}),
    };
    const order = await this.withAccount(() => this.client.createOrder(payload));
    return toOrder(order);
  }

  async renewalInfo(certificatePem: string): Promise<AcmeRenewalInfo | undefined> {
    const directory = await this.client.api.http.getDirectory();
    const url = directory.renewalInfo;
    // Checked before the certificate is read, so a CA without ARI never fails on an odd certificate.
    if (typeof url !== 'string' || !url) return undefined;
    const certificateId = certificateIdentifier(certificatePem);
    const info = await fetchRenewalInfo(url, certificateId, unauthenticatedGet);
    return info && { certificateId, url: `${url.replace(/\/$/, '')}/${certificateId}`, ...info };
  }

  async getOrder(url: string): Promise<AcmeOrder> {
    const response = await this.withAccount(() => this.client.api.apiRequest(url, null, [200]));
    return toOrder({ ...response.data, url }, parseRetryAfter(response.headers['retry-after']));
  }

  async getAuthorization(url: string): Promise<AcmeAuthorization> {
    const response = await this.withAccount(() => this.client.api.apiRequest(url, null, [200]));
    const data = response.data;
    return {
      url,
      status: data.status,
      identifier: data.identifier,
      wildcard: Boolean(data.wildcard),
      challenges: (data.challenges ?? []).map(toChallenge),
      retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
    };
  }

  async dns01TxtValue(challenge: AcmeChallenge): Promise<string> {
    return this.client.getChallengeKeyAuthorization({ ...challenge, type: 'dns-01' } as never);
  }

  async completeChallenge(url: string): Promise<AcmeChallenge> {
    const data = await this.withAccount(() => this.client.completeChallenge({ url } as never));
    return toChallenge({ ...(data as object), url });
  }

  async finalize(order: AcmeOrder, csrPem: string): Promise<AcmeOrder> {
    const data = await this.withAccount(() => this.client.finalizeOrder(order as never, csrPem));
    return toOrder({ ...(data as object), url: order.url });
  }

  async revoke(certificatePem: string): Promise<void> {
    await this.withAccount(() => this.client.revokeCertificate(certificatePem));
  }

  async downloadCertificate(order: AcmeOrder, preferredChain?: string): Promise<string> {
    return this.withAccount(() => this.client.getCertificate(order as never, preferredChain));
  }
}

function toOrder(data: any, retryAfterSeconds?: number): AcmeOrder {
  return {
    url: data.url,
    status: data.status,
    authorizations: data.authorizations ?? [],
    finalize: data.finalize,
    ...(data.certificate ? { certificate: data.certificate } : {}),
    ...(data.error ? { error: { type: data.error.type, detail: data.error.detail } } : {}),
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
  };
}

function toChallenge(data: any): AcmeChallenge {
  return {
    type: data.type,
    url: data.url,
    token: data.token,
    status: data.status,
    ...(data.error ? { error: { type: data.error.type, detail: data.error.detail } } : {}),
  };
}

const httpAdapter: AxiosAdapter = axios.getAdapter('http');

/**
 * A GET through acme-client's axios instance, so the CA's TLS agent, timeout and User-Agent apply,
 * but with every status handed back: `fetchRenewalInfo` classifies them itself, because a 404
 * there means "unknown certificate", not a failure. (The instance's own adapter would turn it into
 * an `AcmeError` without its status.) Transport failures are transient, as for every ACME call.
 */
async function unauthenticatedGet(url: string): Promise<HttpAnswer> {
  const response = await acme.axios.get<string>(url, {
    responseType: 'text',
    adapter: async (config) => {
      try {
        return await httpAdapter(config);
      } catch (error) {
        // acme-client makes axios reject every answer, so answers arrive as errors carrying one.
        const answer = (error as { response?: AxiosResponse }).response;
        if (answer) return answer;
        const code = (error as { code?: string }).code ?? (error as Error).message;
        throw new TransientError(`acme: GET ${url} failed: ${code}`, { cause: error });
      }
    },
  });
  return { status: response.status, headers: response.headers as Record<string, unknown>, body: response.data };
}
