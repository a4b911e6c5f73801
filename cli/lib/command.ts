/** The shape every command shares, and the options every command accepts. */
import type { ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import type { ApiClient } from './client.js';
import type { CliContext } from './context.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

/** Accepted by every command, before or after the command name. */
export const GLOBAL_OPTIONS = {
  endpoint: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsConfig;

export const GLOBAL_HELP = `Global options:
  --endpoint URL     API endpoint (env CERTFLOW_ENDPOINT, default http://127.0.0.1:8080)
  --stack NAME       take the endpoint from a deployed stack's ApiUrl output (env CERTFLOW_STACK)
  --region REGION    AWS region to sign for (default: from the endpoint host, then AWS_REGION)
  -o, --output json  print the API's JSON instead of text
  -h, --help         show this help`;

/** The local store directory option of `export` and `inspect`. */
export const DIR_OPTION = { dir: { type: 'string' } } as const satisfies OptionsConfig;

export interface CommandInput {
  ctx: CliContext;
  values: OptionValues;
  positionals: string[];
  /** `-o json`. */
  json: boolean;
  client: ApiClient;
}

export interface Command {
  name: string;
  /** One line for `certflow --help`, after the synopsis. */
  summary: string;
  /** `apply -f FILE [--wait]`. */
  synopsis: string;
  /** The command's own options, shown under its synopsis in its help. */
  help: string;
  options: OptionsConfig;
  /** Names of the positionals, required ones first; `[NAME]` is optional. */
  positionals: readonly string[];
  run(input: CommandInput): Promise<number>;
}

/** `--dir`, else `CERTFLOW_HOME`, else `.certflow` in the current directory (where `npm run local` keeps state). */
export function stateDir(ctx: CliContext, values: OptionValues): string {
  const dir = (values.dir as string | undefined) ?? ctx.env.CERTFLOW_HOME ?? '.certflow';
  return resolve(ctx.cwd, dir);
}

/** `certificate/<name>`, as kubectl names a resource. */
export function ref(name: string): string {
  return `certificate/${name}`;
}
