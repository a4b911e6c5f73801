/**
 * Finalize: makes the private key, keeps it in a temporary secret, and sends the CSR. The key is
 * written before the CA is asked, so a Lambda that dies after finalizing still has its key; an
 * order the CA already finalized (`processing`/`valid`) is left as it is.
 */
import { createCsr } from '../domain/csr.js';
import { Reasons, appendEvent } from '../domain/status.js';
import { AcmeError } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import { DEFAULT_DELAYS, nextPoll, orderSession } from './context.js';
import type { StepDependencies } from './dependencies.js';
import { keyEvent, privateKeyFor } from './private-key.js';
import type { IssuanceState } from './state.js';

export async function finalize(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'acme' | 'store' | 'inventory' | 'clock'>,
): Promise<IssuanceState> {
  const { acme, session } = await orderSession(deps, state, 'finalize');
  const order = await session.getOrder(acme.orderUrl);
  const { poll: _poll, ...rest } = state;
  if (order.status === 'processing' || order.status === 'valid') {
    logger.info('order already finalized', { certificate: state.name, status: order.status });
    return { ...rest, poll: nextPoll(undefined, order.status === 'valid', DEFAULT_DELAYS.order) };
  }
  if (order.status !== 'ready') {
    const detail = order.error?.detail ?? `order is ${order.status}, not ready`;
    throw new AcmeError(`acme: cannot finalize the order of "${state.name}": ${detail}`, order.error?.type);
  }
  const { keyPem, reused } = await privateKeyFor(state.spec, deps.store);
  await deps.store.putPendingKey(state.name, state.issuanceId, keyPem);
  const finalized = await session.finalize(order, await createCsr(state.spec, keyPem));
  await updateRecord(deps.inventory, deps.clock, state.name, (record, now) => ({
    ...record,
    events: appendEvent(
      appendEvent(record.events, keyEvent(reused), now),
      { type: 'Normal', reason: Reasons.Requested, message: 'Created new CertificateRequest' },
      now,
    ),
  }));
  logger.info('order finalized', { certificate: state.name, status: finalized.status, keyReused: reused });
  return { ...rest, poll: nextPoll(undefined, finalized.status === 'valid', DEFAULT_DELAYS.order) };
}
