import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CNAME_HOPS, followCnames } from '../../shared/solvers/cname.js';
import { DnsError } from '../../shared/errors.js';

const resolver = (records: Record<string, string>) => ({ cnameOf: async (name: string) => records[name] });

describe('Function: followCnames', () => {
  it('keeps the name when it has no CNAME', async () => {
    assert.equal(await followCnames(resolver({}), '_acme-challenge.example.com'), '_acme-challenge.example.com');
  });

  it('follows a delegation to its target, trailing dot and case normalised', async () => {
    const records = { '_acme-challenge.example.com': 'Example.COM.acme.delegated.net.' };
    assert.equal(
      await followCnames(resolver(records), '_acme-challenge.example.com'),
      'example.com.acme.delegated.net',
    );
  });

  it('follows a chain to its end', async () => {
    const records = { '_acme-challenge.a.test': 'b.test', 'b.test': 'c.test' };
    assert.equal(await followCnames(resolver(records), '_acme-challenge.a.test'), 'c.test');
  });

  it('fails on a loop, showing the chain', async () => {
    const records = { '_acme-challenge.a.test': 'b.test', 'b.test': '_acme-challenge.a.test' };
    await assert.rejects(followCnames(resolver(records), '_acme-challenge.a.test'), (e: Error) => {
      return e instanceof DnsError && e.message.includes('CNAME loop') && e.message.includes('b.test');
    });
  });

  it('fails on a chain longer than any delegation needs', async () => {
    const records = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`h${i}.test`, `h${i + 1}.test`]));
    await assert.rejects(followCnames(resolver(records), 'h0.test'), new RegExp(`longer than ${MAX_CNAME_HOPS}`));
  });
});
