import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { EksClusterDirectory, eksConnector } from '../../shared/adapters/aws/eks-cluster-directory.js';
import { EksTokenSigner, eksTokenUrl } from '../../shared/adapters/aws/eks-token.js';
import { DeliveryError, TransientError } from '../../shared/errors.js';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const described = (name: string) => ({
  cluster: {
    name,
    status: 'ACTIVE' as const,
    endpoint: `https://${name.toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com`,
    certificateAuthority: { data: Buffer.from(CA_PEM).toString('base64') },
  },
});
const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('Class: EksClusterDirectory', () => {
  const eks = mockClient(EKSClient);
  const client = new EKSClient({ region: 'eu-west-1' });
  let time: number;
  const directory = () => new EksClusterDirectory({ client, ttlMs: 60_000, clock: () => time });

  beforeEach(() => {
    eks.reset();
    time = 1_000_000;
    eks.on(DescribeClusterCommand).callsFake((input: { name: string }) => described(input.name));
  });

  it('answers the endpoint and the CA as PEM', async () => {
    assert.deepEqual(await directory().describe('blue'), {
      endpoint: 'https://BLUE.gr7.eu-west-1.eks.amazonaws.com',
      caPem: CA_PEM,
    });
  });

  it('describes a cluster once for many calls', async () => {
    const d = directory();
    await d.describe('blue');
    await d.describe('blue');
    assert.equal(eks.commandCalls(DescribeClusterCommand).length, 1);
  });

  it('shares one DescribeCluster between concurrent calls', async () => {
    const d = directory();
    await Promise.all([d.describe('blue'), d.describe('blue'), d.describe('blue')]);
    assert.equal(eks.commandCalls(DescribeClusterCommand).length, 1);
  });

  it('describes each cluster by its own name', async () => {
    const d = directory();
    await d.describe('blue');
    await d.describe('green');
    assert.deepEqual(
      eks.commandCalls(DescribeClusterCommand).map((c) => c.args[0].input.name),
      ['blue', 'green'],
    );
  });

  it('describes the cluster again once the answer is older than its time to live', async () => {
    const d = directory();
    await d.describe('blue');
    time += 60_001;
    await d.describe('blue');
    assert.equal(eks.commandCalls(DescribeClusterCommand).length, 2);
  });

  it('describes the cluster again after forget', async () => {
    const d = directory();
    await d.describe('blue');
    d.forget('blue');
    await d.describe('blue');
    assert.equal(eks.commandCalls(DescribeClusterCommand).length, 2);
  });

  it('does not keep a failure', async () => {
    eks.on(DescribeClusterCommand).rejectsOnce(awsError('ThrottlingException', 429)).resolves(described('blue'));
    const d = directory();
    await assert.rejects(d.describe('blue'), TransientError);
    assert.equal((await d.describe('blue')).caPem, CA_PEM);
  });

  it('reports a cluster that does not exist as DeliveryError naming it', async () => {
    eks.on(DescribeClusterCommand).rejects(awsError('ResourceNotFoundException', 404));
    await assert.rejects(directory().describe('gone'), (error: Error) => {
      assert.ok(error instanceof DeliveryError);
      assert.match(error.message, /^eks: cluster "gone" does not exist/);
      return true;
    });
  });

  it('reports a refused DescribeCluster as DeliveryError', async () => {
    eks.on(DescribeClusterCommand).rejects(awsError('AccessDeniedException', 403));
    await assert.rejects(directory().describe('blue'), (error: Error) => {
      assert.ok(error instanceof DeliveryError);
      assert.match(error.message, /^eks: DescribeCluster "blue" failed: AccessDeniedException/);
      return true;
    });
  });

  it('reports a cluster without an endpoint yet as TransientError', async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'new', status: 'CREATING' } });
    await assert.rejects(directory().describe('new'), TransientError);
  });
});

describe('Function: eksConnector', () => {
  const eks = mockClient(EKSClient);

  beforeEach(() => {
    eks.reset();
    eks.on(DescribeClusterCommand).callsFake((input: { name: string }) => described(input.name));
  });

  it('connects with the endpoint, the CA and a token for that cluster', async () => {
    const tokens = new EksTokenSigner({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    });
    const directory = new EksClusterDirectory({ client: new EKSClient({ region: 'eu-west-1' }) });
    const connection = await eksConnector(directory, tokens).connect('blue');
    assert.equal(connection.server, 'https://BLUE.gr7.eu-west-1.eks.amazonaws.com');
    assert.equal(connection.caPem, CA_PEM);
    assert.match(eksTokenUrl(connection.token), /^https:\/\/sts\.eu-west-1\.amazonaws\.com\/\?/);
  });
});
