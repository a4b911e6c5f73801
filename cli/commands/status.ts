/** `certflow status NAME`: `cmctl status certificate`, conditions first, then the events. */
import type { CertificateView } from '../../shared/api/views.js';
import type { CertificateEvent } from '../../shared/domain/status.js';
import type { Command, CommandInput } from '../lib/command.js';
import { nowOf, print, printJson } from '../lib/context.js';
import { age, shortTime, table, timeWithDistance } from '../lib/format.js';

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(27)}${value}`;
}

/** The status as text lines, without the events. */
export function statusLines(view: CertificateView, now: Date): string[] {
  const { status, spec } = view;
  const issuedFor =
    status.revision !== undefined && status.revision !== view.revision
      ? ` (certificate issued for ${status.revision})`
      : '';
  const names = [...spec.dnsNames, ...spec.ipAddresses, ...spec.uris, ...spec.emailAddresses];
  const lines = [
    field('Name', view.name),
    field('Revision', `${view.revision}${issuedFor}`),
    field('Issuer', spec.issuerRef.name),
    field('Names', names.join(', ') || '-'),
    field('Created at', shortTime(view.createdAt)),
    'Conditions:',
  ];
  if (!status.conditions.length) lines.push('  <none>');
  for (const c of status.conditions) {
    lines.push(
      `  ${c.type}: ${c.status}, Reason: ${c.reason}, Message: ${c.message}`,
      `    Last Transition Time: ${timeWithDistance(c.lastTransitionTime, now)}`,
    );
  }
  const failures = status.lastFailureTime
    ? `${status.failedIssuanceAttempts} (last failure ${timeWithDistance(status.lastFailureTime, now)})`
    : String(status.failedIssuanceAttempts);
  lines.push(
    field('Not Before', timeWithDistance(status.notBefore, now)),
    field('Not After', timeWithDistance(status.notAfter, now)),
    field('Renewal Time', timeWithDistance(status.renewalTime, now)),
    field('Serial Number', status.serialNumber ?? '-'),
    field('Secret', status.secretArn ?? '-'),
    field('Failed Issuance Attempts', failures),
  );
  return lines;
}

/** The events as a table, newest last as the API returns them. */
export function eventLines(events: readonly CertificateEvent[], now: Date): string[] {
  if (!events.length) return ['Events: <none>'];
  const rows = events.map((e) => [e.type, e.reason, age(e.time, now), e.message]);
  return [
    'Events:',
    ...table(['TYPE', 'REASON', 'AGE', 'MESSAGE'], rows)
      .split('\n')
      .map((line) => `  ${line}`),
  ];
}

async function run(input: CommandInput): Promise<number> {
  const { ctx, client, json, positionals } = input;
  const name = positionals[0]!;
  const [{ body: view }, { body: events }] = await Promise.all([client.getCertificate(name), client.getEvents(name)]);
  if (json) {
    // The certificate as `get NAME -o json` prints it, with its events alongside.
    printJson(ctx, { ...view, events });
    return 0;
  }
  const now = nowOf(ctx);
  for (const line of [...statusLines(view, now), ...eventLines(events, now)]) print(ctx, line);
  return 0;
}

export const statusCommand: Command = {
  name: 'status',
  summary: "Show a certificate's conditions, dates and events",
  synopsis: 'status NAME',
  help: '',
  options: {},
  positionals: ['NAME'],
  run,
};
