import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import { applyCertificate } from '../../shared/api/certificates.js';
import { handleApiRequest } from '../../shared/api/router.js';
import { admitSpec, requireIssuer } from '../../shared/certificates/admission.js';
import { ValidationError } from '../../shared/errors.js';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import { applySpec } from '../../shared/inventory/records.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { IssuanceStarter, RenewalScheduler, Revoker } from '../../shared/ports/executions.js';
import { prepare } from '../../shared/steps/prepare.js';
import { validateSpec } from '../../shared/domain/validate-spec.js';

const clock: Clock = { now: () => new Date('2026-03-01T12:00:00.000Z') };
const ISSUERS: IssuerConfig[] = [
  { kind: 'acme', name: 'letsencrypt', server: 'https://acme.test/dir', solvers: [{ dns01: { route53: {} } }] },
  { kind: 'selfSigned', name: 'selfsigned' },
];
const UNKNOWN_ISSUER = 'issuerRef.name: issuer "zerossl" is not configured (known: letsencrypt, selfsigned)';

function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'web', issuerRef: { name: 'letsencrypt' }, dnsNames: ['web.example.com'], ...overrides };
}

/** A `ValidationError` on `field` with exactly `message`. */
function refusal(field: string, message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.equal(error.message, message);
    return true;
  };
}

describe('Function: admitSpec', () => {
  it('returns the validated spec and its issuer', () => {
    const { spec: admitted, issuer } = admitSpec(spec(), ISSUERS);
    assert.deepEqual(admitted, validateSpec(spec()));
    assert.equal(issuer, ISSUERS[0]);
  });

  it('refuses an invalid spec before looking for its issuer', () => {
    assert.throws(() => admitSpec(spec({ dnsNames: 'web', issuerRef: { name: 'zerossl' } }), ISSUERS), {
      name: 'ValidationError',
      field: 'dnsNames',
    });
  });

  it('refuses an issuer that is not configured, naming the configured ones', () => {
    assert.throws(
      () => admitSpec(spec({ issuerRef: { name: 'zerossl' } }), ISSUERS),
      refusal('issuerRef.name', UNKNOWN_ISSUER),
    );
  });

  it('refuses identifiers the issuer cannot prove', () => {
    assert.throws(() => admitSpec(spec({ ipAddresses: ['192.0.2.10'] }), ISSUERS), {
      name: 'ValidationError',
      field: 'ipAddresses',
    });
  });

  it('refuses, for an ACME issuer, a name whose _acme-challenge record would pass 253 characters', () => {
    const label = 'a'.repeat(63);
    // 237 characters: _acme-challenge. (16) + 237 = 253, the longest record DNS allows.
    const longest = `${label}.${label}.${label}.${'b'.repeat(41)}.com`;
    assert.equal(longest.length, 237);
    assert.equal(admitSpec(spec({ dnsNames: [longest] }), ISSUERS).spec.dnsNames[0], longest);
    assert.equal(admitSpec(spec({ dnsNames: [`*.${longest}`] }), ISSUERS).spec.dnsNames[0], `*.${longest}`);
    const tooLong = `${label}.${label}.${label}.${'b'.repeat(42)}.com`;
    assert.throws(
      () => admitSpec(spec({ dnsNames: ['ok.example.com', tooLong] }), ISSUERS),
      (e: Error & { field?: string }) =>
        e.name === 'ValidationError' &&
        e.field === 'dnsNames[1]' &&
        e.message.endsWith(
          `"${tooLong}" is too long for DNS-01: its challenge record _acme-challenge.${tooLong} would have 254 characters, more than DNS allows (253)`,
        ),
    );
    // A CA or self-signed issuer needs no challenge record.
    assert.equal(
      admitSpec(spec({ issuerRef: { name: 'selfsigned' }, dnsNames: [tooLong] }), ISSUERS).issuer.name,
      'selfsigned',
    );
  });

  it('accepts the same identifiers for an issuer that can sign them', () => {
    const { issuer } = admitSpec(spec({ issuerRef: { name: 'selfsigned' }, ipAddresses: ['192.0.2.10'] }), ISSUERS);
    assert.equal(issuer.name, 'selfsigned');
  });
});

describe('Function: requireIssuer', () => {
  it('finds a configured issuer by name', () => {
    assert.equal(requireIssuer(ISSUERS, 'selfsigned'), ISSUERS[1]);
  });

  it('refuses an unknown name, naming the configured ones', () => {
    assert.throws(() => requireIssuer(ISSUERS, 'zerossl'), refusal('issuerRef.name', UNKNOWN_ISSUER));
  });
});

describe('Admission: the API and Prepare refuse an unknown issuer alike', () => {
  const unused = {} as IssuanceStarter & Revoker & RenewalScheduler;

  it('the API answers the message of admitSpec', async () => {
    const response = await handleApiRequest(
      {
        method: 'POST',
        path: '/certificates',
        query: {},
        body: JSON.stringify(spec({ issuerRef: { name: 'zerossl' } })),
      },
      {
        issuers: ISSUERS,
        inventory: new MemoryInventory(),
        clock,
        issuance: unused,
        revoker: unused,
        scheduler: unused,
      },
    );
    assert.equal(response.status, 400);
    assert.deepEqual((response.body as { error: unknown }).error, {
      code: 'ValidationFailed',
      message: UNKNOWN_ISSUER,
      field: 'issuerRef.name',
    });
  });

  it('applyCertificate throws the message of admitSpec', async () => {
    const deps = {
      issuers: ISSUERS,
      inventory: new MemoryInventory(),
      clock,
      issuance: unused,
      revoker: unused,
      scheduler: unused,
    };
    await assert.rejects(
      applyCertificate(JSON.stringify(spec({ issuerRef: { name: 'zerossl' } })), deps),
      refusal('issuerRef.name', UNKNOWN_ISSUER),
    );
  });

  it('Prepare refuses a spec in its input with the same message', async () => {
    const inventory = new MemoryInventory();
    await assert.rejects(
      prepare(
        { input: { certificate: spec({ issuerRef: { name: 'zerossl' } }) }, executionName: 'web-1' },
        { issuers: ISSUERS, inventory, clock },
      ),
      refusal('issuerRef.name', UNKNOWN_ISSUER),
    );
    assert.deepEqual((await inventory.list()).items, [], 'nothing was written');
  });

  it('Prepare refuses a stored certificate whose issuer is no longer configured with the same message', async () => {
    const inventory = new MemoryInventory();
    await applySpec(inventory, clock, validateSpec(spec({ issuerRef: { name: 'zerossl' } })));
    await assert.rejects(
      prepare({ input: { name: 'web' }, executionName: 'web-1' }, { issuers: ISSUERS, inventory, clock }),
      refusal('issuerRef.name', UNKNOWN_ISSUER),
    );
  });
});
