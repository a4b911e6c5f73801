/** Time, injected so that renewal rules and tests never read the wall clock themselves. */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
