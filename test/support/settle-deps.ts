/**
 * The sweep's `abandoned` port for unit tests, on the test's own inventory, clock, events,
 * scheduler and starter: no issuers (an abandoned lease names an issuer the test configures, or
 * none), a DNS that refuses every solver unless given one, and a file store in a fresh directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCertificateStore } from '../../shared/adapters/local/file-certificate-store.js';
import type { AbandonedIssuances, IssuanceStarter } from '../../shared/ports/executions.js';
import { type SettleDependencies, abandonedIssuances } from '../../shared/steps/ended-issuance.js';
import { SolverDispatcher } from '../../shared/solvers/dispatcher.js';

export function abandonedFor(
  deps: Pick<SettleDependencies, 'inventory' | 'clock' | 'events' | 'scheduler'> & { issuance: IssuanceStarter },
  more: Partial<Pick<SettleDependencies, 'issuers' | 'dns' | 'store'>> = {},
): AbandonedIssuances {
  const settle: SettleDependencies & { issuance: IssuanceStarter } = {
    issuers: [],
    dns: new SolverDispatcher({}, 'dns: this test configures no solver'),
    store: new FileCertificateStore({ dir: mkdtempSync(join(tmpdir(), 'certflow-settle-')) }),
    ...deps,
    ...more,
  };
  return abandonedIssuances(() => settle);
}
