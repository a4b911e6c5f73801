import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaDnsHookSolver } from '../../shared/solvers/adapters/hook.js';
import { DnsError, TransientError } from '../../shared/errors.js';

const FUNCTION = 'my-dns-hook';
const records = [
  { name: '_acme-challenge.example.com', value: 'apex' },
  { name: '_acme-challenge.example.com', value: 'wildcard' },
];

function answer(body: unknown, functionError?: string): Partial<InvokeCommandOutput> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    StatusCode: 200,
    Payload: new TextEncoder().encode(text) as InvokeCommandOutput['Payload'],
    ...(functionError ? { FunctionError: functionError } : {}),
  };
}

describe('Class: LambdaDnsHookSolver', () => {
  const lambda = mockClient(LambdaClient);
  const solver = new LambdaDnsHookSolver({ client: new LambdaClient({ region: 'eu-west-1' }), functionName: FUNCTION });

  beforeEach(() => {
    lambda.reset();
  });

  const sent = (i = 0) => {
    const input = lambda.commandCalls(InvokeCommand)[i]!.args[0].input;
    return { input, request: JSON.parse(String(input.Payload)) as unknown };
  };

  it('invokes the function synchronously with a version 1 present request', async () => {
    lambda.on(InvokeCommand).resolves(answer({ changeIds: ['c1'] }));
    await solver.present(records);
    const { input, request } = sent();
    assert.equal(input.FunctionName, FUNCTION);
    assert.equal(input.InvocationType, 'RequestResponse');
    assert.deepEqual(request, { version: 1, action: 'present', records });
  });

  it('returns the change ids the hook answers to present', async () => {
    lambda.on(InvokeCommand).resolves(answer({ changeIds: ['c1', 'c2'] }));
    assert.deepEqual(await solver.present(records), ['c1', 'c2']);
  });

  it('accepts an empty list of change ids', async () => {
    lambda.on(InvokeCommand).resolves(answer({ changeIds: [] }));
    assert.deepEqual(await solver.present(records), []);
  });

  it('sends only the name and value of each record', async () => {
    lambda.on(InvokeCommand).resolves(answer({ changeIds: [] }));
    await solver.present([{ name: 'a', value: 'b', extra: 'x' } as never]);
    assert.deepEqual(sent().request, { version: 1, action: 'present', records: [{ name: 'a', value: 'b' }] });
  });

  it('sends the change ids in an isPropagated request and returns the answer', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(answer({ propagated: false }))
      .resolvesOnce(answer({ propagated: true }));
    assert.equal(await solver.isPropagated(['c1']), false);
    assert.equal(await solver.isPropagated(['c1']), true);
    assert.deepEqual(sent().request, { version: 1, action: 'isPropagated', changeIds: ['c1'] });
  });

  it('knows without asking that no change ids are propagated', async () => {
    assert.equal(await solver.isPropagated([]), true);
    assert.equal(lambda.commandCalls(InvokeCommand).length, 0);
  });

  it('sends a cleanUp request with the records', async () => {
    lambda.on(InvokeCommand).resolves(answer({}));
    await solver.cleanUp(records);
    assert.deepEqual(sent().request, { version: 1, action: 'cleanUp', records });
  });

  it('does not invoke the hook for no records', async () => {
    assert.deepEqual(await solver.present([]), []);
    await solver.cleanUp([]);
    assert.equal(lambda.commandCalls(InvokeCommand).length, 0);
  });

  it('retries a hook error named TransientError', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(answer({ errorType: 'TransientError', errorMessage: 'provider API busy' }, 'Unhandled'));
    await assert.rejects(solver.present(records), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^dns-hook: "my-dns-hook" failed to present: TransientError: provider API busy$/);
      return true;
    });
  });

  it('retries a hook error whose message starts with transient:', async () => {
    lambda.on(InvokeCommand).resolves(answer({ errorType: 'Error', errorMessage: 'transient: 503' }, 'Unhandled'));
    await assert.rejects(solver.cleanUp(records), TransientError);
  });

  it('retries a hook that timed out', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(
        answer({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' }, 'Unhandled'),
      );
    await assert.rejects(solver.isPropagated(['c1']), TransientError);
  });

  it('ends the issuance with the message of any other hook error', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(answer({ errorType: 'Error', errorMessage: 'zone not managed here' }, 'Unhandled'));
    await assert.rejects(solver.present(records), (error: Error) => {
      assert.ok(error instanceof DnsError && !(error instanceof TransientError));
      assert.equal(error.message, 'dns-hook: "my-dns-hook" failed to present: Error: zone not managed here');
      return true;
    });
  });

  it('reports a function error without a JSON body as terminal', async () => {
    lambda.on(InvokeCommand).resolves(answer('RequestId: 1 Error: Runtime exited', 'Unhandled'));
    await assert.rejects(solver.present(records), /dns-hook: "my-dns-hook" failed to present: Unhandled: RequestId/);
  });

  for (const [action, body, why] of [
    ['present', 'not json', /not JSON: not json/],
    ['present', 'null', /expected a JSON object, got null/],
    ['present', '[]', /expected a JSON object/],
    ['present', { changeIds: 'c1' }, /changeIds must be an array of strings/],
    ['present', { changeIds: [1] }, /changeIds must be an array of strings/],
    ['present', {}, /changeIds must be an array of strings/],
    ['isPropagated', { propagated: 'yes' }, /propagated must be a boolean/],
    ['isPropagated', {}, /propagated must be a boolean/],
    ['cleanUp', '', /not JSON: \(empty\)/],
    ['cleanUp', '"done"', /expected a JSON object/],
  ] as const) {
    it(`refuses ${JSON.stringify(body)} as the answer to ${action}`, async () => {
      lambda.on(InvokeCommand).resolves(answer(body));
      const call =
        action === 'present'
          ? solver.present(records)
          : action === 'isPropagated'
            ? solver.isPropagated(['c1'])
            : solver.cleanUp(records);
      await assert.rejects(call, (error: Error) => {
        assert.ok(error instanceof DnsError && !(error instanceof TransientError));
        assert.match(error.message, new RegExp(`^dns-hook: "my-dns-hook" answered ${action} with a malformed result`));
        assert.match(error.message, why);
        return true;
      });
    });
  }

  it('retries when Lambda throttles the invocation', async () => {
    lambda.on(InvokeCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'TooManyRequestsException',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    await assert.rejects(solver.present(records), (error: Error) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /^dns-hook: invoking "my-dns-hook" \(present\) failed: TooManyRequestsException/);
      return true;
    });
  });

  it('retries while the hook function is being updated', async () => {
    lambda.on(InvokeCommand).rejects(
      Object.assign(new Error('The operation cannot be performed at this time.'), {
        name: 'ResourceConflictException',
        $metadata: { httpStatusCode: 409 },
      }),
    );
    await assert.rejects(solver.cleanUp(records), TransientError);
  });

  it('ends the issuance when the hook function does not exist or may not be invoked', async () => {
    for (const name of ['ResourceNotFoundException', 'AccessDeniedException']) {
      lambda.reset();
      lambda.on(InvokeCommand).rejects(Object.assign(new Error('no'), { name, $metadata: { httpStatusCode: 404 } }));
      await assert.rejects(solver.present(records), (error: Error) => {
        assert.ok(error instanceof DnsError && !(error instanceof TransientError));
        assert.match(error.message, new RegExp(`^dns-hook: invoking "my-dns-hook" \\(present\\) failed: ${name}`));
        return true;
      });
    }
  });
});
