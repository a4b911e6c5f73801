/**
 * Puts an SDK client's requests through a {@link RequestPacer}: every attempt, the SDK's own
 * retries included, waits for its slot. The wait sits between the retry loop and signing, so a
 * request is signed when it leaves, never minutes before.
 */
import type { RequestPacer } from '../request-pacing.js';

interface MiddlewareClient {
  middlewareStack: {
    addRelativeTo(
      middleware: (next: (args: any) => Promise<any>) => (args: any) => Promise<any>,
      options: { name: string; relation: 'before' | 'after'; toMiddleware: string; override?: boolean },
    ): void;
  };
}

export const PACING_MIDDLEWARE = 'certflowRequestPacing';

export function paceRequests<C extends MiddlewareClient>(client: C, pacer: RequestPacer): C {
  client.middlewareStack.addRelativeTo(
    (next) => async (args) => {
      await pacer.turn();
      return next(args);
    },
    { name: PACING_MIDDLEWARE, relation: 'before', toMiddleware: 'httpSigningMiddleware', override: true },
  );
  return client;
}
