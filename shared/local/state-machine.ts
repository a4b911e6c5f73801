/**
 * Runs the state machine exactly as CDK synthesized it, on this machine: the definition comes from
 * the CloudFormation template, and every Lambda task is bound to the handler file its function is
 * tagged with (`certflow:step`), invoked the way Step Functions invokes Lambda
 * (`{FunctionName, Payload}` in, `{StatusCode, Payload}` out, errors as `{Error, Cause}` with
 * Lambda's JSON cause). Only waiting is shortened: the local CA answers at once.
 */
import '../polyfills.js';
import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  type StateMachineDefinition,
  StateMachine,
} from 'aws-local-stepfunctions';
import { CertflowError } from '../errors.js';

const FAKE_ACCOUNT = '000000000000';
const FAKE_REGION = 'us-east-1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Handler = (event: any) => Promise<unknown>;

interface TemplateResource {
  Type: string;
  Properties?: Record<string, any>;
}
export interface Template {
  Resources: Record<string, TemplateResource>;
}

/** Resolves the intrinsic functions CDK uses in a definition string. */
function resolveIntrinsics(node: unknown): string {
  if (typeof node === 'string') return node;
  const o = node as Record<string, any>;
  if (o?.Ref !== undefined) {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': FAKE_REGION,
      'AWS::AccountId': FAKE_ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[o.Ref]) return pseudo[o.Ref]!;
    throw new CertflowError(`local: cannot resolve Ref ${o.Ref} in the state machine definition`);
  }
  if (o?.['Fn::GetAtt']) {
    const [logicalId, attribute] = o['Fn::GetAtt'] as [string, string];
    if (attribute !== 'Arn') throw new CertflowError(`local: cannot resolve ${logicalId}.${attribute}`);
    return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${logicalId}`;
  }
  if (o?.['Fn::Join']) {
    const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveIntrinsics).join(separator);
  }
  throw new CertflowError(
    `local: unsupported intrinsic in the state machine definition: ${JSON.stringify(node).slice(0, 200)}`,
  );
}

/** The first state machine of `template`, with each Lambda task's handler file name. */
export function definitionFromTemplate(
  template: Template,
  stepTag = 'certflow:step',
): {
  definition: StateMachineDefinition;
  taskSteps: Record<string, string>;
} {
  const entry = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (!entry) throw new CertflowError('local: the template has no state machine');
  const definition = JSON.parse(resolveIntrinsics(entry.Properties?.DefinitionString)) as StateMachineDefinition;
  const taskSteps: Record<string, string> = {};
  const visit = (states: Record<string, any>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Parallel') state.Branches.forEach((b: any) => visit(b.States));
      if (state.Type === 'Map') visit((state.ItemProcessor ?? state.Iterator).States);
      if (state.Type !== 'Task') continue;
      const arn: string | undefined = state.Parameters?.FunctionName;
      const logicalId = arn?.split(':function:')[1];
      const fn = logicalId ? template.Resources[logicalId] : undefined;
      const tag = (fn?.Properties?.Tags as { Key: string; Value: string }[] | undefined)?.find(
        (t) => t.Key === stepTag,
      );
      if (!tag) throw new CertflowError(`local: task ${name} invokes no function tagged ${stepTag}`);
      taskSteps[name] = tag.Value;
    }
  };
  visit(definition.States);
  return { definition, taskSteps };
}

function waitStates(states: Record<string, any>): string[] {
  return Object.entries(states).flatMap(([name, s]) => (s.Type === 'Wait' ? [name] : []));
}

/**
 * Calls a handler the way the Lambda service does for a `lambda:invoke` task. With
 * `crashAfterWork`, the first call on each input runs the handler to its end and then dies as a
 * Lambda runtime does (`Runtime.ExitError`), its answer lost: the state machine's own Retry must
 * run the task again on the same input, and only that second answer counts.
 */
export function asLambdaInvoke(handler: Handler, options: { crashAfterWork?: boolean } = {}) {
  const crashed = new Set<string>();
  return async (input: any): Promise<Json> => {
    const key = JSON.stringify(input.Payload ?? null);
    if (options.crashAfterWork && !crashed.has(key)) {
      crashed.add(key);
      await handler(structuredClone(input.Payload)).catch(() => undefined);
      const crash = new Error(
        JSON.stringify({
          errorType: 'Runtime.ExitError',
          errorMessage: 'Runtime exited: the process died after its work',
        }),
      );
      crash.name = 'Runtime.ExitError';
      throw crash;
    }
    try {
      const payload = await handler(structuredClone(input.Payload));
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        Payload: JSON.parse(JSON.stringify(payload ?? null)) as Json,
      };
    } catch (error) {
      const err = error as Error;
      const failure = new Error(JSON.stringify({ errorType: err.name ?? 'Error', errorMessage: err.message }));
      failure.name = err.name ?? 'Error';
      throw failure;
    }
  };
}

export interface ExecutionResult {
  executionName: string;
  /** As Step Functions reports them: a stopped execution is `ABORTED`, one past `TimeoutSeconds` `TIMED_OUT`. */
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Every history event: the states' inputs and outputs, retries, catches. */
  history: unknown[];
  transitions: number;
}

export interface LocalStateMachineOptions {
  template: Template;
  /** Loads the handler of a step, by its file name in functions/. */
  loadHandler: (step: string) => Promise<Handler>;
  /**
   * Milliseconds each Wait state and each retry waits locally. `waitMs: 'real'` keeps the Wait
   * states' own lengths (the CA's Retry-After, at least a second), as in AWS.
   */
  waitMs?: number | 'real';
  retryMs?: number;
  /**
   * Every task dies once after doing its work and is retried by the state machine on the same
   * input (idempotency and crash tests).
   */
  crashAfterWork?: boolean;
  /**
   * Replaces the definition's top-level `TimeoutSeconds` (tests: an execution past its timeout in
   * a second instead of two hours). The definition's own timeout applies otherwise.
   */
  timeoutSeconds?: number;
}

export class LocalStateMachine {
  private readonly machine: StateMachine;
  private readonly definition: StateMachineDefinition;
  private readonly taskSteps: Record<string, string>;
  private handlers?: Promise<Record<string, ReturnType<typeof asLambdaInvoke>>>;
  private counter = 0;

  constructor(private readonly options: LocalStateMachineOptions) {
    const { definition, taskSteps } = definitionFromTemplate(options.template);
    if (options.timeoutSeconds !== undefined) definition.TimeoutSeconds = options.timeoutSeconds;
    this.definition = definition;
    this.taskSteps = taskSteps;
    this.machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  }

  private async boundHandlers() {
    this.handlers ??= (async () => {
      const bound: Record<string, ReturnType<typeof asLambdaInvoke>> = {};
      for (const [state, step] of Object.entries(this.taskSteps))
        bound[state] = asLambdaInvoke(await this.options.loadHandler(step), {
          crashAfterWork: this.options.crashAfterWork,
        });
      return bound;
    })();
    return this.handlers;
  }

  /**
   * Starts an execution and resolves when it ends; never rejects for a failed execution. `signal`
   * stops it as StopExecution does (`ABORTED`): the state running then is not finished, and no
   * Catch runs.
   */
  async execute(
    input: unknown,
    executionName = `local-${Date.now()}-${++this.counter}`,
    options: { signal?: AbortSignal } = {},
  ): Promise<ExecutionResult> {
    const handlers = await this.boundHandlers();
    const waitMs = this.options.waitMs ?? 5;
    const retryMs = this.options.retryMs ?? 10;
    const startTime = new Date().toISOString();
    const run = this.machine.run(input as Json, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(waitMs === 'real'
          ? {}
          : {
              waitTimeOverrides: Object.fromEntries(waitStates(this.definition.States).map((name) => [name, waitMs])),
            }),
        retryIntervalOverrides: Object.fromEntries(Object.keys(this.taskSteps).map((name) => [name, retryMs])),
      },
      context: {
        Execution: {
          Id: `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:certflow:${executionName}`,
          Name: executionName,
          StartTime: startTime,
          Input: input as Json,
        },
      },
    });
    const abort = () => run.abort();
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    const history: unknown[] = [];
    const collecting = (async () => {
      for await (const event of run.eventLogs) history.push(event);
    })();
    let result: ExecutionResult;
    try {
      const output = await run.result;
      result = { executionName, status: 'SUCCEEDED', input, output, history, transitions: 0 };
    } catch (error) {
      if (error instanceof ExecutionAbortedError || error instanceof ExecutionTimeoutError) {
        const timedOut = error instanceof ExecutionTimeoutError;
        result = {
          executionName,
          status: timedOut ? 'TIMED_OUT' : 'ABORTED',
          input,
          ...(timedOut
            ? { error: 'States.Timeout', cause: `the execution ran past its TimeoutSeconds (${this.definition.TimeoutSeconds})` }
            : {}),
          history,
          transitions: 0,
        };
        options.signal?.removeEventListener('abort', abort);
        await collecting.catch(() => undefined);
        result.transitions = history.filter((e) => (e as { type: string }).type === 'StateEntered').length;
        return result;
      }
      const failure = error as Error & { cause?: { name?: string; message?: string } };
      const cause = failure.cause as { name?: string; message?: string } | undefined;
      result = {
        executionName,
        status: 'FAILED',
        input,
        error: cause?.name ?? failure.name,
        cause: cause?.message ?? failure.message,
        history,
        transitions: 0,
      };
    }
    options.signal?.removeEventListener('abort', abort);
    await collecting;
    result.transitions = history.filter((e) => (e as { type: string }).type === 'StateEntered').length;
    return result;
  }
}
