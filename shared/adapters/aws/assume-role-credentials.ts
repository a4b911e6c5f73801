/**
 * Credentials of a role in another account (cross-account Route53): STS AssumeRole with the
 * zone owner's external id, cached until five minutes before they expire.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { DnsError } from '../../errors.js';
import { translateAwsError } from './aws-errors.js';

export interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const REFRESH_BEFORE_MS = 5 * 60_000;

/** A credential provider for the SDK: `new Route53Client({ credentials: assumeRole(...) })`. */
export function assumeRole(options: {
  sts: STSClient;
  roleArn: string;
  externalId?: string;
  sessionName?: string;
  now?: () => number;
}): () => Promise<AssumedCredentials> {
  const now = options.now ?? Date.now;
  let cached: AssumedCredentials | undefined;
  return async () => {
    if (cached && cached.expiration.getTime() - REFRESH_BEFORE_MS > now()) return cached;
    let answer;
    try {
      answer = await options.sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName ?? 'certflow-dns01',
          ...(options.externalId ? { ExternalId: options.externalId } : {}),
          DurationSeconds: 900,
        }),
      );
    } catch (error) {
      throw translateAwsError('sts', `assuming ${options.roleArn}`, error, DnsError);
    }
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new DnsError(`sts: assuming ${options.roleArn} returned no credentials`);
    }
    cached = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    return cached;
  };
}
