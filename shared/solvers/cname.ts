/**
 * CNAME delegation of `_acme-challenge` (cert-manager's `cnameStrategy: Follow`): when
 * `_acme-challenge.<name>` is a CNAME, for example to a zone only the certificate service may
 * write, the TXT record goes at the end of the chain. The CA follows the CNAME when it validates.
 * The rule only; the resolver that asks DNS is shared/solvers/adapters/dns-cname-resolver.ts.
 */
import { DnsError } from '../errors.js';
import type { CnameResolver } from '../ports/dns.js';

/** More hops than any sane delegation; a longer chain is treated as a loop. */
export const MAX_CNAME_HOPS = 8;

/** Follows `recordName`'s CNAME chain to its end; loops and over-long chains fail with the chain. */
export async function followCnames(resolver: CnameResolver, recordName: string): Promise<string> {
  const chain = [recordName.toLowerCase()];
  for (;;) {
    const current = chain.at(-1)!;
    const target = (await resolver.cnameOf(current))?.toLowerCase().replace(/\.$/, '');
    if (!target) return current;
    if (chain.includes(target)) {
      throw new DnsError(`dns: CNAME loop for "${recordName}": ${[...chain, target].join(' → ')}`);
    }
    chain.push(target);
    if (chain.length > MAX_CNAME_HOPS + 1) {
      throw new DnsError(`dns: CNAME chain of "${recordName}" is longer than ${MAX_CNAME_HOPS}: ${chain.join(' → ')}`);
    }
  }
}
