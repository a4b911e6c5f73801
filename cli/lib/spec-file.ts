/** Reads the certificate spec of `apply -f`: JSON or YAML, from a file or stdin. */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type CliContext, CliError, UsageError } from './context.js';

/** Larger than any spec the API accepts (64 KiB), small enough to never exhaust memory. */
const MAX_SPEC_BYTES = 1024 * 1024;

async function readStdin(ctx: CliContext): Promise<string> {
  if (!ctx.stdin) throw new UsageError('-f -: no standard input to read');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += buffer.length;
    if (size > MAX_SPEC_BYTES) throw new CliError(`stdin: larger than ${MAX_SPEC_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** YAML is a superset of JSON, so stdin and `.yaml`/`.yml` files take either. */
function parseYaml(source: string, text: string): unknown {
  const documents = parseAllDocuments(text).filter((doc) => doc.contents !== null);
  if (documents.length !== 1) {
    throw new CliError(`${source}: holds ${documents.length} documents; give one certificate spec per file`);
  }
  const [document] = documents;
  const problem = document?.errors[0];
  if (problem) throw new CliError(`${source}: ${problem.message.split('\n')[0]}`);
  return document?.toJS();
}

/**
 * Returns the spec, parsed, from `file` (`-` for stdin). The API validates it; here only the
 * syntax is checked, so a typo gets the parser's line and column rather than a 400.
 */
export async function readSpecFile(ctx: CliContext, file: string): Promise<unknown> {
  const extension = extname(file).toLowerCase();
  if (file !== '-' && !['.json', '.yaml', '.yml'].includes(extension)) {
    throw new UsageError(`-f ${file}: expected a .json, .yaml or .yml file, or - for stdin`);
  }
  let text: string;
  try {
    text = file === '-' ? await readStdin(ctx) : await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const source = file === '-' ? 'stdin' : file;
  if (text.trim() === '') throw new CliError(`${source}: is empty`);
  if (extension !== '.json') return parseYaml(source, text);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source}: ${(error as Error).message}`);
  }
}
