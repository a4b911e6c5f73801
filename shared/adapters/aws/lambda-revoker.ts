/**
 * {@link Revoker} that asks the `revoke` function: revocation speaks ACME, and keeping acme-client
 * out of the API function keeps the API's cold start small.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AcmeError, NotFoundError, StoreError, TransientError, ValidationError } from '../../errors.js';
import type { Revoker } from '../../ports/executions.js';
import { translateAwsError } from './aws-errors.js';

export class LambdaRevoker implements Revoker {
  constructor(private readonly options: { client: LambdaClient; functionName: string }) {}

  async revoke(name: string): Promise<void> {
    let result;
    try {
      result = await this.options.client.send(
        new InvokeCommand({ FunctionName: this.options.functionName, Payload: JSON.stringify({ name }) }),
      );
    } catch (error) {
      throw translateAwsError('lambda', `revoking "${name}"`, error, StoreError);
    }
    if (!result.FunctionError) return;
    const failure = JSON.parse(Buffer.from(result.Payload ?? []).toString() || '{}') as {
      errorType?: string;
      errorMessage?: string;
    };
    const message = failure.errorMessage ?? `revoke: function error ${result.FunctionError}`;
    switch (failure.errorType) {
      case 'AcmeError':
        throw new AcmeError(message);
      case 'ValidationError':
        throw new ValidationError('revoke', message.replace(/^revoke: /, ''));
      case 'NotFoundError':
        throw new NotFoundError(message);
      case 'TransientError':
        throw new TransientError(message);
      default:
        throw new StoreError(message);
    }
  }
}
