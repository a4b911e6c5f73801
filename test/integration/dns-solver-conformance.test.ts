import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { LambdaDnsHookSolver } from '../../shared/solvers/adapters/hook.js';
import { Route53DnsSolver } from '../../shared/solvers/adapters/route53.js';
import { ChalltestsrvDnsSolver } from '../../shared/solvers/adapters/challtestsrv.js';
import { startChalltestsrv as startLocalChalltestsrv } from '../../shared/local/pebble.js';
import { CONFORMANCE_DOMAIN, runDnsSolverConformance } from '../support/dns-solver-conformance.js';
import { txtValues } from '../../scripts/rigs/issuance-harness.js';
import { LOCAL_LAMBDA_CREDENTIALS, type LocalLambdaHandler, startLambdaEndpoint } from '../support/lambda-endpoint.js';
import { startRoute53Endpoint } from '../../scripts/rigs/route53-endpoint.js';

const credentials = { accessKeyId: 'AKIDCERTFLOWTEST', secretAccessKey: 'not-a-secret' };

interface Challtestsrv {
  managementUrl: string;
  dnsPort: number;
  readTxt(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The shared launcher (shared/local/pebble.ts), plus reading TXT back over its DNS. */
async function startChalltestsrv(): Promise<Challtestsrv> {
  const server = await startLocalChalltestsrv();
  return { ...server, readTxt: (name) => txtValues(server.dnsPort, name) };
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

  runDnsSolverConformance('Class: LambdaDnsHookSolver with the example challtestsrv hook', async () => {
    // The example is plain JavaScript for Lambda, loaded by URL so that tsc does not type it.
    const hook = new URL('../../examples/dns-hook/challtestsrv-hook.mjs', import.meta.url).href;
    const { handler } = (await import(hook)) as { handler: LocalLambdaHandler };
    process.env.CHALLTESTSRV_URL = challtestsrv.managementUrl;
    const endpoint = await startLambdaEndpoint({ 'challtestsrv-hook': handler });
    const client = new LambdaClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: LOCAL_LAMBDA_CREDENTIALS,
    });
    return {
      solver: new LambdaDnsHookSolver({ client, functionName: 'challtestsrv-hook' }),
      readTxt: challtestsrv.readTxt,
      close: async () => {
        client.destroy();
        await endpoint.close();
        delete process.env.CHALLTESTSRV_URL;
      },
    };
  });

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
