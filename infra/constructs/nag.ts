/**
 * cdk-nag (AwsSolutions) findings that certflow accepts, each acknowledged on the construct it
 * concerns, for the exact finding, with the reason.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { CertificateStorage } from './certificate-storage.js';
import type { StepGrants } from './certflow-function.js';

/** Renders a possibly tokenised string the way cdk-nag names resources in finding ids. */
export function nagName(scope: IConstruct, value: string): string {
  const render = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if ('Ref' in o) return `<${String(o.Ref)}>`;
      if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
      if ('Fn::Join' in o) {
        const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(render).join(separator);
      }
    }
    return JSON.stringify(node);
  };
  return render(Stack.of(scope).resolve(value));
}

const IAM5 = 'AwsSolutions-IAM5';

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Findings on a function's role: only those its grants produce, so a wildcard that
 * someone adds later is reported, not silently covered.
 */
export function acknowledgeFunction(
  fn: lambda.IFunction,
  grants: StepGrants,
  storage: CertificateStorage,
  route53: { used: boolean; anyZone: boolean },
): void {
  ack(
    fn,
    'AwsSolutions-L1',
    'The owner pins nodejs22.x (DESIGN.md): nodejs20.x is deprecated and 22 is what the code is tested on.',
  );
  ack(
    fn,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The basic execution role only lets the function write its own CloudWatch Logs.',
  );
  if (grants.secrets) {
    ack(
      fn,
      `${IAM5}[Resource::${nagName(fn, storage.secretArnPattern())}]`,
      'Secrets are created at run time, one per certificate and per issuance, all under the certflow prefix; the name pattern is the scope.',
    );
  }
  if (grants.secrets === 'readWrite' || grants.inventory) {
    ack(
      fn,
      `${IAM5}[Action::kms:ReEncrypt*]`,
      'CDK grantEncryptDecrypt on the one customer-managed key of certflow; Secrets Manager and DynamoDB re-encrypt with it.',
    );
    ack(
      fn,
      `${IAM5}[Action::kms:GenerateDataKey*]`,
      'Secrets Manager and DynamoDB envelope-encrypt with data keys of the certflow key.',
    );
  }
  if (grants.route53 === 'wait' && route53.used) {
    ack(
      fn,
      `${IAM5}[Resource::arn:<AWS::Partition>:route53:::change/*]`,
      'GetChange ids are only known after the change; change ids carry no data.',
    );
  }
  if (grants.route53 === 'write' && route53.anyZone) {
    ack(
      fn,
      `${IAM5}[Resource::arn:<AWS::Partition>:route53:::hostedzone/*]`,
      'A solver without hostedZoneId finds its zone by name; the change itself is limited to TXT records named _acme-challenge.* by condition keys.',
    );
    ack(fn, `${IAM5}[Resource::*]`, 'route53:ListHostedZonesByName supports no resource-level permission.');
  }
}

/** Findings on the state machine's role. */
export function acknowledgeStateMachine(stateMachine: IConstruct, functions: lambda.IFunction[]): void {
  for (const fn of functions) {
    ack(
      stateMachine,
      `${IAM5}[Resource::${nagName(stateMachine, fn.functionArn)}:*]`,
      'CDK lets the state machine invoke any version of its own step function.',
    );
  }
  ack(
    stateMachine,
    `${IAM5}[Resource::*]`,
    'X-Ray tracing (PutTraceSegments) and CloudWatch Logs delivery support no resource-level permission.',
  );
}

/** Findings on the REST API. */
export function acknowledgeApi(api: IConstruct): void {
  ack(
    api,
    'AwsSolutions-APIG3',
    'Every method requires IAM (SigV4) auth and the stage is throttled; a WAF web ACL can be attached by the operator where the API is exposed beyond IAM principals.',
  );
  ack(
    api,
    'AwsSolutions-COG4',
    'The API uses IAM (SigV4) authorization, not Cognito: callers are AWS principals (CI roles, operators, the CLI).',
  );
  ack(
    api,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'The account-level role API Gateway needs to write execution logs; it only writes CloudWatch Logs.',
  );
}

/** `grantInvoke` also covers the target's versions and aliases (`<arn>:*`). */
export function acknowledgeInvoke(caller: lambda.IFunction, target: lambda.IFunction): void {
  ack(
    caller,
    `${IAM5}[Resource::${nagName(caller, target.functionArn)}:*]`,
    'CDK grantInvoke lets the caller invoke any version of this one function; nothing else.',
  );
}

/** Findings on the EKS sync function's role beyond those of its grants. */
export function acknowledgeDelivery(fn: lambda.IFunction, certificateSecrets: string, inVpc: boolean): void {
  ack(
    fn,
    `${IAM5}[Resource::${nagName(fn, certificateSecrets)}]`,
    'The sync reads whichever certificate an event names; certificate secrets are created at run time under <prefix>/certificates/, which excludes ACME account keys and pending keys.',
  );
  if (inVpc) {
    ack(
      fn,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      'A function in a VPC needs to manage its network interfaces; the managed policy is what AWS maintains for exactly that.',
    );
  }
}
