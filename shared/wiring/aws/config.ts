/** Lambda configuration, read once per container. */
import { type AwsEnvironment, readAwsEnvironment } from '../environment.js';

let cached: AwsEnvironment | undefined;

export function awsConfig(): AwsEnvironment {
  return (cached ??= readAwsEnvironment());
}

/** A value made on first use and kept for the container's life. */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
