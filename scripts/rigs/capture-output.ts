/**
 * Everything written to stdout and stderr while a test runs, to prove that no key material is
 * ever logged. The service's JSON log lines are held back unless CERTFLOW_TEST_VERBOSE is set;
 * the test runner's own output passes through.
 */
export function captureOutput(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const originals = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)] as const;
  const wrap = (original: (typeof originals)[number]) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('latin1');
      chunks.push(text);
      // The service's JSON logs and EMF metric lines; the test runner's protocol passes through.
      const isLogLine = text.startsWith('{"level"') || text.startsWith('{"cold_start"') || text.startsWith('{"_aws"');
      return isLogLine && !process.env.CERTFLOW_TEST_VERBOSE
        ? true
        : (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = wrap(originals[0]);
  process.stderr.write = wrap(originals[1]);
  return {
    text: () => chunks.join(''),
    restore: () => {
      process.stdout.write = originals[0];
      process.stderr.write = originals[1];
    },
  };
}
