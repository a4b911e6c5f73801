/**
 * CNAME delegation of `_acme-challenge` (cert-manager's `cnameStrategy: Follow`): when
 * `_acme-challenge.<name>` is a CNAME, for example to a zone only the certificate service may
 * write, the TXT record goes at the end of the chain. The CA follows the CNAME when it validates.
 */
import { Resolver } from 'node:dns/promises';
import { DnsError, TransientError } from '../errors.js';
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

/** {@link CnameResolver} through DNS: the system resolver, or the given servers (`host:port`). */
export class DnsCnameResolver implements CnameResolver {
  private readonly resolver = new Resolver({ timeout: 2_000, tries: 2 });

  constructor(servers?: string[]) {
    if (servers?.length) this.resolver.setServers(servers);
  }

  async cnameOf(name: string): Promise<string | undefined> {
    try {
      const [target] = await this.resolver.resolveCname(name);
      return target;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENODATA' || code === 'ENOTFOUND') return undefined;
      throw new TransientError(`dns: looking up the CNAME of "${name}" failed: ${code ?? (error as Error).message}`);
    }
  }
}
