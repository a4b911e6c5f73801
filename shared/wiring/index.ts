/**
 * Where a handler gets its dependencies. In Lambda each handler builds only the AWS adapters its
 * step uses (so a function that does not speak ACME does not carry acme-client); local mode and
 * tests install local adapters with `setDependencies` before invoking the very same handlers.
 */
import { logger } from '../logger.js';
import type { Dependencies } from './dependencies.js';

/** Lambda's context object, as Powertools' logger takes it. */
type Context = Parameters<typeof logger.addContext>[0];

let override: Dependencies | undefined;

/** Local mode and tests: every handler uses these instead of its AWS adapters. */
export function setDependencies(dependencies: Dependencies | undefined): void {
  override = dependencies;
}

/** Adapts one pipeline step to a Lambda handler: no parsing, no decisions, pass-through. */
export function stepHandler<I, O, D>(step: (input: I, deps: D) => Promise<O>, aws: () => D) {
  let built: D | undefined;
  return async (event: I, context?: Context): Promise<O> => {
    if (context) logger.addContext(context);
    return step(event, override ? (override as D) : (built ??= aws()));
  };
}
