/** `certflow delete NAME [--revoke]`: stop managing a certificate; its secret is kept. */
import { type Command, type CommandInput, ref } from '../lib/command.js';
import { print, printJson } from '../lib/context.js';

async function run({ ctx, client, json, positionals, values }: CommandInput): Promise<number> {
  const name = positionals[0]!;
  const { body } = await client.request<{ name: string; deleted: boolean; revoked: boolean }>(
    'DELETE',
    `/certificates/${encodeURIComponent(name)}`,
    { query: values.revoke ? { revoke: 'true' } : {} },
  );
  if (json) {
    printJson(ctx, body);
    return 0;
  }
  const note =
    values.revoke && !body.revoked ? ' (nothing to revoke: it was never issued)' : body.revoked ? ' (revoked)' : '';
  print(ctx, `${ref(body.name)} deleted${note}`);
  return 0;
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Stop managing a certificate (its secret is kept)',
  synopsis: 'delete NAME [--revoke]',
  help: '  --revoke   also revoke the current certificate at its CA first',
  options: { revoke: { type: 'boolean' } },
  positionals: ['NAME'],
  run,
};
