import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryInventory } from '../../shared/adapters/local/memory-inventory.js';
import { revokeCertificate } from '../../shared/certificates/revoke.js';
import { validateSpec } from '../../shared/domain/validate-spec.js';
import { AcmeError } from '../../shared/errors.js';
import { applySpec, updateRecord } from '../../shared/inventory/records.js';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import type { AcmeGateway } from '../../shared/ports/acme.js';
import type { CertificateStore } from '../../shared/ports/certificate-store.js';

const ISSUERS: IssuerConfig[] = [
  { kind: 'acme', name: 'le', server: 'https://ca.example/dir', solvers: [{ dns01: { route53: {} } }] },
  { kind: 'selfSigned', name: 'selfsigned' },
];
const LEAF = '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n';
const CHAIN = '-----BEGIN CERTIFICATE-----\nINTERMEDIATE\n-----END CERTIFICATE-----\n';
const clock = { now: () => new Date('2026-06-01T00:00:00Z') };

async function setup(options: { issuer?: string; revoke?: (pem: string) => Promise<void> } = {}) {
  const inventory = new MemoryInventory();
  const spec = validateSpec({
    name: 'web',
    issuerRef: { name: options.issuer ?? 'le' },
    dnsNames: ['web.example.com'],
  });
  await applySpec(inventory, clock, spec);
  await updateRecord(inventory, clock, 'web', (r) => ({
    ...r,
    status: { ...r.status, secretArn: 'arn:s', serialNumber: '01' },
  }));
  const revoked: string[] = [];
  const cancelled: string[] = [];
  const acme = {
    session: async () => ({ revoke: options.revoke ?? (async (pem: string) => void revoked.push(pem)) }),
  } as unknown as AcmeGateway;
  const store = {
    readCurrent: async () => ({
      'tls.crt': LEAF + CHAIN,
      'tls.key': 'not read',
      'ca.crt': CHAIN,
      secretArn: 'arn:s',
      versionId: 'v1',
    }),
  } as unknown as CertificateStore;
  const scheduler = { cancel: async (name: string) => void cancelled.push(name) };
  const deps = { issuers: ISSUERS, inventory, store, acme, scheduler };
  return { deps, inventory, revoked, cancelled };
}

describe('Function: revokeCertificate', () => {
  it('revokes the leaf at the CA, then deletes the record and the schedule', async () => {
    const { deps, inventory, revoked, cancelled } = await setup();
    await revokeCertificate('web', deps);
    assert.deepEqual(revoked, [LEAF]);
    assert.equal(await inventory.get('web'), undefined);
    assert.deepEqual(cancelled, ['web']);
  });

  it('treats a certificate the CA already revoked as revoked (a repeated call completes)', async () => {
    const { deps, inventory, cancelled } = await setup({
      revoke: async () => {
        throw new AcmeError('acme: certificate already revoked', 'urn:ietf:params:acme:error:alreadyRevoked');
      },
    });
    await revokeCertificate('web', deps);
    assert.equal(await inventory.get('web'), undefined);
    assert.deepEqual(cancelled, ['web']);
  });

  it('deletes nothing when the CA refuses: the certificate stays managed', async () => {
    const { deps, inventory, cancelled } = await setup({
      revoke: async () => {
        throw new AcmeError('acme: unauthorized', 'urn:ietf:params:acme:error:unauthorized');
      },
    });
    await assert.rejects(revokeCertificate('web', deps), /^AcmeError: acme: unauthorized$/);
    assert.equal((await inventory.get('web'))?.name, 'web');
    assert.deepEqual(cancelled, []);
  });

  it('refuses an issuer with no CA to revoke at, and deletes nothing', async () => {
    const { deps, inventory, cancelled } = await setup({ issuer: 'selfsigned' });
    await assert.rejects(revokeCertificate('web', deps), {
      name: 'ValidationError',
      message: 'revoke: issuer kind "selfSigned" has no CA to revoke at',
    });
    assert.equal((await inventory.get('web'))?.name, 'web');
    assert.deepEqual(cancelled, []);
  });
});
