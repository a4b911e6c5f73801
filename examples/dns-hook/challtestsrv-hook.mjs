/**
 * Example certflow DNS hook (contract version 1, see README "DNS hook solver") for a provider
 * with an HTTP API: pebble-challtestsrv's management API. A plain Node 22 ESM Lambda handler with
 * no dependencies; deploy it as `index.mjs` with handler `index.handler`.
 *
 * Environment:
 * - `CHALLTESTSRV_URL` (required): the management API, e.g. `http://10.0.0.5:8055`.
 * - `CHALLTESTSRV_DNS` (optional): its DNS server as `host:port`, read to learn which values a
 *   name holds before one is removed.
 *
 * challtestsrv can append a value (`/set-txt`) or clear a whole name (`/clear-txt`), nothing
 * finer. To remove only the given values, cleanUp clears the name and adds back the others. It
 * knows the others from DNS when `CHALLTESTSRV_DNS` is set, otherwise only those this container
 * wrote. Limits, stated plainly: without `CHALLTESTSRV_DNS`, a value another container presented
 * on the same name is lost when this one cleans up; and with it, two containers cleaning up the
 * same name at the same moment can still race (clear + re-add is not atomic). Invocations in one
 * container are serialized per name. A provider that can delete one value, or replace a record
 * set atomically, has neither limit: do that in a hook for a real provider.
 */
import { Resolver } from 'node:dns/promises';

/** Retried by certflow's state machine (the Lambda runtime reports `name` as `errorType`). */
class TransientError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TransientError';
  }
}

/** Values this container wrote, per `url|name`: all it knows without `CHALLTESTSRV_DNS`. */
const written = new Map();
/** Tail of the work queued per `url|name`, so that a clear and its re-adds never interleave. */
const queues = new Map();

export async function handler(event) {
  const url = (process.env.CHALLTESTSRV_URL ?? '').replace(/\/+$/, '');
  if (!url) throw new Error('challtestsrv-hook: CHALLTESTSRV_URL is not set');
  if (event?.version !== 1) throw new Error(`challtestsrv-hook: contract version ${event?.version} is not supported`);
  switch (event.action) {
    case 'present':
      await eachName(url, event.records, (name, values) => present(url, name, values));
      // challtestsrv serves a value as soon as it is set: nothing to wait for.
      return { changeIds: [] };
    case 'isPropagated':
      return { propagated: true };
    case 'cleanUp':
      await eachName(url, event.records, (name, values) => cleanUp(url, name, values));
      return {};
    default:
      throw new Error(`challtestsrv-hook: unknown action ${JSON.stringify(event.action)}`);
  }
}

async function present(url, name, values) {
  const current = await valuesOf(url, name);
  for (const value of values) {
    if (current.has(value)) continue;
    await post(url, '/set-txt', { host: `${name}.`, value });
    current.add(value);
    remember(url, name).add(value);
  }
}

async function cleanUp(url, name, values) {
  const current = await valuesOf(url, name);
  if (![...values].some((value) => current.has(value))) return;
  const rest = [...current].filter((value) => !values.has(value));
  await post(url, '/clear-txt', { host: `${name}.` });
  written.delete(`${url}|${name}`);
  for (const value of rest) {
    await post(url, '/set-txt', { host: `${name}.`, value });
    remember(url, name).add(value);
  }
}

function remember(url, name) {
  const key = `${url}|${name}`;
  if (!written.has(key)) written.set(key, new Set());
  return written.get(key);
}

/** What the name holds: from DNS when we can ask it, else what this container wrote. */
async function valuesOf(url, name) {
  const server = process.env.CHALLTESTSRV_DNS;
  if (!server) return new Set(written.get(`${url}|${name}`) ?? []);
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([server]);
  try {
    return new Set((await resolver.resolveTxt(name)).map((chunks) => chunks.join('')));
  } catch (error) {
    if (error.code === 'ENODATA' || error.code === 'ENOTFOUND') return new Set();
    throw new TransientError(`challtestsrv-hook: reading TXT "${name}" failed: ${error.message}`);
  }
}

/** Groups the records by lower-cased name and runs `work` once per name, serialized per name. */
async function eachName(url, records, work) {
  if (!Array.isArray(records)) throw new Error('challtestsrv-hook: records must be an array');
  const byName = new Map();
  for (const record of records) {
    if (typeof record?.name !== 'string' || typeof record?.value !== 'string') {
      throw new Error('challtestsrv-hook: every record needs a string name and value');
    }
    const name = record.name.replace(/\.$/, '').toLowerCase();
    byName.set(name, (byName.get(name) ?? new Set()).add(record.value));
  }
  await Promise.all(
    [...byName].map(([name, values]) => {
      const key = `${url}|${name}`;
      const next = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => work(name, values));
      queues.set(key, next);
      void next.finally(() => queues.get(key) === next && queues.delete(key)).catch(() => undefined);
      return next;
    }),
  );
}

/** Network failures and 5xx pass; a 4xx means the request itself is wrong and will stay wrong. */
async function post(url, path, body) {
  let response;
  try {
    response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    throw new TransientError(`challtestsrv-hook: ${path} for "${body.host}" failed: ${error.message}`);
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 500) {
    throw new TransientError(
      `challtestsrv-hook: ${path} for "${body.host}" answered ${response.status} ${text}`.trim(),
    );
  }
  if (!response.ok) {
    throw new Error(`challtestsrv-hook: ${path} for "${body.host}" answered ${response.status} ${text}`.trim());
  }
}
