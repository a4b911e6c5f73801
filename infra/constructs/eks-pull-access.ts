/**
 * IRSA pull mode: for a workload that reads its certificate itself (the AWS Secrets Store CSI
 * provider, or its own SDK call), so the private key never lands in etcd. One IAM role per
 * service account and certificate, assumable only by that service account of that cluster, that
 * can read only that certificate's secret and decrypt it only through Secrets Manager.
 */
import { Arn, ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type PullAccessConfig, oidcIssuerOf } from '../config/delivery-config.js';
import type { CertificateStorage } from './certificate-storage.js';

export interface EksPullAccessProps {
  storage: CertificateStorage;
  access: readonly PullAccessConfig[];
}

/** Secrets Manager appends `-` and six random characters to a secret's name in its ARN. */
const SECRET_SUFFIX = '-??????';

/**
 * The ARN pattern of exactly one certificate's secret. `?` rather than `*`: with `web-*`, the
 * role for "web" could also read the secret of a certificate named "web-admin".
 */
export function certificateSecretArn(storage: CertificateStorage, certificate: string): string {
  return Arn.format(
    {
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${storage.secretPrefix}/certificates/${certificate}${SECRET_SUFFIX}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    },
    Stack.of(storage),
  );
}

/** One role per entry of `delivery.pullAccess`, in its order. */
export class EksPullAccess extends Construct {
  readonly roles: iam.Role[];

  constructor(scope: Construct, id: string, props: EksPullAccessProps) {
    super(scope, id);
    this.roles = props.access.map((entry, i) => {
      const issuer = oidcIssuerOf(entry.oidcProviderArn);
      const [namespace, name] = entry.serviceAccount.split('/') as [string, string];
      const role = new iam.Role(this, `Role${i + 1}`, {
        description: `certflow: lets service account ${entry.serviceAccount} read certificate ${entry.certificate}`,
        assumedBy: new iam.FederatedPrincipal(
          entry.oidcProviderArn,
          {
            StringEquals: {
              [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${name}`,
              [`${issuer}:aud`]: 'sts.amazonaws.com',
            },
          },
          'sts:AssumeRoleWithWebIdentity',
        ),
      });
      const secretArn = certificateSecretArn(props.storage, entry.certificate);
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [secretArn],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.storage.key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` },
            // Secrets Manager names the secret in the encryption context: the key opens this one only.
            StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
          },
        }),
      );
      return role;
    });
  }
}
