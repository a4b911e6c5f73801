/**
 * Wiring for local mode and the integration tests: files instead of Secrets Manager, memory (or a
 * JSON file) instead of DynamoDB, pebble-challtestsrv instead of Route53, and an in-process event
 * list instead of EventBridge. The handlers and steps are the ones Lambda runs.
 */
import type { Agent } from 'node:https';
import { join } from 'node:path';
import { AcmeClientGateway } from '../issuers/acme/acme-client-gateway.js';
import { configureAcmeHttp } from '../issuers/acme/http.js';
import { ChalltestsrvDnsSolver } from '../solvers/adapters/challtestsrv.js';
import { FileAccountKeyStore, FileCertificateStore } from '../adapters/local/file-certificate-store.js';
import { LocalEventPublisher } from '../adapters/local/local-event-publisher.js';
import { MemoryInventory } from '../adapters/local/memory-inventory.js';
import type { IssuerConfig } from '../issuers/registry.js';
import { revokeCertificate } from '../certificates/revoke.js';
import { abandonedIssuances } from '../steps/ended-issuance.js';
import { CertflowError } from '../errors.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Dependencies } from '../wiring/dependencies.js';
import type { DnsSolverFactory } from '../ports/dns.js';
import type { IssuanceStarter } from '../ports/executions.js';
import { LocalRenewalScheduler } from './scheduler.js';
import { SolverDispatcher } from '../solvers/dispatcher.js';
import { DnsCnameResolver } from '../solvers/adapters/dns-cname-resolver.js';

export interface LocalDependencyOptions {
  /** State directory (certificates, keys, accounts, inventory). */
  dir: string;
  issuers: IssuerConfig[];
  /** Agent trusting the local CA's HTTPS certificate. */
  httpsAgent?: Agent;
  /** Keep the inventory in `${dir}/inventory.json` across restarts. */
  persistInventory?: boolean;
  /** Other DNS solvers (tests: Route53 against a local endpoint). */
  dns?: DnsSolverFactory;
  clock?: Clock;
  /** DNS servers (`host:port`) for CNAME look-ups: locally, challtestsrv's. */
  dnsServers?: string[];
  /** Operator secrets by ARN (EAB HMAC keys) for local runs and tests. */
  secrets?: Record<string, string>;
  /** Starts executions (local mode: the local state machine); set later with `useIssuanceStarter`. */
  issuance?: IssuanceStarter;
}

export interface LocalDependencies extends Dependencies {
  scheduler: LocalRenewalScheduler;
  store: FileCertificateStore;
  inventory: MemoryInventory;
  events: LocalEventPublisher;
}

export function localDependencies(options: LocalDependencyOptions): LocalDependencies {
  configureAcmeHttp({ httpsAgent: options.httpsAgent });
  const deps: LocalDependencies = {
    issuers: options.issuers,
    inventory: new MemoryInventory(options.persistInventory ? { file: join(options.dir, 'inventory.json') } : {}),
    store: new FileCertificateStore({ dir: options.dir }),
    acme: new AcmeClientGateway(new FileAccountKeyStore({ dir: options.dir }), {
      read: async (arn) => {
        const value = options.secrets?.[arn];
        if (value === undefined) throw new CertflowError(`local: no secret ${arn} is configured`);
        return value;
      },
    }),
    dns:
      options.dns ??
      new SolverDispatcher(
        { challtestsrv: (challtestsrv) => new ChalltestsrvDnsSolver(challtestsrv) },
        'dns: local mode supports challtestsrv solvers only',
      ),
    cnames: new DnsCnameResolver(options.dnsServers),
    events: new LocalEventPublisher(),
    clock: options.clock ?? systemClock,
    issuance: options.issuance ?? {
      start: async () => {
        throw new CertflowError('local: no state machine is attached to start issuances');
      },
      describe: async () => ({ status: 'MISSING' }),
    },
    revoker: { revoke: (name) => revokeCertificate(name, deps) },
    abandoned: abandonedIssuances(() => deps),
    scheduler: new LocalRenewalScheduler(options.persistInventory ? { file: join(options.dir, 'schedules.json') } : {}),
  };
  return deps;
}
