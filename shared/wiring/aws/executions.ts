import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LambdaRevoker } from '../../adapters/aws/lambda-revoker.js';
import { StepFunctionsIssuanceStarter } from '../../adapters/aws/step-functions-issuance-starter.js';
import { requireEnv } from '../environment.js';
import { lazy } from './config.js';

/** Starts executions of this deployment's issuance state machine. */
export const issuanceStarter = lazy(
  () =>
    new StepFunctionsIssuanceStarter({
      client: new SFNClient({}),
      stateMachineArn: requireEnv('CERTFLOW_STATE_MACHINE_ARN'),
    }),
);

/** Revokes through the `revoke` function. */
export const revoker = lazy(
  () => new LambdaRevoker({ client: new LambdaClient({}), functionName: requireEnv('CERTFLOW_REVOKE_FUNCTION') }),
);
