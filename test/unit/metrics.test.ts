import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

// Powertools' dev mode prints through the global console, where the test reads it; metrics stay
// on. Set before the module that creates the shared instance loads.
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const { flushMetrics, metrics, recordAcmeRequest, recordIssuanceFailure, recordIssued, withMetrics } =
  await import('../../shared/monitoring/metrics.js');
const { publish } = await import('../../shared/steps/publish.js');

const printed: string[] = [];
const originalLog = console.log;
const documents = () =>
  printed
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((doc) => doc._aws?.CloudWatchMetrics);
const metricNames = (doc: Record<string, any>) =>
  (doc._aws.CloudWatchMetrics[0].Metrics as { Name: string }[]).map((m) => m.Name).sort();

describe('Module: metrics', () => {
  before(() => {
    console.log = (line: unknown) => void printed.push(String(line));
  });

  after(() => {
    console.log = originalLog;
  });

  beforeEach(() => {
    printed.length = 0;
    metrics.clearMetrics();
  });

  it('records an issuance as one document that names the certificate in a property', () => {
    recordIssued(
      {
        name: 'web',
        notBefore: '2026-03-01T00:00:00Z',
        notAfter: '2026-05-30T00:00:00Z',
        renewalTime: '2026-04-30T00:00:00Z',
        durationSeconds: 4.2,
      },
      new Date('2026-03-01T00:00:00Z'),
    );
    const [doc, ...rest] = documents();
    assert.equal(rest.length, 0);
    assert.equal(doc?.name, 'web');
    assert.equal(doc?.CertificateExpirationTimestampSeconds, Date.parse('2026-05-30T00:00:00Z') / 1000);
    assert.equal(doc?.DaysToExpiry, 90);
    assert.equal(doc?.IssuanceDurationSeconds, 4.2);
    assert.equal(doc?.CertificateReadyStatus, 1);
  });

  it('never makes the certificate name a dimension of an issuance', () => {
    recordIssued({ name: 'web', notBefore: new Date(), notAfter: new Date(), renewalTime: new Date() });
    assert.deepEqual(documents()[0]?._aws.CloudWatchMetrics[0].Dimensions, [['service']]);
  });

  it('writes every issuance metric under the certflow namespace, with cert-manager names', () => {
    recordIssued({ name: 'web', notBefore: new Date(), notAfter: new Date(), renewalTime: new Date() });
    const [doc] = documents();
    assert.equal(doc?._aws.CloudWatchMetrics[0].Namespace, 'certflow');
    assert.deepEqual(metricNames(doc!), [
      'CertificateExpirationTimestampSeconds',
      'CertificateNotBeforeTimestampSeconds',
      'CertificateReadyStatus',
      'CertificateRenewalTimestampSeconds',
      'DaysToExpiry',
    ]);
  });

  it('records a failure with the certificate and reason as properties', () => {
    recordIssuanceFailure({ name: 'web', reason: 'Failed' });
    const [doc] = documents();
    assert.equal(doc?.IssuanceFailures, 1);
    assert.equal(doc?.name, 'web');
    assert.equal(doc?.reason, 'Failed');
    assert.deepEqual(doc?._aws.CloudWatchMetrics[0].Dimensions, [['service']]);
  });

  it('counts ACME requests by status class, the one dimension it adds', () => {
    recordAcmeRequest('5xx');
    const [doc] = documents();
    assert.equal(doc?.AcmeRequests, 1);
    assert.equal(doc?.status, '5xx');
    assert.deepEqual(doc?._aws.CloudWatchMetrics[0].Dimensions, [['service', 'status']]);
  });

  it('flushes the shared instance when a wrapped handler throws', async () => {
    const handler = withMetrics(async () => {
      metrics.addMetric('SweepErrors', 'Count', 1);
      throw new Error('boom');
    });
    await assert.rejects(handler(), /boom/);
    assert.equal(documents()[0]?.SweepErrors, 1);
  });

  it('prints nothing when the shared instance holds nothing', () => {
    flushMetrics();
    assert.deepEqual(printed, []);
  });
});

describe('Step: publish', () => {
  const issued = {
    name: 'web',
    revision: 1,
    issuanceId: 'web-r1',
    startedAt: '2026-03-01T00:00:00.000Z',
    issuer: 'letsencrypt',
    issuerKind: 'acme' as const,
    reason: 'Issuing',
    renewal: false,
    spec: {} as never,
    result: {
      serialNumber: '01',
      notBefore: '2026-03-01T00:00:00Z',
      notAfter: '2026-05-30T00:00:00Z',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certflow/certificates/web-AbCdEf',
      versionId: 'v1',
      renewalTime: '2026-04-30T00:00:00Z',
    },
  };
  const deps = (now: string) => ({
    events: { publish: async () => {} },
    scheduler: { schedule: async () => {}, cancel: async () => {} },
    clock: { now: () => new Date(now) },
  });

  before(() => {
    console.log = (line: unknown) => void printed.push(String(line));
  });

  after(() => {
    console.log = originalLog;
  });

  beforeEach(() => {
    printed.length = 0;
    metrics.clearMetrics();
  });

  it('measures the issuance duration on the injected clock', async () => {
    await publish(issued, deps('2026-03-01T00:01:30.000Z'));
    const [doc] = documents();
    assert.equal(doc?.IssuanceDurationSeconds, 90);
  });

  it('counts the days to expiry from the injected clock', async () => {
    await publish(issued, deps('2026-03-01T00:00:00.000Z'));
    assert.equal(documents()[0]?.DaysToExpiry, 90);
  });
});
