/** CNAME look-ups for `cnameStrategy: Follow` (shared/solvers/cname.ts), through `node:dns`. */
import { Resolver } from 'node:dns/promises';
import { TransientError } from '../../errors.js';
import type { CnameResolver } from '../../ports/dns.js';

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
