import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { EksTokenSigner, eksTokenUrl } from '../../shared/adapters/aws/eks-token.js';
import { DeliveryError } from '../../shared/errors.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+with=odd chars',
};
const now = new Date('2026-01-02T03:04:05Z');
const signer = new EksTokenSigner({ region: 'eu-west-1', credentials, clock: () => now });

const rfc3986 = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();

/** SigV4 query signing (AWS General Reference), written out independently of @smithy/signature-v4. */
function expectedSignature(url: URL, clusterName: string, secretAccessKey: string): string {
  const params = [...url.searchParams.entries()].filter(([key]) => key !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`;
  const canonicalRequest = ['GET', '/', canonicalQuery, canonicalHeaders, 'host;x-k8s-aws-id', sha256('')].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, date, region, service] = url.searchParams.get('X-Amz-Credential')!.split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

async function tokenUrl(cluster = 'blue'): Promise<URL> {
  return new URL(eksTokenUrl(await signer.token(cluster)));
}

describe('Class: EksTokenSigner', () => {
  it('makes a token of k8s-aws-v1. and base64url without padding', async () => {
    assert.match(await signer.token('blue'), /^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  });

  it('decodes back to an https URL of the regional STS endpoint', async () => {
    const url = await tokenUrl();
    assert.equal(url.protocol, 'https:');
    assert.equal(url.host, 'sts.eu-west-1.amazonaws.com');
    assert.equal(url.pathname, '/');
  });

  it('presigns GetCallerIdentity of the 2011-06-15 API', async () => {
    const url = await tokenUrl();
    assert.equal(url.searchParams.get('Action'), 'GetCallerIdentity');
    assert.equal(url.searchParams.get('Version'), '2011-06-15');
  });

  it('expires after 60 seconds', async () => {
    assert.equal((await tokenUrl()).searchParams.get('X-Amz-Expires'), '60');
  });

  it('signs the host and the x-k8s-aws-id header', async () => {
    assert.equal((await tokenUrl()).searchParams.get('X-Amz-SignedHeaders'), 'host;x-k8s-aws-id');
  });

  it('scopes the credential to the access key, the day, the region and STS', async () => {
    const url = await tokenUrl();
    assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(url.searchParams.get('X-Amz-Credential'), 'AKIDEXAMPLE/20260102/eu-west-1/sts/aws4_request');
    assert.equal(url.searchParams.get('X-Amz-Date'), '20260102T030405Z');
  });

  it('carries the session token of temporary credentials', async () => {
    assert.equal((await tokenUrl()).searchParams.get('X-Amz-Security-Token'), credentials.sessionToken);
  });

  it('carries a valid SigV4 signature for the cluster name it was made for', async () => {
    const url = await tokenUrl('blue');
    assert.equal(url.searchParams.get('X-Amz-Signature'), expectedSignature(url, 'blue', credentials.secretAccessKey));
  });

  it('binds the signature to the cluster: it does not verify for another cluster name', async () => {
    const url = await tokenUrl('blue');
    assert.notEqual(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, 'green', credentials.secretAccessKey),
    );
  });

  it('takes credentials from a provider, as the SDK clients give them', async () => {
    const fromProvider = new EksTokenSigner({
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'AKIDPROVIDED', secretAccessKey: 'provided' }),
      clock: () => now,
    });
    const url = new URL(eksTokenUrl(await fromProvider.token('green')));
    assert.equal(url.host, 'sts.us-east-1.amazonaws.com');
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), null);
    assert.equal(url.searchParams.get('X-Amz-Signature'), expectedSignature(url, 'green', 'provided'));
  });

  it('reports credentials that cannot be had as DeliveryError naming the cluster', async () => {
    const broken = new EksTokenSigner({
      region: 'us-east-1',
      credentials: async () => {
        throw new Error('no credentials in this environment');
      },
    });
    await assert.rejects(broken.token('blue'), (error: Error) => {
      assert.ok(error instanceof DeliveryError);
      assert.match(error.message, /^eks: cannot sign a token for cluster "blue"/);
      return true;
    });
  });
});

describe('Function: eksTokenUrl', () => {
  it('refuses a string that is not an EKS token', () => {
    assert.throws(() => eksTokenUrl('Bearer abc'), DeliveryError);
  });
});
