/**
 * The current certificate with its key, which the API never returns: from the local store in
 * local mode, from Secrets Manager (the secret `status.secretArn` names) against a deployed API.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FileCertificateStore } from '../../shared/adapters/local/file-certificate-store.js';
import { type CertificateBundle, parseCertificateBundle } from '../../shared/domain/bundle.js';
import { StoreError } from '../../shared/errors.js';
import type { ApiClient } from './client.js';
import { type CliContext, CliError } from './context.js';

export interface ReadBundleOptions {
  ctx: CliContext;
  client: ApiClient;
  name: string;
  /** Local store directory, used in local mode only. */
  dir: string;
}

async function fromLocalStore(name: string, dir: string): Promise<CertificateBundle> {
  const stored = await new FileCertificateStore({ dir }).readCurrent(name);
  if (!stored) {
    throw new CliError(
      `certificate "${name}" has no issued certificate in ${dir} (not issued yet, or the local service keeps its state elsewhere: pass --dir or set CERTFLOW_HOME)`,
    );
  }
  return { 'tls.crt': stored['tls.crt'], 'tls.key': stored['tls.key'], 'ca.crt': stored['ca.crt'] };
}

function regionOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:secretsmanager:([^:]+):/.exec(arn)?.[1];
}

/** The shared parser, with the CLI's own error: it tells the user which keys were expected. */
function parseSecret(arn: string, secretString: string | undefined): CertificateBundle {
  try {
    return parseCertificateBundle(secretString, `secretsmanager: secret ${arn}`);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    throw new CliError(`secretsmanager: secret ${arn} is not a certificate bundle (tls.crt, tls.key, ca.crt)`, {
      cause: error,
    });
  }
}

async function fromSecretsManager(ctx: CliContext, client: ApiClient, name: string): Promise<CertificateBundle> {
  const { body: view } = await client.getCertificate(name);
  const arn = view.status.secretArn;
  if (!arn) throw new CliError(`certificate "${name}" has not been issued yet (see: certflow status ${name})`);
  const secrets = new SecretsManagerClient({
    region: regionOfArn(arn) ?? client.region(),
    ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
  });
  try {
    const answer = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    return parseSecret(arn, answer.SecretString);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const { name: code, message } = error as Error;
    throw new CliError(`secretsmanager: cannot read ${arn}: ${code}: ${message}`, { cause: error });
  } finally {
    secrets.destroy();
  }
}

/** Reads the current bundle of certificate `name`. */
export async function readBundle(options: ReadBundleOptions): Promise<CertificateBundle> {
  const { ctx, client, name, dir } = options;
  return client.local ? fromLocalStore(name, dir) : fromSecretsManager(ctx, client, name);
}
