/**
 * The ACME account under concurrency, against a real Pebble: many executions starting at once on
 * a fresh deployment all register the same stored key. One newAccount creates it (201); the others
 * find it (200), which acme-client follows with an account update that, for an issuer with no
 * contact, is empty and refused by a strict CA. Every session must still end with the account.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AcmeClientGateway } from '../../shared/issuers/acme/acme-client-gateway.js';
import { configureAcmeHttp } from '../../shared/issuers/acme/http.js';
import { FileAccountKeyStore } from '../../shared/adapters/local/file-certificate-store.js';
import type { AcmeIssuerConfig } from '../../shared/issuers/registry.js';
import { type Pebble, pebbleInstalled, startPebble } from '../../shared/local/pebble.js';

const skip = pebbleInstalled() || process.env.CI ? false : 'pebble is not installed (apt-get install -y pebble)';

describe('Integration: ACME account registration, many at once', { skip }, () => {
  let pebble: Pebble;
  let dir: string;
  before(async () => {
    pebble = await startPebble();
    configureAcmeHttp({ httpsAgent: pebble.httpsAgent });
    dir = await mkdtemp(join(tmpdir(), 'certflow-account-'));
  });
  after(async () => {
    await pebble?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const email of [undefined, 'ops@example.com']) {
    it(`gives 12 concurrent first sessions one account (${email ? 'with' : 'without'} a contact)`, async () => {
      const issuer: AcmeIssuerConfig = {
        kind: 'acme',
        name: email ? 'with-contact' : 'no-contact',
        server: pebble.directoryUrl,
        ...(email ? { email } : {}),
        solvers: [],
      };
      const store = new FileAccountKeyStore({ dir });
      // A gateway each, as in separate Lambda containers: none knows the account URL yet.
      const sessions = await Promise.all(
        Array.from({ length: 12 }, () => new AcmeClientGateway(store).session(issuer)),
      );
      const urls = new Set(sessions.map((session) => session.accountUrl));
      assert.equal(urls.size, 1, [...urls].join(', '));
      assert.equal((await store.get(issuer.name))?.accountUrl, [...urls][0]);
    });
  }
});
