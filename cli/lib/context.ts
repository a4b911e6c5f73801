/**
 * What a command may touch of the outside world. Commands never use `process.*` directly, so tests
 * run them in-process with their own streams, environment and clock.
 */
import type { Credentials, CredentialProvider } from './sigv4.js';

/** Anything with `write`: `process.stdout`, or a collecting buffer in tests. */
export interface Writer {
  write(text: string): unknown;
}

export interface CliContext {
  argv: readonly string[];
  stdout: Writer;
  stderr: Writer;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Read by `apply -f -`. */
  stdin?: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Defaults to the AWS default credential chain (`fromNodeProviderChain`). */
  credentials?: Credentials | CredentialProvider;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** A failure to report as `error: <message>` with exit code 1. */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong: exit code 2, with a pointer to `--help`. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function nowOf(ctx: CliContext): Date {
  return ctx.now ? ctx.now() : new Date();
}

export function sleepOf(ctx: CliContext): (ms: number) => Promise<void> {
  return ctx.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
}

/** Writes a line to stdout. */
export function print(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

/** Writes the value as indented JSON, for `-o json`. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
