/**
 * Properties of the HTTP API under hostile input: whatever a client sends, a malformed request is
 * answered 4xx with the offending field named, and leaves no trace (no record, no execution).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import type { ApiResponse } from '../../shared/api/http.js';
import { type ApiDependencies, handleApiRequest } from '../../shared/api/router.js';
import { LocalRenewalScheduler } from '../../shared/local/scheduler.js';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import type { IssuanceStarter, Revoker } from '../../shared/ports/executions.js';
import type { ExecutionInput } from '../../shared/ports/executions.js';
import { expectMatchesOpenApi } from '../support/openapi-validator.js';

/** Runs per property; the POST properties together make well over 1000 malformed requests. */
const RUNS = {
  validSpecs: 100,
  wrongTypes: 300,
  missingFields: 100,
  badDnsNames: 200,
  tooManyNames: 50,
  hugeBodies: 50,
  unicodeAndControls: 200,
  injections: 200,
  nonObjects: 100,
  invalidJson: 200,
  paths: 500,
} as const;
const MALFORMED_POST_RUNS =
  RUNS.wrongTypes +
  RUNS.missingFields +
  RUNS.badDnsNames +
  RUNS.tooManyNames +
  RUNS.hugeBodies +
  RUNS.unicodeAndControls +
  RUNS.injections +
  RUNS.nonObjects +
  RUNS.invalidJson;

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ISSUERS: IssuerConfig[] = [
  { kind: 'acme', name: 'letsencrypt', server: 'https://acme.test/dir', solvers: [{ dns01: { route53: {} } }] },
];
const MAX_BODY_BYTES = 64 * 1024;
// A V8 stack frame: `at fn (/path/file.js:1:2)` or `at file:///path/file.js:1:2`.
const STACK_FRAME = /\bat (?:[^\n]*? \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\s)]*:\d+/;

type Spec = Record<string, unknown>;

class RecordingStarter implements IssuanceStarter {
  readonly calls: { executionName: string; input: ExecutionInput }[] = [];
  readonly #seen = new Set<string>();

  async start(executionName: string, input: ExecutionInput): Promise<{ started: boolean; executionId?: string }> {
    this.calls.push({ executionName, input: structuredClone(input) });
    if (this.#seen.has(executionName)) return { started: false };
    this.#seen.add(executionName);
    return { started: true, executionId: executionName };
  }

  async describe(): Promise<{ status: 'MISSING' }> {
    return { status: 'MISSING' };
  }
}

class RecordingRevoker implements Revoker {
  readonly revoked: string[] = [];

  async revoke(name: string): Promise<void> {
    this.revoked.push(name);
  }
}

interface World {
  deps: ApiDependencies;
  inventory: MemoryInventory;
  issuance: RecordingStarter;
  revoker: RecordingRevoker;
}

function world(): World {
  const inventory = new MemoryInventory();
  const issuance = new RecordingStarter();
  const revoker = new RecordingRevoker();
  return {
    deps: {
      issuers: ISSUERS,
      inventory,
      clock: { now: () => new Date(NOW) },
      issuance,
      revoker,
      scheduler: new LocalRenewalScheduler(),
    },
    inventory,
    issuance,
    revoker,
  };
}

function errorOf(response: ApiResponse): { code: string; message: string; field?: string } {
  return (response.body as { error: { code: string; message: string; field?: string } }).error;
}

/** The answer is a client error in the documented shape, without a stack. */
function assertClientError(response: ApiResponse, context: string): void {
  assert.ok(response.status >= 400 && response.status < 500, `${context}: answered ${response.status}`);
  const body = response.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error'], `${context}: body is not {error}`);
  const error = errorOf(response);
  assert.equal(typeof error.code, 'string');
  assert.notEqual(error.code, '');
  assert.equal(typeof error.message, 'string');
  assert.notEqual(error.message, '');
  assert.deepEqual(
    Object.keys(error).filter((key) => !['code', 'message', 'field'].includes(key)),
    [],
    `${context}: unexpected keys in error`,
  );
  assert.doesNotMatch(JSON.stringify(body), STACK_FRAME, `${context}: stack trace in the answer`);
}

/**
 * POSTs `body` to a fresh service and checks everything a refusal must be: 4xx in the documented
 * shape, a field named (the expected one, when given), and nothing written or started.
 */
async function expectRefused(body: string | undefined, expectedField?: string): Promise<ApiResponse> {
  const { deps, inventory, issuance } = world();
  const response = await handleApiRequest({ method: 'POST', path: '/certificates', query: {}, body }, deps);
  const context = `POST /certificates ${body === undefined ? '(no body)' : JSON.stringify(body.slice(0, 300))}`;
  assertClientError(response, context);
  expectMatchesOpenApi('POST', '/certificates', response.status, response.body);
  const { field } = errorOf(response);
  assert.equal(typeof field, 'string', `${context}: no field named`);
  assert.notEqual(field, '', `${context}: empty field`);
  if (response.status === 413) assert.equal(field, 'body', `${context}: 413 must name body`);
  if (expectedField !== undefined) assert.equal(field, expectedField, `${context}: ${errorOf(response).message}`);
  assert.deepEqual(issuance.calls, [], `${context}: an execution was started`);
  assert.deepEqual((await inventory.list()).items, [], `${context}: something was written`);
  return response;
}

// ─── Arbitraries ─────────────────────────────────────────────────────────────────────────────

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hostname = fc
  .tuple(label, fc.constantFrom('example.com', 'example.org', 'test'))
  .map(([first, rest]) => `${first}.${rest}`);
const printable = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 64 }).filter((s) => /^[ -~]+$/.test(s));

/** Specs the API accepts, with a selection of optional fields; each property breaks one thing. */
const validSpec: fc.Arbitrary<Spec> = fc
  .record({
    name: label,
    dnsNames: fc.uniqueArray(hostname, { minLength: 1, maxLength: 5 }),
    optional: fc.record(
      {
        // An ACME issuer needs the CN among the DNS names: the map below picks one of them.
        commonName: fc.constant(true),
        duration: fc.constantFrom('2160h', '720h', '24h', '1h30m'),
        renewal: fc.oneof(
          fc.record({ renewBefore: fc.constantFrom('1h', '30m') }),
          fc.record({ renewBeforePercentage: fc.integer({ min: 1, max: 99 }) }),
        ),
        privateKey: fc.constantFrom<Spec>(
          { algorithm: 'RSA', size: 2048 },
          { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' },
          { algorithm: 'Ed25519' },
          { rotationPolicy: 'Never' },
        ),
        usages: fc.subarray(['digital signature', 'key encipherment', 'server auth', 'client auth']),
        isCA: fc.boolean(),
        subject: fc.record({ organizations: fc.array(printable, { maxLength: 2 }) }),
        secretTemplate: fc.constant({ labels: { app: 'web' }, annotations: { note: 'managed by certflow' } }),
        targets: fc.constant([{ cluster: 'prod-eu', namespace: 'default', secretName: 'web-tls' }]),
        additionalOutputFormats: fc.subarray([{ type: 'CombinedPEM' }, { type: 'DER' }]),
      },
      { requiredKeys: [] },
    ),
  })
  .map(({ name, dnsNames, optional: { renewal, commonName, ...optional } }) => ({
    name,
    issuerRef: { name: 'letsencrypt' },
    dnsNames,
    ...(commonName ? { commonName: dnsNames[0] } : {}),
    ...optional,
    ...renewal,
  }));

/** A place in the spec and how to put a value there; `field` is what the API must name. */
interface Slot {
  field: string;
  kind: 'string' | 'array' | 'object' | 'boolean' | 'integer';
  set(spec: Spec, value: unknown): void;
}

const SLOTS: Slot[] = [
  { field: 'name', kind: 'string', set: (s, v) => (s.name = v) },
  { field: 'issuerRef', kind: 'object', set: (s, v) => (s.issuerRef = v) },
  { field: 'issuerRef.name', kind: 'string', set: (s, v) => (s.issuerRef = { name: v }) },
  ...(['dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'usages'] as const).flatMap((key): Slot[] => [
    { field: key, kind: 'array', set: (s, v) => (s[key] = v) },
    { field: `${key}[0]`, kind: 'string', set: (s, v) => (s[key] = [v]) },
  ]),
  { field: 'commonName', kind: 'string', set: (s, v) => (s.commonName = v) },
  { field: 'subject', kind: 'object', set: (s, v) => (s.subject = v) },
  { field: 'subject.organizations', kind: 'array', set: (s, v) => (s.subject = { organizations: v }) },
  { field: 'subject.organizations[0]', kind: 'string', set: (s, v) => (s.subject = { organizations: [v] }) },
  { field: 'subject.serialNumber', kind: 'string', set: (s, v) => (s.subject = { serialNumber: v }) },
  { field: 'duration', kind: 'string', set: (s, v) => (s.duration = v) },
  {
    field: 'renewBefore',
    kind: 'string',
    set: (s, v) => {
      delete s.renewBeforePercentage;
      s.renewBefore = v;
    },
  },
  {
    field: 'renewBeforePercentage',
    kind: 'integer',
    set: (s, v) => {
      delete s.renewBefore;
      s.renewBeforePercentage = v;
    },
  },
  { field: 'privateKey', kind: 'object', set: (s, v) => (s.privateKey = v) },
  { field: 'privateKey.algorithm', kind: 'string', set: (s, v) => (s.privateKey = { algorithm: v }) },
  { field: 'privateKey.size', kind: 'integer', set: (s, v) => (s.privateKey = { size: v }) },
  { field: 'privateKey.encoding', kind: 'string', set: (s, v) => (s.privateKey = { encoding: v }) },
  { field: 'privateKey.rotationPolicy', kind: 'string', set: (s, v) => (s.privateKey = { rotationPolicy: v }) },
  { field: 'isCA', kind: 'boolean', set: (s, v) => (s.isCA = v) },
  { field: 'secretTemplate', kind: 'object', set: (s, v) => (s.secretTemplate = v) },
  { field: 'secretTemplate.labels', kind: 'object', set: (s, v) => (s.secretTemplate = { labels: v }) },
  { field: 'secretTemplate.labels["app"]', kind: 'string', set: (s, v) => (s.secretTemplate = { labels: { app: v } }) },
  { field: 'secretTemplate.annotations', kind: 'object', set: (s, v) => (s.secretTemplate = { annotations: v }) },
  {
    field: 'secretTemplate.annotations["note"]',
    kind: 'string',
    set: (s, v) => (s.secretTemplate = { annotations: { note: v } }),
  },
  { field: 'targets', kind: 'array', set: (s, v) => (s.targets = v) },
  { field: 'targets[0]', kind: 'object', set: (s, v) => (s.targets = [v]) },
  ...(['cluster', 'namespace', 'secretName'] as const).map((key): Slot => ({
    field: `targets[0].${key}`,
    kind: 'string',
    set: (s, v) => (s.targets = [{ cluster: 'prod-eu', namespace: 'default', secretName: 'web-tls', [key]: v }]),
  })),
  { field: 'additionalOutputFormats', kind: 'array', set: (s, v) => (s.additionalOutputFormats = v) },
  { field: 'additionalOutputFormats[0]', kind: 'object', set: (s, v) => (s.additionalOutputFormats = [v]) },
  {
    field: 'additionalOutputFormats[0].type',
    kind: 'string',
    set: (s, v) => (s.additionalOutputFormats = [{ type: v }]),
  },
];

// `null` is left out on purpose: the API treats a null field as absent, as Kubernetes does.
const aString = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('true', '1', '50', '2048', '[]', '{}'));
const aNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1, -1, 2048, 1e308),
);
const anArray = fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 });
const anObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
const WRONG: Record<Slot['kind'], fc.Arbitrary<unknown>> = {
  string: fc.oneof(aNumber, fc.boolean(), anArray, anObject),
  array: fc.oneof(aString, aNumber, fc.boolean(), anObject),
  object: fc.oneof(aString, aNumber, fc.boolean(), anArray),
  boolean: fc.oneof(aString, aNumber, anArray, anObject),
  integer: fc.oneof(
    aString,
    fc.boolean(),
    anArray,
    anObject,
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  ),
};

/** A hostname as certificates allow it (RFC 1123, optional leading `*.`), checked independently of the API. */
function looksLikeHostname(name: string): boolean {
  const hostLabel = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  return name.length <= 253 && new RegExp(`^(\\*\\.)?${hostLabel}(\\.${hostLabel})*$`).test(name);
}

const badDnsName = fc.oneof(
  fc.constantFrom(
    '*.*.x',
    '*.*.example.com',
    'a..b',
    'web..example.com',
    '',
    ' ',
    'a b.example.com',
    ' web.example.com',
    'web.example.com ',
    'web.example.com.',
    '.example.com',
    '-web.example.com',
    'web-.example.com',
    'web.*.example.com',
    '*',
    '*.',
    'web_1.example.com',
    'exämple.com',
    'пример.рф',
    '例え.jp',
    '💩.la',
    'ｗｅｂ.example.com',
    'web.example.com\u200b',
    'web\u0000.example.com',
    'web\n.example.com',
    'web.example.com:443',
    'https://web.example.com',
    'web.example.com/path',
    `${'a'.repeat(64)}.example.com`,
    Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.'),
  ),
  fc.integer({ min: 64, max: 300 }).map((n) => `${'x'.repeat(n)}.example.com`),
  fc
    .integer({ min: 5, max: 40 })
    .map((n) => Array.from({ length: n }, (_, i) => `label${i}`.padEnd(60, 'x')).join('.')),
  fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !looksLikeHostname(s)),
  fc
    .tuple(label, fc.constantFrom(' ', '_', '..', '/', '@', '%', '\t', '\u00a0', 'é', '\\', '*'), label)
    .map(([a, bad, b]) => `${a}${bad}${b}.example.com`),
);

const CONTROL_CHARS = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(0x7f + i)),
];
const NON_ASCII = fc.oneof(
  // Escaped so that no editor folds a look-alike into ASCII: é ß İ ﬁ, fullwidth a, Cyrillic a, Kelvin K.
  fc.constantFrom(
    '\u00e9',
    '\u00df',
    '\u0130',
    '\ufb01',
    '\uff41',
    '\u0430',
    '\u212a',
    '\u200b',
    '\u202e',
    '\ufeff',
    '\ud800',
    '\udfff',
    '💩',
    '漢',
    '\u00a0',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c.codePointAt(0)! > 0x7e),
);
/** Slots whose rules allow only ASCII, so that any other character must be refused there. */
const ASCII_ONLY_SLOTS = SLOTS.filter((slot) =>
  [
    'name',
    'issuerRef.name',
    'dnsNames[0]',
    'usages[0]',
    'privateKey.algorithm',
    'privateKey.encoding',
    'privateKey.rotationPolicy',
    'secretTemplate.labels["app"]',
    'targets[0].cluster',
    'targets[0].namespace',
    'targets[0].secretName',
    'additionalOutputFormats[0].type',
  ].includes(slot.field),
);
const STRING_SLOTS = SLOTS.filter((slot) => slot.kind === 'string');

const INJECTIONS = [
  "'; DROP TABLE certificates; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}',
  '${7*7}',
  '${jndi:ldap://x}',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '$(rm -rf /)',
  '`id`',
  '%00',
  '%2e%2e%2f',
  '{"$gt": ""}',
  '\r\nX-Injected: 1',
];
/** Keys that reach the prototype chain when assigned naively. */
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ...INJECTIONS];
/** Slots where none of the injection strings is a legal value. */
const INJECTION_SLOTS = SLOTS.filter((slot) =>
  [
    'name',
    'issuerRef.name',
    'dnsNames[0]',
    'usages[0]',
    'duration',
    'renewBefore',
    'privateKey.algorithm',
    'privateKey.encoding',
    'privateKey.rotationPolicy',
    'secretTemplate.labels["app"]',
    'targets[0].cluster',
    'targets[0].namespace',
    'targets[0].secretName',
    'additionalOutputFormats[0].type',
  ].includes(slot.field),
);

/** Objects that refuse unknown keys, how to reach them, and the field named for an extra key. */
const CLOSED_OBJECTS: { field: string; with(spec: Spec, key: string, value: unknown): void }[] = [
  { field: 'spec', with: (s, k, v) => define(s, k, v) },
  { field: 'issuerRef', with: (s, k, v) => (s.issuerRef = define({ name: 'letsencrypt' }, k, v)) },
  { field: 'privateKey', with: (s, k, v) => (s.privateKey = define({}, k, v)) },
  { field: 'subject', with: (s, k, v) => (s.subject = define({}, k, v)) },
  { field: 'secretTemplate', with: (s, k, v) => (s.secretTemplate = define({}, k, v)) },
  {
    field: 'targets[0]',
    with: (s, k, v) =>
      (s.targets = [define({ cluster: 'prod-eu', namespace: 'default', secretName: 'web-tls' }, k, v)]),
  },
  {
    field: 'additionalOutputFormats[0]',
    with: (s, k, v) => (s.additionalOutputFormats = [define({ type: 'DER' }, k, v)]),
  },
];

/** An own, enumerable property, even for `__proto__`, so that JSON.stringify writes it. */
function define<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

function mutate(base: Spec, slot: { set(spec: Spec, value: unknown): void }, value: unknown): string {
  const spec = structuredClone(base);
  slot.set(spec, value);
  return JSON.stringify(spec);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// ─── Properties ──────────────────────────────────────────────────────────────────────────────

describe('Route: POST /certificates (properties)', () => {
  it('makes the run counts of the malformed-request properties add up to at least 1000', () => {
    assert.ok(MALFORMED_POST_RUNS >= 1000, `${MALFORMED_POST_RUNS} runs`);
  });

  it(`accepts every generated valid spec, so that each mutation below is what breaks it (${RUNS.validSpecs} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, async (spec) => {
        const { deps } = world();
        const response = await handleApiRequest(
          { method: 'POST', path: '/certificates', query: {}, body: JSON.stringify(spec) },
          deps,
        );
        assert.equal(response.status, 202, JSON.stringify(response.body));
      }),
      { numRuns: RUNS.validSpecs },
    );
  });

  it(`refuses a value of the wrong type in any field, naming that field (${RUNS.wrongTypes} runs)`, async () => {
    const slotAndValue = fc.constantFrom(...SLOTS).chain((slot) => fc.tuple(fc.constant(slot), WRONG[slot.kind]));
    await fc.assert(
      fc.asyncProperty(validSpec, slotAndValue, async (base, [slot, value]) => {
        await expectRefused(mutate(base, slot, value), slot.field);
      }),
      { numRuns: RUNS.wrongTypes },
    );
  });

  it(`refuses a spec missing a required field, naming the first one missing (${RUNS.missingFields} runs)`, async () => {
    const REQUIRED = ['name', 'issuerRef', 'issuerRef.name', 'dnsNames'] as const;
    const drop = fc.uniqueArray(fc.constantFrom(...REQUIRED), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(validSpec, drop, fc.boolean(), async (base, dropped, asNull) => {
        const spec = structuredClone(base);
        // A null field counts as absent, so both spellings of "missing" must be refused alike.
        const remove = (obj: Spec, key: string) => (asNull ? (obj[key] = null) : delete obj[key]);
        if (dropped.includes('name')) remove(spec, 'name');
        if (dropped.includes('issuerRef.name')) remove(spec.issuerRef as Spec, 'name');
        if (dropped.includes('issuerRef')) remove(spec, 'issuerRef');
        if (dropped.includes('dnsNames')) {
          for (const key of ['dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'commonName']) remove(spec, key);
        }
        const expected = REQUIRED.find(
          (field) => dropped.includes(field) && !(field === 'issuerRef.name' && dropped.includes('issuerRef')),
        );
        await expectRefused(JSON.stringify(spec), expected);
      }),
      { numRuns: RUNS.missingFields },
    );
  });

  it(`refuses a bad DNS name anywhere in dnsNames, naming its index (${RUNS.badDnsNames} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, badDnsName, fc.nat(), async (base, bad, at) => {
        const names = [...(base.dnsNames as string[])];
        const index = at % (names.length + 1);
        names.splice(index, 0, bad);
        await expectRefused(JSON.stringify({ ...base, dnsNames: names }), `dnsNames[${index}]`);
      }),
      { numRuns: RUNS.badDnsNames },
    );
  });

  it(`refuses more than 100 names in all, up to 1000 (${RUNS.tooManyNames} runs)`, async () => {
    const count = fc.oneof(fc.constant(1000), fc.constant(101), fc.integer({ min: 101, max: 1000 }));
    const shares = fc.tuple(fc.nat(100), fc.nat(100), fc.nat(100));
    await fc.assert(
      fc.asyncProperty(validSpec, count, shares, async (base, total, [ip, uri, email]) => {
        // Spread the names over the four lists: the limit is on their sum.
        const ipCount = Math.min(ip, 250);
        const uriCount = Math.min(uri, total - ipCount);
        const emailCount = Math.min(email, total - ipCount - uriCount);
        const dnsCount = total - ipCount - uriCount - emailCount;
        const spec = {
          ...base,
          dnsNames: Array.from({ length: dnsCount }, (_, i) => `host${i}.example.com`),
          ipAddresses: Array.from({ length: ipCount }, (_, i) => `192.0.2.${i}`),
          uris: Array.from({ length: uriCount }, (_, i) => `spiffe://cluster.local/ns/default/sa/sa${i}`),
          emailAddresses: Array.from({ length: emailCount }, (_, i) => `user${i}@example.com`),
        };
        const response = await expectRefused(JSON.stringify(spec), 'dnsNames');
        assert.equal(response.status, 400);
      }),
      { numRuns: RUNS.tooManyNames },
    );
  });

  it(`answers 413 naming body to anything over 64 KiB, before reading it (${RUNS.hugeBodies} runs)`, async () => {
    const huge = fc.oneof(
      // A valid spec padded with whitespace: only the size is wrong.
      fc.tuple(validSpec, fc.integer({ min: 1, max: 200_000 })).map(([spec, extra]) => {
        const json = JSON.stringify(spec);
        return json + ' '.repeat(MAX_BODY_BYTES - json.length + extra);
      }),
      // Fewer than 64 Ki characters, but more than 64 KiB of UTF-8.
      fc.tuple(validSpec, fc.constantFrom('€', 'é', '💩', '漢')).map(([spec, char]) => {
        const bytes = Buffer.byteLength(char, 'utf8');
        const count = Math.ceil((MAX_BODY_BYTES + 1) / bytes);
        return JSON.stringify({ ...spec, commonName: char.repeat(count) });
      }),
      // Garbage that is not even JSON.
      fc.integer({ min: MAX_BODY_BYTES + 1, max: 300_000 }).map((n) => '{'.repeat(n)),
      fc
        .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 100_000 }))
        .map(([chunk, extra]) => chunk.repeat(Math.ceil((MAX_BODY_BYTES + extra) / Buffer.byteLength(chunk, 'utf8')))),
    );
    await fc.assert(
      fc.asyncProperty(huge, async (body) => {
        assert.ok(Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES);
        const response = await expectRefused(body, 'body');
        assert.equal(response.status, 413);
      }),
      { numRuns: RUNS.hugeBodies },
    );
  });

  it(`refuses control characters in any string and non-ASCII where only ASCII is allowed (${RUNS.unicodeAndControls} runs)`, async () => {
    const control = fc
      .tuple(
        fc.constantFrom(...STRING_SLOTS),
        fc.string({ maxLength: 10 }),
        fc.constantFrom(...CONTROL_CHARS),
        fc.string({ maxLength: 10 }),
      )
      .map(([slot, before, char, after]) => ({ slot, value: `${before}${char}${after}` }));
    const unicode = fc
      .tuple(fc.constantFrom(...ASCII_ONLY_SLOTS), label, NON_ASCII, label)
      .map(([slot, before, char, after]) => ({ slot, value: `${before}${char}${after}` }));
    await fc.assert(
      fc.asyncProperty(validSpec, fc.oneof(control, unicode), async (base, { slot, value }) => {
        await expectRefused(mutate(base, slot, value), slot.field);
      }),
      { numRuns: RUNS.unicodeAndControls },
    );
  });

  it(`refuses injection strings as values and as keys, and pollutes no prototype (${RUNS.injections} runs)`, async () => {
    const asValue = fc
      .tuple(fc.constantFrom(...INJECTION_SLOTS), fc.constantFrom(...INJECTIONS))
      .map(([slot, value]) => ({ build: (base: Spec) => mutate(base, slot, value), field: slot.field }));
    const asIssuer = fc
      .constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype')
      .map((name) => ({
        build: (base: Spec) => JSON.stringify({ ...base, issuerRef: { name } }),
        field: 'issuerRef.name',
      }));
    const asKey = fc
      .tuple(fc.constantFrom(...CLOSED_OBJECTS), fc.constantFrom(...DANGEROUS_KEYS), fc.jsonValue({ maxDepth: 2 }))
      .map(([target, key, value]) => ({
        build: (base: Spec) => {
          const spec = structuredClone(base);
          // A value shaped to do harm if it ever reached Object.prototype.
          target.with(spec, key, value ?? { isCA: true, polluted: true });
          return JSON.stringify(spec);
        },
        field: target.field,
      }));
    const asLabelKey = fc
      .tuple(fc.constantFrom('labels', 'annotations'), fc.constantFrom('__proto__', ...INJECTIONS))
      .map(([kind, key]) => ({
        build: (base: Spec) => JSON.stringify({ ...base, secretTemplate: { [kind]: define({}, key, 'x') } }),
        field: `secretTemplate.${kind}[${JSON.stringify(key)}]`,
      }));
    await fc.assert(
      fc.asyncProperty(validSpec, fc.oneof(asValue, asIssuer, asKey, asLabelKey), async (base, { build, field }) => {
        await expectRefused(build(base), field);
        const probe: Record<string, unknown> = {};
        assert.equal(probe.polluted, undefined, 'Object.prototype was polluted');
        assert.equal(probe.isCA, undefined, 'Object.prototype was polluted');
      }),
      { numRuns: RUNS.injections },
    );
  });

  it(`refuses JSON that is not an object, naming spec (${RUNS.nonObjects} runs)`, async () => {
    const depth = fc.integer({ min: 1, max: 30_000 });
    const notAnObject = fc.oneof(
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }).map((v) => JSON.stringify(v)),
      validSpec.map((spec) => JSON.stringify([spec])),
      fc.integer().map((v) => JSON.stringify(v)),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => JSON.stringify(v)),
      fc.boolean().map((v) => JSON.stringify(v)),
      fc.constant('null'),
      fc.string({ maxLength: 50 }).map((v) => JSON.stringify(v)),
      // Deep nesting well within the size limit: no recursion may overflow the stack.
      depth.map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    );
    await fc.assert(
      fc.asyncProperty(notAnObject, async (body) => {
        await expectRefused(body, 'spec');
      }),
      { numRuns: RUNS.nonObjects },
    );
  });

  it(`refuses a body that is not JSON at all, naming body (${RUNS.invalidJson} runs)`, async () => {
    const notJson = fc.oneof(
      fc.constantFrom(
        undefined,
        '',
        '   ',
        '\n\t',
        "{'name':'web'}",
        '{name: "web"}',
        '{"name":"web",}',
        '[1,]',
        'NaN',
        'Infinity',
        'undefined',
        'tru',
        '01',
        '.5',
        '0x10',
        '"\\x41"',
        '"\t"',
        '{"a":1}{"b":2}',
        '\ufeff{}',
        '/* comment */ {}',
        '{"name":"web"} // comment',
        '-----BEGIN PRIVATE KEY-----',
        'name=web&dnsNames=web.example.com',
        '<certificate name="web"/>',
      ),
      validSpec.chain((spec) => {
        const json = JSON.stringify(spec);
        return fc.integer({ min: 1, max: json.length - 1 }).map((end) => json.slice(0, end));
      }),
      fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => !isJson(s)),
      fc.string({ maxLength: 200 }).filter((s) => !isJson(s)),
    );
    await fc.assert(
      fc.asyncProperty(notJson, async (body) => {
        await expectRefused(body, 'body');
      }),
      { numRuns: RUNS.invalidJson },
    );
  });
});

describe('Routes: /certificates/{name} (properties)', () => {
  it(`never answers 5xx to any path segment, method or revoke value, and changes nothing when it refuses (${RUNS.paths} runs)`, async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'web',
        'WEB',
        '',
        '.',
        '..',
        '%',
        '%zz',
        '%2F',
        '%2e%2e',
        '%00',
        '%E0%A4%A',
        '%ED%A0%80',
        '%C0%AF',
        'web%20',
        'a'.repeat(64),
        '__proto__',
        'constructor',
        '${jndi:ldap://x}',
        '<script>',
      ),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ maxLength: 80 }).map((s) => encodeURIComponent(s)),
      fc.webSegment(),
    );
    const suffix = fc.constantFrom('', '/', '/events', '/renew', '/renew/', '/x', '//');
    const method = fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'get', 'delete');
    const revoke = fc.option(
      fc.oneof(fc.constantFrom('true', 'false', 'TRUE', '1', ''), fc.string({ maxLength: 10 })),
      {
        nil: undefined,
      },
    );
    await fc.assert(
      fc.asyncProperty(segment, suffix, method, revoke, async (name, tail, verb, revokeValue) => {
        const { deps, inventory, issuance, revoker } = world();
        const created = await handleApiRequest(
          {
            method: 'POST',
            path: '/certificates',
            query: {},
            body: JSON.stringify({ name: 'web', issuerRef: { name: 'letsencrypt' }, dnsNames: ['web.example.com'] }),
          },
          deps,
        );
        assert.equal(created.status, 202);
        const before = await inventory.get('web');
        const path = `/certificates/${name}${tail}`;
        const response = await handleApiRequest({ method: verb, path, query: { revoke: revokeValue } }, deps);
        const context = `${verb} ${JSON.stringify(path)} revoke=${JSON.stringify(revokeValue)}`;
        assert.ok(response.status < 500, `${context}: answered ${response.status} ${JSON.stringify(response.body)}`);
        if (response.status >= 400) {
          assertClientError(response, context);
          assert.equal(issuance.calls.length, 1, `${context}: an execution was started`);
          assert.deepEqual(revoker.revoked, [], `${context}: something was revoked`);
          assert.deepEqual(await inventory.get('web'), before, `${context}: the certificate changed`);
        }
      }),
      { numRuns: RUNS.paths },
    );
  });
});
