/** `certflow inspect NAME`: what the current certificate says, read the way `export` reads it. */
import {
  type CertificateInfo,
  keyMatchesCertificate,
  parseCertificate,
  splitPemChain,
} from '../../shared/domain/certificate-info.js';
import { readBundle } from '../lib/bundle.js';
import { type Command, type CommandInput, DIR_OPTION, stateDir } from '../lib/command.js';
import { nowOf, print, printJson } from '../lib/context.js';
import { timeWithDistance } from '../lib/format.js';

/** What `inspect` shows: certificate facts only, never the key itself. */
export interface Inspection extends CertificateInfo {
  name: string;
  /** Certificates in `tls.crt`, the leaf included. */
  chainLength: number;
  caSubject?: string;
  keyMatchesCertificate: boolean;
}

function inspection(name: string, bundle: { 'tls.crt': string; 'tls.key': string; 'ca.crt': string }): Inspection {
  const info = parseCertificate(bundle['tls.crt']);
  let matches = false;
  try {
    matches = keyMatchesCertificate(bundle['tls.key'], bundle['tls.crt']);
  } catch {
    // An unreadable key does not match; its parse error is not shown as it may quote the key.
  }
  const [ca] = splitPemChain(bundle['ca.crt']);
  let caSubject: string | undefined;
  try {
    caSubject = ca ? parseCertificate(ca).subject : undefined;
  } catch {
    caSubject = undefined;
  }
  return {
    name,
    ...info,
    chainLength: splitPemChain(bundle['tls.crt']).length,
    caSubject,
    keyMatchesCertificate: matches,
  };
}

function row(label: string, value: string): string {
  return `${`${label}:`.padEnd(22)}${value}`;
}

async function run({ ctx, client, json, positionals, values }: CommandInput): Promise<number> {
  const name = positionals[0]!;
  const bundle = await readBundle({ ctx, client, name, dir: stateDir(ctx, values) });
  const info = inspection(name, bundle);
  if (json) {
    printJson(ctx, info);
    return 0;
  }
  const now = nowOf(ctx);
  const lines = [
    row('Name', name),
    row('Subject', info.subject || '-'),
    row('DNS Names', info.dnsNames.join(', ') || '-'),
  ];
  if (info.ipAddresses.length) lines.push(row('IP Addresses', info.ipAddresses.join(', ')));
  if (info.uris.length) lines.push(row('URIs', info.uris.join(', ')));
  if (info.emailAddresses.length) lines.push(row('Email Addresses', info.emailAddresses.join(', ')));
  const size = info.publicKeyAlgorithm === 'Ed25519' ? '' : ` ${info.publicKeySize}`;
  lines.push(
    row('Issuer', info.issuer || '-'),
    row('Serial Number', info.serialNumber),
    row('Not Before', timeWithDistance(info.notBefore, now)),
    row('Not After', timeWithDistance(info.notAfter, now)),
    row('Key', `${info.publicKeyAlgorithm}${size}${info.keyMatchesCertificate ? '' : ' (private key does NOT match)'}`),
    row('Is CA', String(info.isCA)),
    row('Chain', `${info.chainLength} certificate${info.chainLength === 1 ? '' : 's'} in tls.crt`),
    row('CA (ca.crt)', info.caSubject ?? '-'),
    row('SHA-256 Fingerprint', info.fingerprintSha256),
  );
  for (const line of lines) print(ctx, line);
  return 0;
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Show what the current certificate contains (never the key)',
  synopsis: 'inspect NAME [--dir STATE_DIR]',
  help: "  --dir DIR    local mode: the service's state directory (env CERTFLOW_HOME, default .certflow)",
  options: { ...DIR_OPTION },
  positionals: ['NAME'],
  run,
};
