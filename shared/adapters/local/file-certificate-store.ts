/**
 * Certificates, pending keys and ACME account keys on the local disk, for local mode.
 *
 * Layout under `dir`:
 * ```
 * certificates/<name>/versions/0001/{tls.crt,tls.key,ca.crt,issuance-id,tags.json}
 * certificates/<name>/current            names the current version directory
 * pending/<name>/<issuanceId>.key
 * acme-accounts/<issuer>.json
 * ```
 * Files are created 0600 and directories 0700 at creation, so a key is never readable by others,
 * not even for an instant. Every write lands in a temporary name first and is renamed into
 * place, so a reader (or a crash) never sees half a certificate.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StoreError, TransientError, messageOf } from '../../errors.js';
import type { AccountKeyStore } from '../../ports/acme.js';
import { BUNDLE_FILES, type CertificateBundle } from '../../domain/bundle.js';
import type { CertificateStore, StoredCertificate } from '../../ports/certificate-store.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const VERSION_DIR = /^\d{4,}$/;
// A leading character other than '.' rules out '.', '..' and hidden temporaries.
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._@+=-]{0,199}$/;

/** Options of {@link FileCertificateStore} and {@link FileAccountKeyStore}. */
export interface FileStoreOptions {
  /** Root directory, e.g. `.certflow`; created on first write. */
  dir: string;
}

function segment(kind: string, value: string): string {
  if (!SAFE_SEGMENT.test(value)) throw new StoreError(`file: ${kind} "${value}" cannot be used as a file name`);
  return value;
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | null)?.code ?? '');
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw new StoreError(`file: cannot read ${path}: ${messageOf(error)}`, { cause: error });
  }
}

function tempName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Replaces `path` with `text` atomically: write a fresh 0600 temporary file, then rename it. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = tempName(path);
  try {
    await writeFile(temp, text, { mode: FILE_MODE, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new StoreError(`file: cannot write ${path}: ${messageOf(error)}`, { cause: error });
  }
}

/** {@link CertificateStore} on the local disk, keeping every version as its own directory. */
export class FileCertificateStore implements CertificateStore {
  readonly #root: string;

  constructor(options: FileStoreOptions) {
    this.#root = resolve(options.dir);
  }

  /** Absolute directory of certificate `name`. */
  certificateDir(name: string): string {
    return join(this.#root, 'certificates', segment('certificate name', name));
  }

  async readCurrent(name: string): Promise<StoredCertificate | undefined> {
    const current = (await readOptional(join(this.certificateDir(name), 'current')))?.trim();
    return current ? this.readVersion(name, current) : undefined;
  }

  /** One stored version (the current one or an older one), or undefined if there is none. */
  async readVersion(name: string, versionId: string): Promise<StoredCertificate | undefined> {
    if (!VERSION_DIR.test(versionId)) return undefined;
    const certDir = this.certificateDir(name);
    const versionDir = join(certDir, 'versions', versionId);
    const [crt, key, ca] = await Promise.all(BUNDLE_FILES.map((file) => readOptional(join(versionDir, file))));
    if (crt === undefined || key === undefined || ca === undefined) return undefined;
    return { 'tls.crt': crt, 'tls.key': key, 'ca.crt': ca, secretArn: `file://${certDir}`, versionId };
  }

  /** Version ids of certificate `name`, oldest first. */
  async listVersions(name: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(join(this.certificateDir(name), 'versions'));
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw new StoreError(`file: cannot list versions of "${name}": ${messageOf(error)}`, { cause: error });
    }
    return entries.filter((e) => VERSION_DIR.test(e)).sort((a, b) => Number(a) - Number(b));
  }

  /**
   * Adds a version directory, then points `current` at it. A version already written for
   * `issuanceId` is returned as is; it becomes current again only if it is still the newest, so a
   * late retry never rolls back a later issuance.
   */
  async putCurrent(
    name: string,
    issuanceId: string,
    bundle: CertificateBundle,
    tags: Record<string, string>,
  ): Promise<{ secretArn: string; versionId: string }> {
    const certDir = this.certificateDir(name);
    const versionsDir = join(certDir, 'versions');
    const secretArn = `file://${certDir}`;
    const versions = await this.listVersions(name);
    for (const versionId of versions) {
      if ((await readOptional(join(versionsDir, versionId, 'issuance-id'))) !== issuanceId) continue;
      // A crash between the version's rename and the `current` update leaves it newest but not current.
      if (versionId === versions.at(-1)) await writeAtomic(join(certDir, 'current'), versionId);
      return { secretArn, versionId };
    }

    await mkdir(versionsDir, { recursive: true, mode: DIR_MODE });
    const temp = await mkdtemp(join(versionsDir, '.tmp-'));
    try {
      await Promise.all([
        ...BUNDLE_FILES.map((file) => writeFile(join(temp, file), bundle[file], { mode: FILE_MODE, flag: 'wx' })),
        writeFile(join(temp, 'issuance-id'), issuanceId, { mode: FILE_MODE, flag: 'wx' }),
        writeFile(join(temp, 'tags.json'), JSON.stringify(tags, null, 2), { mode: FILE_MODE, flag: 'wx' }),
      ]);
      let versionId = nextVersion(versions);
      for (let attempt = 0; ; attempt++) {
        try {
          await rename(temp, join(versionsDir, versionId));
          break;
        } catch (error) {
          // Another writer took this number (a version directory is never empty): take the next.
          if (!isCode(error, 'ENOTEMPTY', 'EEXIST') || attempt >= 20) throw error;
          versionId = nextVersion(await this.listVersions(name));
        }
      }
      await writeAtomic(join(certDir, 'current'), versionId);
      return { secretArn, versionId };
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      if (error instanceof StoreError) throw error;
      throw new StoreError(`file: cannot store certificate "${name}": ${messageOf(error)}`, { cause: error });
    }
  }

  async putPendingKey(name: string, issuanceId: string, keyPem: string): Promise<void> {
    const dir = join(this.#root, 'pending', segment('certificate name', name));
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    // Replacing is right: a retried Finalize generates a fresh key before it calls the CA.
    await writeAtomic(this.#pendingPath(name, issuanceId), keyPem);
  }

  async readPendingKey(name: string, issuanceId: string): Promise<string | undefined> {
    return readOptional(this.#pendingPath(name, issuanceId));
  }

  async discardPendingKey(name: string, issuanceId: string): Promise<void> {
    await rm(this.#pendingPath(name, issuanceId), { force: true });
  }

  #pendingPath(name: string, issuanceId: string): string {
    return join(this.#root, 'pending', segment('certificate name', name), `${segment('issuance id', issuanceId)}.key`);
  }
}

function nextVersion(versions: readonly string[]): string {
  const last = versions.length ? Number(versions.at(-1)) : 0;
  return String(last + 1).padStart(4, '0');
}

type AccountRecord = { keyPem: string; accountUrl?: string; server?: string };

function parseAccount(path: string, text: string): AccountRecord {
  try {
    const value = JSON.parse(text) as AccountRecord;
    if (typeof value.keyPem === 'string') return value;
  } catch {
    // The parser's message may quote the key: report only that the file is malformed.
  }
  throw new StoreError(`file: account file ${path} is malformed`);
}

/** {@link AccountKeyStore} on the local disk: `acme-accounts/<issuer>.json`, mode 0600. */
export class FileAccountKeyStore implements AccountKeyStore {
  readonly #dir: string;

  constructor(options: FileStoreOptions) {
    this.#dir = join(resolve(options.dir), 'acme-accounts');
  }

  /** Absolute path of the account file of `issuerName`. */
  accountPath(issuerName: string): string {
    return join(this.#dir, `${segment('issuer name', issuerName)}.json`);
  }

  async get(issuerName: string): Promise<AccountRecord | undefined> {
    const path = this.accountPath(issuerName);
    const text = await readOptional(path);
    return text === undefined ? undefined : parseAccount(path, text);
  }

  /**
   * Creates the file if absent. The content goes to a temporary file opened with `wx`, which is
   * then hard-linked to its name: the link either fails with EEXIST or publishes a complete file,
   * so concurrent creators agree on one key and none ever reads a half-written one.
   */
  async createIfAbsent(issuerName: string, keyPem: string): Promise<AccountRecord> {
    const path = this.accountPath(issuerName);
    await mkdir(this.#dir, { recursive: true, mode: DIR_MODE });
    const temp = tempName(path);
    try {
      await writeFile(temp, JSON.stringify({ keyPem }, null, 2), { mode: FILE_MODE, flag: 'wx' });
      await link(temp, path);
      return { keyPem };
    } catch (error) {
      if (!isCode(error, 'EEXIST')) {
        throw new StoreError(`file: cannot create account of issuer "${issuerName}": ${messageOf(error)}`, {
          cause: error,
        });
      }
    } finally {
      await rm(temp, { force: true });
    }
    const existing = await this.get(issuerName);
    if (!existing) throw new TransientError(`file: account of issuer "${issuerName}" vanished while being created`);
    return existing;
  }

  async setAccountUrl(issuerName: string, server: string, accountUrl: string): Promise<void> {
    const existing = await this.get(issuerName);
    if (!existing) throw new StoreError(`file: issuer "${issuerName}" has no account key`);
    if (existing.server === server && existing.accountUrl === accountUrl) return;
    await writeAtomic(
      this.accountPath(issuerName),
      JSON.stringify({ keyPem: existing.keyPem, accountUrl, server }, null, 2),
    );
  }
}
