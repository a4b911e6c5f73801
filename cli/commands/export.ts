/** `certflow export NAME --out DIR [--force]`: write `tls.crt`, `tls.key` and `ca.crt`. */
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { BUNDLE_FILES } from '../../shared/domain/bundle.js';
import { readBundle } from '../lib/bundle.js';
import { type Command, type CommandInput, DIR_OPTION, ref, stateDir } from '../lib/command.js';
import { CliError, UsageError, print, printJson } from '../lib/context.js';

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
const DIR_MODE = 0o700;

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes a complete file under a temporary name, created with its final mode (so a key is never
 * readable by others, not even while being written), then publishes it: `link` fails if the name
 * was taken meanwhile, `rename` replaces whatever is there (`--force`).
 */
async function publish(path: string, text: string, mode: number, force: boolean): Promise<void> {
  const temp = join(resolve(path, '..'), `.${randomBytes(6).toString('hex')}.certflow.tmp`);
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    if (force) await rename(temp, path);
    else await link(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${path} already exists (use --force to overwrite)`);
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(temp, { force: true });
  }
}

async function run({ ctx, client, json, positionals, values }: CommandInput): Promise<number> {
  const name = positionals[0]!;
  if (typeof values.out !== 'string') throw new UsageError('export: --out DIR is required');
  const out = resolve(ctx.cwd, values.out);
  const force = values.force === true;
  const paths = BUNDLE_FILES.map((file) => join(out, file));
  // Checked before anything is read or written, so a refusal leaves no partial export behind.
  if (!force) {
    const taken = [];
    for (const path of paths) if (await exists(path)) taken.push(path);
    if (taken.length) {
      throw new CliError(
        `${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''} (use --force to overwrite)`,
      );
    }
  }
  const bundle = await readBundle({ ctx, client, name, dir: stateDir(ctx, values) });
  await mkdir(out, { recursive: true, mode: DIR_MODE });
  for (const file of BUNDLE_FILES) {
    await publish(join(out, file), bundle[file], file === 'tls.key' ? KEY_MODE : CERT_MODE, force);
  }
  if (json) {
    printJson(ctx, { name, files: Object.fromEntries(BUNDLE_FILES.map((file, i) => [file, paths[i]])) });
    return 0;
  }
  const shown = relative(ctx.cwd, out) || '.';
  print(ctx, `${ref(name)} exported to ${shown}: tls.crt, tls.key (mode 0600), ca.crt`);
  return 0;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write tls.crt, tls.key and ca.crt to a directory',
  synopsis: 'export NAME --out DIR [--force] [--dir STATE_DIR]',
  help: `  --out DIR    where to write the files (created 0700 if missing)
  --force      overwrite existing files
  --dir DIR    local mode: the service's state directory (env CERTFLOW_HOME, default .certflow)`,
  options: { out: { type: 'string' }, force: { type: 'boolean' }, ...DIR_OPTION },
  positionals: ['NAME'],
  run,
};
