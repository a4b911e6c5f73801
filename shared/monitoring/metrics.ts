/**
 * certflow's CloudWatch metrics, written as Embedded Metric Format (EMF) log lines by Powertools
 * Metrics: CloudWatch Logs turns them into metrics, with no PutMetricData call and no permission.
 *
 * Names follow cert-manager's Prometheus metrics where one exists
 * (`certmanager_certificate_expiration_timestamp_seconds` → `CertificateExpirationTimestampSeconds`).
 *
 * Cost rule: every distinct set of dimension values is a custom metric, about $0.30 a month. One
 * per certificate would cost more than the certificate itself, so the certificate's name is an
 * EMF *property* (a plain field of the log line: searchable with Logs Insights, free as a metric),
 * and a dimension only for the few certificates that are close to expiry, where a per-certificate
 * graph is worth paying for.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace of every certflow metric. */
export const METRICS_NAMESPACE = 'certflow';
/** Powertools adds `service` as a dimension of every metric; alarms must name it. */
export const METRICS_SERVICE = 'certflow';

/** Metric names, shared with the alarms and the dashboard (infra/constructs/monitoring.ts). */
export const MetricNames = {
  CertificateExpirationTimestampSeconds: 'CertificateExpirationTimestampSeconds',
  CertificateNotBeforeTimestampSeconds: 'CertificateNotBeforeTimestampSeconds',
  CertificateRenewalTimestampSeconds: 'CertificateRenewalTimestampSeconds',
  CertificateReadyStatus: 'CertificateReadyStatus',
  DaysToExpiry: 'DaysToExpiry',
  IssuanceDurationSeconds: 'IssuanceDurationSeconds',
  IssuanceFailures: 'IssuanceFailures',
  AcmeRequests: 'AcmeRequests',
  CertificatesExpiringSoon: 'CertificatesExpiringSoon',
  CertificatesDue: 'CertificatesDue',
  SweepErrors: 'SweepErrors',
} as const;

/** Dimension and property keys. `name` is the certificate's name, as cert-manager's label. */
export const MetricKeys = { certificate: 'name', statusClass: 'status' } as const;

/**
 * The one shared instance: counts that describe a whole invocation (the sweep's) are stored here
 * and flushed once by {@link withMetrics} or {@link flushMetrics}.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

const DAY_MS = 86_400_000;

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

type Time = string | Date;

function seconds(time: Time): number {
  return Math.floor(new Date(time).getTime() / 1000);
}

/**
 * One EMF line of its own. Properties apply to a whole line, so a line that names a certificate
 * must not carry the shared instance's counts: each gets a fresh, immediately flushed instance.
 */
function emitDocument(
  values: [name: string, unit: Unit, value: number][],
  properties: Record<string, string>,
  dimensions: Record<string, string> = {},
): void {
  const document = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  for (const [key, value] of Object.entries(dimensions)) document.addDimension(key, value);
  for (const [key, value] of Object.entries(properties)) document.addMetadata(key, value);
  for (const [name, unit, value] of values) document.addMetric(name, unit, value);
  document.publishStoredMetrics();
}

/** Days from `now` to `notAfter`, to one decimal (negative once expired). */
function daysLeft(notAfter: Time, now: Date): number {
  return Math.round(((new Date(notAfter).getTime() - now.getTime()) / DAY_MS) * 10) / 10;
}

/**
 * After a certificate was stored (the Publish step): its validity, renewal time, readiness and
 * how long the issuance took. The name is a property; no per-certificate metric is created.
 */
export function recordIssued(
  issued: { name: string; notBefore: Time; notAfter: Time; renewalTime: Time; durationSeconds?: number },
  now: Date = new Date(),
): void {
  const values: [string, Unit, number][] = [
    [MetricNames.CertificateExpirationTimestampSeconds, MetricUnit.Seconds, seconds(issued.notAfter)],
    [MetricNames.CertificateNotBeforeTimestampSeconds, MetricUnit.Seconds, seconds(issued.notBefore)],
    [MetricNames.CertificateRenewalTimestampSeconds, MetricUnit.Seconds, seconds(issued.renewalTime)],
    [MetricNames.CertificateReadyStatus, MetricUnit.Count, 1],
    [MetricNames.DaysToExpiry, MetricUnit.NoUnit, daysLeft(issued.notAfter, now)],
  ];
  if (issued.durationSeconds !== undefined && Number.isFinite(issued.durationSeconds)) {
    values.push([MetricNames.IssuanceDurationSeconds, MetricUnit.Seconds, issued.durationSeconds]);
  }
  emitDocument(values, {
    [MetricKeys.certificate]: issued.name,
    notAfter: new Date(issued.notAfter).toISOString(),
  });
}

/**
 * After a failed issuance (the RecordFailure step). `ready` is the certificate's Ready condition
 * afterwards, when known: a failed renewal of a valid certificate stays ready.
 */
export function recordIssuanceFailure(failure: { name: string; reason: string; ready?: boolean }): void {
  const values: [string, Unit, number][] = [[MetricNames.IssuanceFailures, MetricUnit.Count, 1]];
  if (failure.ready !== undefined)
    values.push([MetricNames.CertificateReadyStatus, MetricUnit.Count, failure.ready ? 1 : 0]);
  emitDocument(values, { [MetricKeys.certificate]: failure.name, reason: failure.reason });
}

/** One request to an ACME CA, by status class (`2xx`, `4xx`, `5xx`, `network`): a handful of metrics in all. */
export function recordAcmeRequest(statusClass: string): void {
  emitDocument([[MetricNames.AcmeRequests, MetricUnit.Count, 1]], {}, { [MetricKeys.statusClass]: statusClass });
}

/**
 * A certificate inside the expiry warning window (the sweep). Here, and only here, the name is a
 * dimension: there are few such certificates, and each deserves its own graph.
 */
export function recordExpiring(expiring: { name: string; notAfter: Time; daysToExpiry: number }): void {
  emitDocument(
    [
      [MetricNames.DaysToExpiry, MetricUnit.NoUnit, expiring.daysToExpiry],
      [MetricNames.CertificateExpirationTimestampSeconds, MetricUnit.Seconds, seconds(expiring.notAfter)],
    ],
    { notAfter: new Date(expiring.notAfter).toISOString() },
    { [MetricKeys.certificate]: expiring.name },
  );
}

/**
 * The sweep's counts. Always stored, zeros included: `CertificatesExpiringSoon` every day is what
 * tells the alarms "nothing expires" apart from "the sweep did not run".
 */
export function recordSweep(counts: { due: number; expiring: number; errors: number }): void {
  metrics.addMetric(MetricNames.CertificatesDue, MetricUnit.Count, counts.due);
  metrics.addMetric(MetricNames.CertificatesExpiringSoon, MetricUnit.Count, counts.expiring);
  metrics.addMetric(MetricNames.SweepErrors, MetricUnit.Count, counts.errors);
}

/** Writes what the shared instance holds; nothing (and no warning) when it holds nothing. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** Wraps a handler so that the shared instance is flushed when it returns or throws. */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } finally {
      flushMetrics();
    }
  };
}
