import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface CertificateStorageProps {
  secretPrefix: string;
}

/**
 * The customer-managed KMS key and the secret name space (`<prefix>/…`) where certificates, keys
 * and ACME account keys live. Secrets are created at run time by the functions, so the grants
 * here are by name prefix.
 */
export class CertificateStorage extends Construct {
  readonly key: kms.Key;
  readonly secretPrefix: string;

  constructor(scope: Construct, id: string, props: CertificateStorageProps) {
    super(scope, id);
    this.secretPrefix = props.secretPrefix;
    this.key = new kms.Key(this, 'Key', {
      description: 'certflow: encrypts certificates, private keys and ACME account keys',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** ARN pattern of every secret under the prefix (Secrets Manager appends a random suffix). */
  secretArnPattern(): string {
    return Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${this.secretPrefix}/*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
  }

  /** Read, create, update and delete secrets under the prefix, encrypted with the key. */
  grantReadWrite(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:TagResource',
        ],
        resources: [this.secretArnPattern()],
      }),
    );
    this.key.grantEncryptDecrypt(grantee);
  }

  /** Read secrets under the prefix (ACME account keys). */
  grantRead(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [this.secretArnPattern()],
      }),
    );
    this.key.grantDecrypt(grantee);
  }
}
