/**
 * cdk-nag (AwsSolutions) findings that certflow accepts, each acknowledged on the construct it
 * concerns, for the exact finding, with the reason.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { CertificateStorage } from './constructs/certificate-storage.js';
import type { StepGrants } from './constructs/pipeline-functions.js';

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
 * Findings on a pipeline function's role: only those its grants produce, so a wildcard that
 * someone adds later is reported, not silently covered.
 */
export function acknowledgePipelineFunction(
  fn: lambda.IFunction,
  grants: StepGrants,
  storage: CertificateStorage,
  anyZone: boolean,
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
  if (grants.route53 === 'wait') {
    ack(
      fn,
      `${IAM5}[Resource::arn:<AWS::Partition>:route53:::change/*]`,
      'GetChange ids are only known after the change; change ids carry no data.',
    );
  }
  if (grants.route53 === 'write' && anyZone) {
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
