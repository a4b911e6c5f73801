import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalIssuanceStarter, statusChangeOf } from '../../shared/local/issuance-starter.js';
import { type ExecutionResult, LocalStateMachine, type Template } from '../../shared/local/state-machine.js';

/**
 * A template as CDK synthesizes one, reduced to a Lambda task (tagged `certflow:step`), a Wait and
 * a Succeed: the task's handler fails when its input says so, and the Wait is what keeps an
 * execution running while a test looks at it.
 */
const TEMPLATE: Template = {
  Resources: {
    Issuance: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: JSON.stringify({
          StartAt: 'Step',
          TimeoutSeconds: 7200,
          States: {
            Step: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:StepFn', 'Payload.$': '$' },
              OutputPath: '$.Payload',
              Next: 'Pause',
            },
            Pause: { Type: 'Wait', Seconds: 3600, Next: 'Done' },
            Done: { Type: 'Succeed' },
          },
        }),
      },
    },
    StepFn: { Type: 'AWS::Lambda::Function', Properties: { Tags: [{ Key: 'certflow:step', Value: 'step' }] } },
  },
};

class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnsError';
  }
}

/** The handler of `step`: echoes its input, marked; throws when asked to. */
const loadHandler = async (step: string) => {
  assert.equal(step, 'step', 'the task is bound to the handler its function is tagged with');
  return async (event: { name: string; fail?: string }) => {
    if (event.fail) throw new StepFailure(event.fail);
    return { ...event, stepped: true };
  };
};

const machine = (options: { waitMs?: number | 'real'; timeoutSeconds?: number } = {}) =>
  new LocalStateMachine({ template: TEMPLATE, loadHandler, ...options });

describe('Adapter: LocalIssuanceStarter', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certflow-local-starter-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('describes an execution as RUNNING while it runs, then as it ended', async () => {
    const finished: ExecutionResult[] = [];
    const starter = new LocalIssuanceStarter(machine({ waitMs: 300 }), { onFinished: (r) => void finished.push(r) });
    assert.deepEqual(await starter.start('web-r1-x', { name: 'web', reason: 'Issuing' }), {
      started: true,
      executionId: 'web-r1-x',
    });
    assert.deepEqual(await starter.describe('web-r1-x'), { status: 'RUNNING' });
    await starter.idle();
    assert.deepEqual(await starter.describe('web-r1-x'), { status: 'SUCCEEDED' });
    assert.deepEqual(
      finished.map((r) => [r.executionName, r.status, r.output]),
      [['web-r1-x', 'SUCCEEDED', { name: 'web', reason: 'Issuing', stepped: true }]],
    );
    assert.equal(starter.stop('web-r1-x'), false, 'nothing runs under that name any more');
  });

  it('describes a failed execution with its error and cause', async () => {
    const starter = new LocalIssuanceStarter(machine());
    await starter.start('web-r2-x', { name: 'web', fail: 'dns: refused' } as never);
    await starter.idle();
    const described = await starter.describe('web-r2-x');
    assert.equal(described.status, 'FAILED');
    assert.equal(described.error, 'DnsError');
    assert.match(described.cause ?? '', /dns: refused/);
  });

  it('describes a name an earlier process started as MISSING, and does not start it again', async () => {
    const namesFile = join(dir, 'names');
    await writeFile(namesFile, 'web-r1-earlier\n');
    const starter = new LocalIssuanceStarter(machine(), { namesFile });
    assert.deepEqual(await starter.describe('web-r1-earlier'), { status: 'MISSING' });
    assert.deepEqual(await starter.describe('never-started'), { status: 'MISSING' });
    assert.deepEqual(await starter.start('web-r1-earlier', { name: 'web' }), { started: false });
    assert.deepEqual(starter.results, []);
    await starter.start('web-r1-now', { name: 'web' });
    assert.equal(await readFile(namesFile, 'utf8'), 'web-r1-earlier\nweb-r1-now\n');
    starter.stop('web-r1-now');
    await starter.idle();
  });

  it('stop() ends the execution ABORTED, and onFinished receives it before idle() resolves', async () => {
    const finished: ExecutionResult[] = [];
    const starter = new LocalIssuanceStarter(machine({ waitMs: 60_000 }), {
      onFinished: async (r) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished.push(r);
      },
    });
    await starter.start('web-r3-x', { name: 'web', reason: 'Renewing' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await starter.describe('web-r3-x'), { status: 'RUNNING' });
    const began = Date.now();
    assert.equal(starter.stop('web-r3-x'), true);
    await starter.idle();
    assert.ok(Date.now() - began < 5_000, 'it did not wait the Wait out');
    assert.deepEqual(await starter.describe('web-r3-x'), { status: 'ABORTED' });
    assert.equal(finished.length, 1);
    const [result] = finished;
    assert.equal(result!.status, 'ABORTED');
    assert.equal(result!.error, undefined);
    assert.deepEqual(statusChangeOf(result!), {
      detail: {
        name: 'web-r3-x',
        status: 'ABORTED',
        input: JSON.stringify({ name: 'web', reason: 'Renewing' }),
        error: null,
        cause: null,
      },
    });
    assert.equal(starter.stop('never-started'), false);
  });

  it('stop() right after start() still ends the execution ABORTED', async () => {
    const starter = new LocalIssuanceStarter(machine({ waitMs: 60_000 }));
    await starter.start('web-r4-x', { name: 'web' });
    assert.equal(starter.stop('web-r4-x'), true);
    await starter.idle();
    assert.deepEqual(await starter.describe('web-r4-x'), { status: 'ABORTED' });
  });
});

describe('Function: statusChangeOf', () => {
  it('is Step Functions’ Execution Status Change: the input as JSON, error and cause or null', () => {
    const base = { executionName: 'web-r1-x', history: [], transitions: 3 };
    assert.deepEqual(
      statusChangeOf({ ...base, status: 'TIMED_OUT', input: { name: 'web' }, error: 'States.Timeout', cause: 'late' }),
      {
        detail: {
          name: 'web-r1-x',
          status: 'TIMED_OUT',
          input: '{"name":"web"}',
          error: 'States.Timeout',
          cause: 'late',
        },
      },
    );
    assert.deepEqual(statusChangeOf({ ...base, status: 'FAILED' }), {
      detail: { name: 'web-r1-x', status: 'FAILED', input: null, error: null, cause: null },
    });
  });
});

describe('Adapter: LocalStateMachine timeoutSeconds', () => {
  it('ends an execution past the timeout TIMED_OUT, with the error States.Timeout', async () => {
    const began = Date.now();
    const result = await machine({ waitMs: 60_000, timeoutSeconds: 1 }).execute({ name: 'web' }, 'web-r5-x');
    assert.ok(Date.now() - began < 10_000, 'it did not wait the Wait out');
    assert.equal(result.status, 'TIMED_OUT');
    assert.equal(result.error, 'States.Timeout');
    assert.match(result.cause ?? '', /TimeoutSeconds \(1\)/);
    assert.deepEqual(result.input, { name: 'web' });
    assert.ok(result.transitions >= 2, `the task and the Wait were entered (${result.transitions})`);
  });

  it('keeps the definition’s own timeout otherwise', async () => {
    const result = await machine({ waitMs: 50 }).execute({ name: 'web' }, 'web-r6-x');
    assert.equal(result.status, 'SUCCEEDED');
    assert.deepEqual(result.output, { name: 'web', stepped: true });
  });
});
