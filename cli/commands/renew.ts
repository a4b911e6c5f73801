/** `certflow renew NAME`: issue now, like `cmctl renew`. */
import type { CertificateView } from '../../shared/api/views.js';
import { type Command, type CommandInput, ref } from '../lib/command.js';
import { print, printJson } from '../lib/context.js';

async function run({ ctx, client, json, positionals }: CommandInput): Promise<number> {
  const name = positionals[0]!;
  const { body } = await client.request<CertificateView>('POST', `/certificates/${encodeURIComponent(name)}/renew`);
  if (json) printJson(ctx, body);
  else print(ctx, `Manually triggered issuance of ${ref(body.name)}`);
  return 0;
}

export const renewCommand: Command = {
  name: 'renew',
  summary: 'Issue a certificate again now',
  synopsis: 'renew NAME',
  help: '',
  options: {},
  positionals: ['NAME'],
  run,
};
