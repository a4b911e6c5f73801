/** The issuance pipeline's functions: one per state, named as the state. */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import type { CertificateStorage } from './certificate-storage.js';
import type { InventoryTable } from './inventory-table.js';
import type { RequestSlots } from './request-slots.js';
import { type StepGrants, certflowFunction } from './certflow-function.js';

export { STEP_TAG } from './certflow-function.js';

/** Every step of the issuance pipeline: state name, handler file in functions/, grants. */
export const PIPELINE_STEPS = {
  Prepare: { file: 'prepare', grants: { inventory: true } },
  CreateOrder: { file: 'create-order', grants: { acme: true, secrets: 'readWrite' } },
  // inventory: the TXT values are named in the lease before they are written.
  PresentChallenges: { file: 'present-challenges', grants: { route53: 'write', inventory: true } },
  CheckPropagation: { file: 'check-propagation', grants: { route53: 'wait' } },
  AcceptChallenges: { file: 'accept-challenges', grants: { acme: true, secrets: 'read' } },
  PollAuthorizations: { file: 'poll-authorizations', grants: { acme: true, secrets: 'read' } },
  Sign: { file: 'sign', grants: { secrets: 'readWrite', inventory: true, timeoutSeconds: 60 } },
  Finalize: { file: 'finalize', grants: { acme: true, secrets: 'readWrite', inventory: true, timeoutSeconds: 60 } },
  PollOrder: { file: 'poll-order', grants: { acme: true, secrets: 'read' } },
  Store: { file: 'store', grants: { acme: true, secrets: 'readWrite', inventory: true } },
  Cleanup: { file: 'cleanup', grants: { route53: 'write', secrets: 'readWrite' } },
  Publish: { file: 'publish', grants: { events: true } },
  RecordFailure: { file: 'record-failure', grants: { inventory: true, events: true } },
} as const satisfies Record<string, { file: string; grants: StepGrants }>;

export type StepName = keyof typeof PIPELINE_STEPS;

export interface PipelineFunctionsProps {
  issuers: readonly IssuerConfig[];
  storage: CertificateStorage;
  inventory: InventoryTable;
  /** Present when some issuer uses Route53: the steps that call it book their requests there. */
  requestSlots?: RequestSlots;
  route53RequestsPerSecond?: number;
}

/** One small Lambda per pipeline step, each with only the permissions its step needs. */
export class PipelineFunctions extends Construct {
  readonly functions: Record<StepName, lambda.IFunction>;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const functions = {} as Record<StepName, lambda.IFunction>;
    for (const [name, step] of Object.entries(PIPELINE_STEPS) as [StepName, (typeof PIPELINE_STEPS)[StepName]][]) {
      functions[name] = certflowFunction(this, name, {
        file: step.file,
        description: `certflow issuance step ${name}`,
        grants: step.grants as StepGrants,
        ...props,
      });
    }
    this.functions = functions;
  }
}

/**
 * Handler files of the functions that speak ACME (the 1 MB bundle budget; every other function
 * has 300 KB): the steps granted `acme`, and `revoke`.
 */
export const ACME_FUNCTION_FILES: ReadonlySet<string> = new Set([
  ...Object.values(PIPELINE_STEPS)
    .filter((step) => (step.grants as StepGrants).acme)
    .map((step) => step.file),
  'revoke',
]);
