/**
 * What arrives on the sync's queue: EventBridge's `Certificate Issued` / `Certificate Renewed`
 * events as the rule delivers them, and certflow's own messages (one target to retry, one
 * certificate to reconcile, one page of the inventory to walk).
 */
import type { DeliveryTarget } from '../domain/spec.js';
import { DeliveryError } from '../errors.js';
import type { DeliveryMessage } from '../ports/delivery.js';

/** The EventBridge detail types that announce a new certificate. */
export const DELIVERY_EVENT_TYPES = ['Certificate Issued', 'Certificate Renewed'] as const;
/** The EventBridge source of certflow's events. */
export const DELIVERY_EVENT_SOURCE = 'certflow';
/** The message the periodic reconcile puts on the queue. */
export const RECONCILE_MESSAGE: DeliveryMessage = { kind: 'reconcile' };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

function targetOf(value: unknown): DeliveryTarget | undefined {
  if (!isObject(value)) return undefined;
  const { cluster, namespace, secretName } = value;
  return isText(cluster) && isText(namespace) && isText(secretName) ? { cluster, namespace, secretName } : undefined;
}

/**
 * Reads one queue message. Anything else (a stray or damaged message) is a `DeliveryError`; the
 * message is never quoted, in case someone put something secret on the queue.
 */
export function parseDeliveryMessage(body: string): DeliveryMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new DeliveryError('sync: a queue message is not JSON');
  }
  if (!isObject(value)) throw new DeliveryError('sync: a queue message is not a JSON object');
  if (value.source === DELIVERY_EVENT_SOURCE) {
    const type = value['detail-type'];
    const name = isObject(value.detail) ? value.detail.name : undefined;
    if ((DELIVERY_EVENT_TYPES as readonly unknown[]).includes(type) && isText(name))
      return { kind: 'certificate', name };
    throw new DeliveryError(`sync: certflow event ${JSON.stringify(String(type))} does not name a new certificate`);
  }
  if (value.kind === 'certificate' && isText(value.name)) return { kind: 'certificate', name: value.name };
  if (value.kind === 'target' && isText(value.name)) {
    const target = targetOf(value.target);
    if (target) return { kind: 'target', name: value.name, target };
  }
  if (value.kind === 'reconcile') {
    return isText(value.nextToken) ? { kind: 'reconcile', nextToken: value.nextToken } : { kind: 'reconcile' };
  }
  throw new DeliveryError('sync: a queue message is neither a certflow event nor a delivery message');
}

export function sameTarget(a: DeliveryTarget, b: DeliveryTarget): boolean {
  return a.cluster === b.cluster && a.namespace === b.namespace && a.secretName === b.secretName;
}
