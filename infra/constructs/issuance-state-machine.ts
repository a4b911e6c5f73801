import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { StepName } from './pipeline-functions.js';
import { ORDERING_KINDS } from '../../shared/issuers/registry.js';
import { ISSUANCE_TIMEOUT_MS } from '../../shared/certificates/executions.js';

/**
 * Errors retried with backoff: ours, and Lambda's own service hiccups (the four of Step Functions'
 * "Handle Lambda service exceptions" best practice, bp-lambda-serviceexception.html, and more).
 */
export const TRANSIENT_ERRORS = [
  'TransientError',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  // A function that ran out of time, or whose runtime died (out of memory, a crash after the
  // work was done); every step is safe to run again.
  'Sandbox.Timedout',
  'Runtime.ExitError',
];

/** The function's timeout and 30 s more (30 s when the function does not say). */
function taskTimeoutOf(fn: lambda.IFunction): Duration {
  const seconds = fn instanceof lambda.Function && fn.timeout ? fn.timeout.toSeconds() : 30;
  return Duration.seconds(seconds + 30);
}

export interface IssuanceStateMachineProps {
  functions: Record<StepName, lambda.IFunction>;
}

/**
 * Issuance as a Standard state machine. ACME:
 * Prepare → CreateOrder → PresentChallenges → CheckPropagation ⇄ Wait → AcceptChallenges →
 * PollAuthorizations ⇄ Wait → Finalize → PollOrder ⇄ Wait → Store → Cleanup → Publish;
 * selfSigned and ca: Prepare → Sign → Store → Cleanup → Publish.
 * Every step's failure is caught into Cleanup → RecordFailure. Prepare ends at `AlreadyIssuing`
 * when another issuance of the revision holds the certificate; an issuance superseded meanwhile
 * ends at `Superseded` after its Cleanup (see shared/certificates/lease.ts). Waiting is done by Wait states
 * whose length the polling step sets (`$.poll.delaySeconds`, from the CA's Retry-After).
 */
export class IssuanceStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: IssuanceStateMachineProps) {
    super(scope, id);
    const fns = props.functions;
    const step = (name: StepName, payload?: sfn.TaskInput) => {
      const task = new tasks.LambdaInvoke(this, name, {
        stateName: name,
        lambdaFunction: fns[name],
        payload,
        outputPath: '$.Payload',
        retryOnServiceExceptions: false,
        // Explicit, a little past the function's own: the States Language's default is 60 s
        // (the local runner keeps it), and a Route53 step may wait minutes for its slots.
        taskTimeout: sfn.Timeout.duration(taskTimeoutOf(fns[name])),
      });
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.seconds(60),
        jitterStrategy: sfn.JitterType.FULL,
      });
      // The CA's Retry-After for rateLimited is typically tens of seconds; longer limits end the
      // issuance with the CA's message and leave the next attempt to the renewal schedule.
      task.addRetry({
        errors: ['RateLimitedError'],
        interval: Duration.seconds(30),
        backoffRate: 2,
        maxAttempts: 4,
        maxDelay: Duration.seconds(300),
      });
      return task;
    };

    const prepare = step(
      'Prepare',
      sfn.TaskInput.fromObject({ input: sfn.JsonPath.entirePayload, executionName: sfn.JsonPath.executionName }),
    );
    const createOrder = step('CreateOrder');
    const signStep = step('Sign');
    const present = step('PresentChallenges');
    const checkPropagation = step('CheckPropagation');
    const accept = step('AcceptChallenges');
    const pollAuthorizations = step('PollAuthorizations');
    const finalize = step('Finalize');
    const pollOrder = step('PollOrder');
    const store = step('Store');
    const cleanup = step('Cleanup');
    const publish = step('Publish');
    const recordFailure = step('RecordFailure');

    const issued = new sfn.Succeed(this, 'Issued');
    const failed = new sfn.Fail(this, 'IssuanceFailed', {
      errorPath: '$.failure.error',
      causePath: '$.failure.message',
    });
    // Ended without a certificate and without a failure (see shared/certificates/lease.ts): another
    // issuance of the revision holds the certificate, or this one was superseded meanwhile.
    const ended = sfn.Condition.isPresent('$.ended');
    const alreadyIssuing = new sfn.Succeed(this, 'AlreadyIssuing');
    const superseded = new sfn.Succeed(this, 'Superseded');
    const poll = (name: string) => new sfn.Wait(this, name, { time: sfn.WaitTime.secondsPath('$.poll.delaySeconds') });
    const done = sfn.Condition.booleanEquals('$.poll.done', true);

    for (const task of [
      prepare,
      createOrder,
      signStep,
      present,
      checkPropagation,
      accept,
      pollAuthorizations,
      finalize,
      pollOrder,
      store,
    ]) {
      task.addCatch(cleanup, { errors: ['States.ALL'], resultPath: '$.error' });
    }
    // A failed cleanup must not hide the original error, so it goes to its own path.
    cleanup.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.cleanupError' });

    const waitForPropagation = poll('WaitForPropagation');
    const waitForAuthorizations = poll('WaitForAuthorizations');
    const waitForOrder = poll('WaitForOrder');
    waitForPropagation.next(checkPropagation);
    waitForAuthorizations.next(pollAuthorizations);
    waitForOrder.next(pollOrder);

    // ACME orders and validates; selfSigned and ca issuers sign at once.
    const issuerKind = new sfn.Choice(this, 'IssuerKind').when(ended, alreadyIssuing);
    for (const kind of ORDERING_KINDS) issuerKind.when(sfn.Condition.stringEquals('$.issuerKind', kind), createOrder);
    prepare.next(issuerKind.otherwise(signStep));
    signStep.next(store);
    createOrder
      .next(present)
      .next(checkPropagation)
      .next(new sfn.Choice(this, 'Propagated').when(done, accept).otherwise(waitForPropagation));
    accept
      .next(pollAuthorizations)
      .next(new sfn.Choice(this, 'Authorized').when(done, finalize).otherwise(waitForAuthorizations));
    finalize.next(pollOrder).next(new sfn.Choice(this, 'OrderValid').when(done, store).otherwise(waitForOrder));
    store
      .next(cleanup)
      .next(
        new sfn.Choice(this, 'CleanedUp')
          .when(sfn.Condition.isPresent('$.error'), recordFailure)
          .when(ended, superseded)
          .otherwise(publish),
      );
    publish.next(issued);
    recordFailure.next(
      new sfn.Choice(this, 'StillIssued')
        .when(ended, superseded)
        .when(sfn.Condition.isPresent('$.result'), publish)
        .otherwise(failed),
    );

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(prepare),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.millis(ISSUANCE_TIMEOUT_MS),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', {
          retention: logs.RetentionDays.ONE_YEAR,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
  }
}
