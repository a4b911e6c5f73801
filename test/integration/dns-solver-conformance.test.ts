import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53DnsSolver } from '../../shared/adapters/aws/route53-dns-solver.js';
import { ChalltestsrvDnsSolver } from '../../shared/adapters/local/challtestsrv-dns-solver.js';
import { CONFORMANCE_DOMAIN, runDnsSolverConformance } from '../support/dns-solver-conformance.js';
import { startRoute53Endpoint } from '../support/route53-endpoint.js';

const credentials = { accessKeyId: 'AKIDCERTFLOWTEST', secretAccessKey: 'not-a-secret' };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Challtestsrv {
  managementUrl: string;
  readTxt(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

async function startChalltestsrv(): Promise<Challtestsrv> {
  const [dnsPort, managementPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    'pebble-challtestsrv',
    [
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-management',
      `127.0.0.1:${managementPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${managementUrl}/clear-txt`, { method: 'POST', body: '{"host":"ready."}' }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (attempt > 100 || child.exitCode !== null) {
      child.kill();
      throw new Error('pebble-challtestsrv did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const resolver = new dns.promises.Resolver();
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  return {
    managementUrl,
    readTxt: (name) =>
      resolver.resolveTxt(name).then(
        (answers) => answers.map((chunks) => chunks.join('')),
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENODATA' || error.code === 'ENOTFOUND') return [];
          throw error;
        },
      ),
    stop: async () => {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

describe('DNS solver conformance', () => {
  let challtestsrv: Challtestsrv;

  before(async () => {
    challtestsrv = await startChalltestsrv();
  });

  after(async () => {
    await challtestsrv?.stop();
  });

  async function route53Fixture(mirrored: boolean) {
    const endpoint = await startRoute53Endpoint({
      zones: [{ name: CONFORMANCE_DOMAIN, id: 'ZCONFORMANCE' }],
      ...(mirrored ? { challtestsrvManagementUrl: challtestsrv.managementUrl } : {}),
    });
    const client = new Route53Client({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    return {
      solver: new Route53DnsSolver({ client }),
      readTxt: mirrored ? challtestsrv.readTxt : async (name: string) => endpoint.txt(name),
      close: async () => {
        client.destroy();
        await endpoint.close();
      },
    };
  }

  runDnsSolverConformance('Class: Route53DnsSolver on the Route53 XML endpoint', () => route53Fixture(false));

  runDnsSolverConformance('Class: Route53DnsSolver on the endpoint mirrored into challtestsrv', () =>
    route53Fixture(true),
  );

  runDnsSolverConformance('Class: ChalltestsrvDnsSolver', async () => ({
    solver: new ChalltestsrvDnsSolver({ managementUrl: challtestsrv.managementUrl }),
    readTxt: challtestsrv.readTxt,
    close: async () => undefined,
  }));

  describe('Class: ChalltestsrvDnsSolver with several instances', () => {
    it("keeps another instance's value when cleaning up its own", async () => {
      const name = `_acme-challenge.shared.${CONFORMANCE_DOMAIN}`;
      const [a, b] = [
        new ChalltestsrvDnsSolver({ managementUrl: challtestsrv.managementUrl }),
        new ChalltestsrvDnsSolver({ managementUrl: `${challtestsrv.managementUrl}/` }),
      ];
      await Promise.all([a.present([{ name, value: 'from-a' }]), b.present([{ name, value: 'from-b' }])]);
      await a.cleanUp([{ name, value: 'from-a' }]);
      assert.deepEqual(await challtestsrv.readTxt(name), ['from-b']);
      await b.cleanUp([{ name, value: 'from-b' }]);
      assert.deepEqual(await challtestsrv.readTxt(name), []);
    });

    it('ends with every value when instances present and clean up concurrently', async () => {
      const name = `_acme-challenge.busy.${CONFORMANCE_DOMAIN}`;
      const solvers = Array.from(
        { length: 6 },
        () => new ChalltestsrvDnsSolver({ managementUrl: challtestsrv.managementUrl }),
      );
      await Promise.all(solvers.map((solver, i) => solver.present([{ name, value: `v${i}` }])));
      await Promise.all(
        solvers.map((solver, i) =>
          i % 2 === 0 ? solver.cleanUp([{ name, value: `v${i}` }]) : solver.present([{ name, value: `w${i}` }]),
        ),
      );
      assert.deepEqual((await challtestsrv.readTxt(name)).sort(), ['v1', 'v3', 'v5', 'w1', 'w3', 'w5']);
    });
  });
});
