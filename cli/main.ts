/**
 * certflow's command line, in cmctl's manner: `certflow <command> [NAME] [options]`.
 * Exit codes: 0 done, 1 the API or the work failed, 2 the command line is wrong.
 */
import { parseArgs } from 'node:util';
import { ApiClient, ApiError, DEFAULT_ENDPOINT } from './lib/client.js';
import { endpointFromStack } from './lib/stack-endpoint.js';
import { type Command, GLOBAL_HELP, GLOBAL_OPTIONS, type OptionValues, type OptionsConfig } from './lib/command.js';
import { applyCommand } from './commands/apply.js';
import { deleteCommand } from './commands/delete.js';
import { exportCommand } from './commands/export.js';
import { getCommand } from './commands/get.js';
import { inspectCommand } from './commands/inspect.js';
import { renewCommand } from './commands/renew.js';
import { statusCommand } from './commands/status.js';
import { type CliContext, UsageError, print } from './lib/context.js';

export type { CliContext } from './lib/context.js';

export const COMMANDS: readonly Command[] = [
  applyCommand,
  getCommand,
  statusCommand,
  renewCommand,
  deleteCommand,
  exportCommand,
  inspectCommand,
];

/** Every option of every command: enough to tell option values from the command name. */
const ALL_OPTIONS: OptionsConfig = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options));

function overview(): string {
  const heads = COMMANDS.map((c) => [c.name, ...c.positionals].join(' '));
  const width = Math.max(...heads.map((head) => head.length));
  const lines = COMMANDS.map((c, i) => `  ${heads[i]!.padEnd(width)}   ${c.summary}`);
  return [
    'certflow: certificates from ACME and private CAs, issued and renewed by the certflow service.',
    '',
    'Usage: certflow <command> [NAME] [options]',
    '',
    'Commands:',
    ...lines,
    '',
    GLOBAL_HELP,
    '',
    "Run 'certflow <command> --help' for a command's options.",
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `${command.summary}.`,
    '',
    `Usage: certflow ${command.synopsis} [global options]`,
    ...(command.help ? ['', 'Options:', command.help] : []),
    '',
    GLOBAL_HELP,
  ].join('\n');
}

function checkPositionals(command: Command, positionals: string[]): void {
  const required = command.positionals.filter((p) => !p.startsWith('['));
  const missing = required[positionals.length];
  if (missing) throw new UsageError(`${command.name}: ${missing} is required`);
  const extra = positionals[command.positionals.length];
  if (extra !== undefined) throw new UsageError(`${command.name}: unexpected argument "${extra}"`);
}

async function dispatch(ctx: CliContext): Promise<number> {
  const argv = [...ctx.argv];
  const { tokens } = parseArgs({
    args: argv,
    options: ALL_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((token) => token.kind === 'positional');
  const wantsHelp = tokens.some((token) => token.kind === 'option' && token.name === 'help');
  if (!first || first.value === 'help') {
    const topic = first ? tokens.find((t) => t.kind === 'positional' && t.index > first.index) : undefined;
    const command = topic?.kind === 'positional' ? COMMANDS.find((c) => c.name === topic.value) : undefined;
    if (first || wantsHelp) {
      print(ctx, command ? commandHelp(command) : overview());
      return 0;
    }
    ctx.stderr.write(`${overview()}\n`);
    return 2;
  }
  const command = COMMANDS.find((c) => c.name === first.value);
  if (!command) throw new UsageError(`unknown command "${first.value}"`);

  let values: OptionValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.filter((_, index) => index !== first.index),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message}`);
  }
  if (values.help) {
    print(ctx, commandHelp(command));
    return 0;
  }
  checkPositionals(command, positionals);
  if (values.output !== undefined && values.output !== 'json') {
    throw new UsageError(`--output: "${String(values.output)}" is not supported (use json)`);
  }
  const stack = (values.stack as string | undefined) ?? ctx.env.CERTFLOW_STACK;
  const explicit = (values.endpoint as string | undefined) ?? ctx.env.CERTFLOW_ENDPOINT;
  if (stack && values.endpoint) throw new UsageError('--endpoint and --stack: give one of them');
  const endpoint =
    (stack && !values.endpoint
      ? await endpointFromStack(stack, { region: values.region as string | undefined })
      : explicit) ?? DEFAULT_ENDPOINT;
  const client = new ApiClient({
    endpoint,
    region: values.region as string | undefined,
    env: ctx.env,
    fetch: ctx.fetch,
    credentials: ctx.credentials,
  });
  return command.run({ ctx, values, positionals, json: values.output === 'json', client });
}

/** Runs one command line and returns its exit code; failures are reported on `ctx.stderr`. */
export async function main(ctx: CliContext): Promise<number> {
  try {
    return await dispatch(ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr.write(`error: ${error.message}\nRun 'certflow --help' for usage.\n`);
      return 2;
    }
    if (error instanceof ApiError) {
      ctx.stderr.write(`error: ${error.message}${error.field ? ` (field: ${error.field})` : ''}\n`);
      return 1;
    }
    ctx.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** The real process: its arguments, streams, environment and working directory. */
export function processContext(): CliContext {
  return {
    argv: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
  };
}
