/**
 * The sync: puts a certificate's current version into every target of its spec.
 *
 * A `certificate` message (an Issued/Renewed event, or the reconcile) tries every target at
 * once, within one invocation, so a healthy cluster has the certificate as soon as it exists.
 * Each target that fails leaves as a message of its own: a transient failure as a `target`
 * message, which SQS retries and finally dead-letters on its own; a terminal one (401, 403, an
 * invalid Secret) straight to the dead-letter queue, since no retry can fix it. One cluster that
 * is down therefore delays nobody else, and the alarm on the dead-letter queue names what broke.
 *
 * The private key is read from the certificate store here and goes nowhere but into the
 * Secret's data: messages, logs and the inventory carry names, revisions and serial numbers.
 */
import { leafAndChain, parseCertificate } from '../domain/certificate-info.js';
import type { CertificateRecord } from '../domain/record.js';
import type { DeliveryTarget } from '../domain/spec.js';
import { CertflowError, TransientError, messageOf } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import type { ClusterSecretWriter, DeliveryMessage, DeliveryQueue, KubernetesSecret } from '../ports/delivery.js';
import type { CertificateStore } from '../ports/certificate-store.js';
import type { Clock } from '../ports/clock.js';
import type { Inventory } from '../ports/inventory.js';
import { type TargetOutcome, recordOutcomes } from './delivery-status.js';
import { isCurrent, secretManifest } from './manifest.js';
import { sameTarget } from './messages.js';
import { targetName } from '../domain/spec.js';

/** What the sync needs. */
export type SyncDependencies = {
  inventory: Inventory;
  store: CertificateStore;
  clock: Clock;
  clusterSecrets: ClusterSecretWriter;
  deliveryQueue: DeliveryQueue;
};

/** Targets of one certificate written at the same time; the rest wait for a free slot. */
export const TARGET_CONCURRENCY = 8;
/** Inventory records per reconcile message; the next page is a message of its own. */
export const RECONCILE_PAGE_SIZE = 100;

/** The certificate as it will be written: built once per message, used for every target. */
interface Delivery {
  revision: number;
  serialNumber: string;
  manifest: (target: DeliveryTarget) => KubernetesSecret;
}

/**
 * Handles a `certificate` or `reconcile` message; throws to have SQS deliver it again (and
 * dead-letter it in the end). `target` messages go through {@link syncTargets}.
 */
export async function handleDeliveryMessage(
  message: Exclude<DeliveryMessage, { kind: 'target' }>,
  deps: SyncDependencies,
): Promise<void> {
  if (message.kind === 'reconcile') return reconcilePage(message.nextToken, deps);
  const { transient } = await syncCertificate(message.name, undefined, deps);
  // Each target that failed for now comes back alone; the certificate's message is done.
  if (transient.length > 0) await deps.deliveryQueue.send(transient.map((t) => targetMessage(message.name, t)));
}

/**
 * Retries some targets of one certificate (their `target` messages of one batch together: one
 * secret read, one status write). Returns the targets to deliver again; SQS dead-letters those
 * that keep failing.
 */
export async function syncTargets(
  name: string,
  targets: readonly DeliveryTarget[],
  deps: SyncDependencies,
): Promise<DeliveryTarget[]> {
  return (await syncCertificate(name, targets, deps)).transient;
}

/** One page of the inventory: a `certificate` message for each certificate that has targets. */
async function reconcilePage(nextToken: string | undefined, deps: SyncDependencies): Promise<void> {
  const page = await deps.inventory.list({ limit: RECONCILE_PAGE_SIZE, ...(nextToken ? { nextToken } : {}) });
  const messages: DeliveryMessage[] = page.items
    .filter((record) => record.spec.targets.length > 0 && record.status.serialNumber)
    .map((record) => ({ kind: 'certificate', name: record.name }));
  if (page.nextToken) messages.push({ kind: 'reconcile', nextToken: page.nextToken });
  await deps.deliveryQueue.send(messages);
  logger.info('sync: reconcile page queued', { certificates: messages.length, more: Boolean(page.nextToken) });
}

/**
 * Delivers certificate `name` to `only` or, without it, to every target of its spec, and records
 * the outcomes. Terminal failures go to the dead-letter queue here; transient ones are returned.
 * A certificate that is gone, has no target (left) or was never issued is nothing to do.
 */
async function syncCertificate(
  name: string,
  only: readonly DeliveryTarget[] | undefined,
  deps: SyncDependencies,
): Promise<{ transient: DeliveryTarget[] }> {
  const record = await deps.inventory.get(name);
  const targets = (record?.spec.targets ?? []).filter((t) => !only || only.some((o) => sameTarget(t, o)));
  if (!record || targets.length === 0 || !record.status.serialNumber) {
    logger.info('sync: nothing to deliver', { certificate: name, ...(only ? { targets: only.map(targetName) } : {}) });
    return { transient: [] };
  }
  const delivery = await prepare(record, deps);
  const outcomes = await mapLimit(targets, TARGET_CONCURRENCY, (target) => deliverTo(name, target, delivery, deps));
  const failures = outcomes.filter((o): o is Failure => !o.ok);
  const terminal = failures.filter((f) => !f.transient);

  // Dead letters go before the status write: if either fails, the whole message comes back, and
  // targets that are current by then cost one GET each.
  if (terminal.length > 0) {
    await deps.deliveryQueue.deadLetter(
      terminal.map((f) => ({ message: targetMessage(name, f.target), error: f.error })),
    );
  }
  await updateRecord(deps.inventory, deps.clock, name, (current, now) => recordOutcomes(current, outcomes, now));
  return { transient: failures.filter((f) => f.transient).map((f) => f.target) };
}

/** Reads the current version once; the serial number comes from the certificate itself. */
async function prepare(record: CertificateRecord, deps: SyncDependencies): Promise<Delivery> {
  const stored = await deps.store.readCurrent(record.name);
  // The record says a certificate was issued, so a missing secret is a race with Store, or an outage.
  if (!stored) throw new TransientError(`sync: the secret of certificate "${record.name}" is not readable yet`);
  const info = parseCertificate(leafAndChain(stored['tls.crt']).leaf);
  const revision = record.status.revision ?? record.revision;
  const source = {
    name: record.name,
    revision,
    issuer: record.spec.issuerRef.name,
    serialNumber: info.serialNumber,
    notAfter: info.notAfter,
    ...(record.spec.secretTemplate ? { secretTemplate: record.spec.secretTemplate } : {}),
    bundle: { 'tls.crt': stored['tls.crt'], 'tls.key': stored['tls.key'], 'ca.crt': stored['ca.crt'] },
  };
  return { revision, serialNumber: info.serialNumber, manifest: (target) => secretManifest(source, target) };
}

type Failure = Extract<TargetOutcome, { ok: false }> & { transient: boolean };

/** One target: GET, and apply unless the Secret there is already this certificate. */
async function deliverTo(
  name: string,
  target: DeliveryTarget,
  delivery: Delivery,
  deps: SyncDependencies,
): Promise<TargetOutcome | Failure> {
  const where = { certificate: name, target: targetName(target) };
  try {
    const desired = delivery.manifest(target);
    const live = await deps.clusterSecrets.read(target);
    const current = live !== undefined && isCurrent(live, desired);
    if (!current) await deps.clusterSecrets.apply(target, desired);
    logger.info(current ? 'sync: secret already current' : 'sync: secret applied', {
      ...where,
      revision: delivery.revision,
      serialNumber: delivery.serialNumber,
    });
    return { target, ok: true, revision: delivery.revision, serialNumber: delivery.serialNumber };
  } catch (error) {
    // Anything that is not a decided terminal error (a bug, an unknown failure) gets retried.
    const transient = error instanceof TransientError || !(error instanceof CertflowError);
    logger.warn('sync: delivery failed', { ...where, transient, error: messageOf(error) });
    return { target, ok: false, error: messageOf(error), transient };
  }
}

function targetMessage(name: string, target: DeliveryTarget): DeliveryMessage {
  return { kind: 'target', name, target };
}

/** `items` through `work`, at most `limit` at a time, results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
