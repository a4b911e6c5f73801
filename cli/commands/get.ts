/** `certflow get [NAME]`: the `kubectl get certificates` table. */
import type { CertificateView } from '../../shared/api/views.js';
import { getCondition } from '../../shared/domain/status.js';
import type { Command, CommandInput } from '../lib/command.js';
import { nowOf, print, printJson } from '../lib/context.js';
import { age, shortSecret, shortTime, table } from '../lib/format.js';

const HEADERS = ['NAME', 'READY', 'SECRET', 'NOT-AFTER', 'RENEWAL', 'AGE'];

/** One row of the table. */
export function certificateRow(view: CertificateView, now: Date, cwd: string): string[] {
  return [
    view.name,
    getCondition(view.status.conditions, 'Ready')?.status ?? 'Unknown',
    shortSecret(view.status.secretArn, cwd),
    shortTime(view.status.notAfter),
    shortTime(view.status.renewalTime),
    age(view.createdAt, now),
  ];
}

/** Every page of `GET /certificates`, since kubectl shows them all too. */
async function listAll(input: CommandInput): Promise<CertificateView[]> {
  const items: CertificateView[] = [];
  let nextToken: string | undefined;
  do {
    const { body } = await input.client.request<{ items: CertificateView[]; nextToken?: string }>(
      'GET',
      '/certificates',
      { query: nextToken ? { nextToken } : {} },
    );
    items.push(...body.items);
    nextToken = body.nextToken;
  } while (nextToken);
  return items;
}

async function run(input: CommandInput): Promise<number> {
  const { ctx, client, json, positionals } = input;
  const [name] = positionals;
  if (name !== undefined) {
    const { body } = await client.getCertificate(name);
    if (json) printJson(ctx, body);
    else print(ctx, table(HEADERS, [certificateRow(body, nowOf(ctx), ctx.cwd)]));
    return 0;
  }
  const items = await listAll(input);
  if (json) {
    printJson(ctx, { items });
    return 0;
  }
  if (!items.length) {
    ctx.stderr.write('No certificates found.\n');
    return 0;
  }
  const now = nowOf(ctx);
  print(
    ctx,
    table(
      HEADERS,
      items.map((view) => certificateRow(view, now, ctx.cwd)),
    ),
  );
  return 0;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'List certificates, or show one',
  synopsis: 'get [NAME]',
  help: '',
  options: {},
  positionals: ['[NAME]'],
  run,
};
