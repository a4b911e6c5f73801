/**
 * The certificate resource: apply a spec, read it and its events, renew now, stop managing.
 * Every input is validated before anything is written; each handler answers plain JSON.
 */
import { Reasons } from '../domain/status.js';
import { ValidationError } from '../errors.js';
import { admitSpec } from '../certificates/admission.js';
import { revisionExecutionName, renewalExecutionName } from '../certificates/executions.js';
import { applySpec, deleteLatest, getRecord } from '../inventory/records.js';
import { liveLease } from '../certificates/lease.js';
import type { Clock } from '../ports/clock.js';
import type { Inventory } from '../ports/inventory.js';
import type { IssuanceStarter, RenewalScheduler, Revoker } from '../ports/executions.js';
import type { IssuerConfig } from '../issuers/registry.js';
import { type ApiResponse, HttpError, json } from './http.js';
import { certificateView } from './views.js';

export interface ApiDependencies {
  issuers: readonly IssuerConfig[];
  inventory: Inventory;
  clock: Clock;
  issuance: IssuanceStarter;
  revoker: Revoker;
  scheduler: RenewalScheduler;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Checks a `{name}` path segment; a malformed one can name no certificate. */
export function checkName(name: string): string {
  if (!NAME.test(name)) throw new ValidationError('name', `"${name.slice(0, 80)}" is not a valid certificate name`);
  return name;
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '')
    throw new HttpError(400, 'ValidationFailed', 'body: a certificate spec (JSON) is required', 'body');
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError(400, 'ValidationFailed', 'body: is not valid JSON', 'body');
  }
}

/** `POST /certificates`: creates or updates; a changed spec starts one issuance for its revision. */
export async function applyCertificate(body: string | undefined, deps: ApiDependencies): Promise<ApiResponse> {
  const { spec } = admitSpec(parseBody(body), deps.issuers);
  const { record, changed } = await applySpec(deps.inventory, deps.clock, spec);
  // Started by name: a retried or concurrent apply of the same revision finds it already there.
  const reason = record.revision > 1 ? 'SpecChanged' : Reasons.Issuing;
  const { started } = await deps.issuance.start(revisionExecutionName(record), {
    name: record.name,
    reason,
  });
  const headers = { location: `/certificates/${record.name}` };
  return json(changed || started ? 202 : 200, certificateView(record), headers);
}

/** `GET /certificates`: one page, in name order. */
export async function listCertificates(
  query: Record<string, string | undefined>,
  deps: ApiDependencies,
): Promise<ApiResponse> {
  let limit: number | undefined;
  if (query.limit !== undefined) {
    // Digits only: Number() would also take ' 5 ', '1e2' and '0x10'.
    limit = /^[1-9][0-9]{0,3}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= 1 && limit <= 1000)) throw new ValidationError('limit', 'must be an integer from 1 to 1000');
  }
  const page = await deps.inventory.list({ limit, nextToken: query.nextToken });
  return json(200, {
    items: page.items.map(certificateView),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
}

export async function getCertificate(name: string, deps: ApiDependencies): Promise<ApiResponse> {
  return json(200, certificateView(await getRecord(deps.inventory, checkName(name))));
}

/** `GET /certificates/{name}/events`: the `describe` view, oldest first. */
export async function certificateEvents(name: string, deps: ApiDependencies): Promise<ApiResponse> {
  return json(200, (await getRecord(deps.inventory, checkName(name))).events);
}

/**
 * `POST /certificates/{name}/renew`: issue now, like `cmctl renew`. While an issuance holds the
 * certificate it is a no-op (as cert-manager's renew of a certificate already issuing): 202 with
 * the certificate as it stands, `Issuing=True`, nothing started.
 */
export async function renewCertificate(name: string, deps: ApiDependencies): Promise<ApiResponse> {
  const record = await getRecord(deps.inventory, checkName(name));
  if (liveLease(record, deps.clock.now())) return json(202, certificateView(record));
  await deps.issuance.start(renewalExecutionName(record, deps.clock.now()), {
    name: record.name,
    reason: 'ManuallyTriggered',
  });
  return json(202, certificateView(record));
}

/**
 * `DELETE /certificates/{name}`: stop managing it, and its renewal schedule. The secret is kept (as cert-manager keeps the
 * Secret), so nothing serving it breaks; `?revoke=true` also revokes it at the CA first.
 */
export async function deleteCertificate(
  name: string,
  query: Record<string, string | undefined>,
  deps: ApiDependencies,
): Promise<ApiResponse> {
  const revoke = query.revoke;
  if (revoke !== undefined && revoke !== 'true' && revoke !== 'false')
    throw new ValidationError('revoke', 'must be true or false');
  const record = await getRecord(deps.inventory, checkName(name));
  const revoked = revoke === 'true' && Boolean(record.status.secretArn);
  if (revoked) {
    // The revoker deletes the record and the schedule itself once the CA revoked, so a caller
    // that gives up (API Gateway answers 504 after 29 s) still leaves no revoked certificate
    // managed; deleting here again is a no-op then.
    await deps.revoker.revoke(record.name);
    await deleteLatest(deps.inventory, record.name);
  } else {
    await deps.inventory.delete(record.name, record.version);
  }
  // After the record: a schedule that fires for a deleted certificate finds nothing to do.
  await deps.scheduler.cancel(record.name);
  return json(200, { name: record.name, deleted: true, revoked });
}
