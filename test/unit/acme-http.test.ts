import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { MAX_RATE_LIMIT_WAIT_SECONDS, classifyingAdapter, parseRetryAfter } from '../../shared/issuers/acme/http.js';
import {
  AcmeError,
  RateLimitedError,
  TransientError,
  rateLimitedUntil,
  rateLimitedUntilMessage,
} from '../../shared/errors.js';

const config = {
  method: 'post',
  url: 'https://ca.test/acme/new-order',
  headers: {},
} as unknown as InternalAxiosRequestConfig;

function answering(status: number, body: unknown, headers: Record<string, string> = {}): AxiosAdapter {
  // acme-client makes axios reject every response, so answers arrive as errors with `.response`.
  return async () => {
    const response = {
      status,
      data: typeof body === 'string' ? body : JSON.stringify(body),
      headers,
      config,
    } as unknown as AxiosResponse;
    throw Object.assign(new Error(`Request failed with status code ${status}`), { response });
  };
}

async function classify(adapter: AxiosAdapter): Promise<unknown> {
  return classifyingAdapter(adapter)(config).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('Function: classifyingAdapter', () => {
  it('turns a 5xx answer into a TransientError', async () => {
    const error = await classify(answering(503, { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'busy' }));
    assert.ok(error instanceof TransientError);
    assert.match(error.message, /^acme: POST https:\/\/ca\.test\/acme\/new-order answered 503: busy/);
  });

  it('turns rateLimited into a RateLimitedError carrying Retry-After', async () => {
    const error = await classify(
      answering(429, { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'slow down' }, { 'retry-after': '20' }),
    );
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.retryAfterSeconds, 20);
  });

  it('ends the issuance when the CA asks to wait longer than the retrier covers, naming the CA’s time', async () => {
    const before = Date.now();
    const error = await classify(
      answering(
        429,
        { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates' },
        { 'retry-after': '7200' },
      ),
    );
    const after = Date.now();
    assert.ok(error instanceof AcmeError);
    assert.equal(error.problemType, 'urn:ietf:params:acme:error:rateLimited');
    assert.match(error.message, /^acme: rate limited until \d{4}-\d\d-\d\dT[\d:.]+Z: too many certificates$/);
    const until = rateLimitedUntil(error.message)!.getTime();
    assert.ok(until >= before + 7200_000 && until <= after + 7200_000, `until ${until}`);
  });

  it(`still retries a limit of exactly ${MAX_RATE_LIMIT_WAIT_SECONDS} s inside the execution`, async () => {
    assert.equal(MAX_RATE_LIMIT_WAIT_SECONDS, 300);
    for (const [retryAfter, retried] of [
      ['300', true],
      ['301', false],
    ] as const) {
      const error = await classify(
        answering(429, { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'x' }, { 'retry-after': retryAfter }),
      );
      assert.equal(error instanceof RateLimitedError, retried, `Retry-After: ${retryAfter}`);
      assert.equal(error instanceof AcmeError, !retried, `Retry-After: ${retryAfter}`);
    }
  });

  it('keeps the CA problem type and detail on terminal errors', async () => {
    const error = await classify(
      answering(403, { type: 'urn:ietf:params:acme:error:unauthorized', detail: 'no TXT record' }),
    );
    assert.ok(error instanceof AcmeError);
    assert.equal(error.problemType, 'urn:ietf:params:acme:error:unauthorized');
    assert.equal(error.message, 'acme: no TXT record');
  });

  it('leaves badNonce to acme-client, which retries with the fresh nonce', async () => {
    const error = await classify(answering(400, { type: 'urn:ietf:params:acme:error:badNonce', detail: 'stale' }));
    assert.ok(!(error instanceof AcmeError) && error instanceof Error);
    assert.ok((error as { response?: unknown }).response, 'the original axios error goes on');
  });

  it('passes successful answers through unchanged', async () => {
    const error = await classify(answering(201, { status: 'pending' }));
    assert.ok((error as { response?: { status: number } }).response?.status === 201);
  });

  it('turns a connection failure into a TransientError', async () => {
    const error = await classify(async () => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    assert.ok(error instanceof TransientError);
    assert.match(error.message, /ECONNRESET/);
  });
});

describe('Function: rateLimitedUntil', () => {
  const until = new Date('2026-06-02T03:04:05.678Z');
  it('reads back the time rateLimitedUntilMessage wrote', () => {
    const message = rateLimitedUntilMessage(until, 'too many certificates (5) for this exact set of identifiers');
    assert.equal(
      message,
      'acme: rate limited until 2026-06-02T03:04:05.678Z: too many certificates (5) for this exact set of identifiers',
    );
    assert.equal(rateLimitedUntil(message)?.toISOString(), until.toISOString());
  });
  it('reads the time when the message was cut right after it', () =>
    assert.equal(
      rateLimitedUntil('acme: rate limited until 2026-06-02T03:04:05Z')?.toISOString(),
      '2026-06-02T03:04:05.000Z',
    ));
  it('ignores other messages, a quoted phrase and a bad time', () => {
    for (const message of [
      'acme: rate limited: slow down',
      'acme: validation failed: rate limited until 2026-06-02T03:04:05.678Z: x',
      'acme: rate limited until 2026-13-45T99:99:99Z: x',
      'acme: rate limited until tomorrow: x',
      '',
    ]) {
      assert.equal(rateLimitedUntil(message), undefined, message);
    }
  });
});

describe('Function: parseRetryAfter', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('reads seconds', () => assert.equal(parseRetryAfter('120', now), 120));
  it('reads an HTTP date', () => assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), 60));
  it('ignores a past date', () => assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), undefined));
  it('ignores garbage', () => assert.equal(parseRetryAfter('soon', now), undefined));
});

describe('Function: classifyingAdapter, nonce reuse', () => {
  const at = (url: string, method: string) => ({ method, url, headers: {} }) as unknown as InternalAxiosRequestConfig;
  function recording(answers: { status: number; nonce?: string; body?: unknown }[]) {
    const calls: string[] = [];
    const adapter: AxiosAdapter = async (config) => {
      calls.push(`${config.method} ${config.url}`);
      const answer = answers.shift() ?? { status: 200 };
      const response = {
        status: answer.status,
        data: JSON.stringify(answer.body ?? {}),
        headers: answer.nonce ? { 'replay-nonce': answer.nonce } : {},
        config,
      } as unknown as AxiosResponse;
      if (answer.status >= 400) throw Object.assign(new Error('failed'), { response });
      return response;
    };
    return { calls, adapter: classifyingAdapter(adapter) };
  }

  it("answers newNonce from the previous answer's Replay-Nonce, without a request", async () => {
    const { calls, adapter } = recording([{ status: 201, nonce: 'n-1' }]);
    await adapter(at('https://nonce-a.test/acme/new-order', 'post'));
    const head = await adapter(at('https://nonce-a.test/acme/new-nonce', 'head'));
    assert.equal((head.headers as Record<string, string>)['replay-nonce'], 'n-1');
    assert.deepEqual(calls, ['post https://nonce-a.test/acme/new-order']);
  });

  it('uses each nonce once, then asks the CA again', async () => {
    const { calls, adapter } = recording([
      { status: 200, nonce: 'n-2' },
      { status: 200, nonce: 'fresh' },
    ]);
    await adapter(at('https://nonce-b.test/acme/order/1', 'post'));
    await adapter(at('https://nonce-b.test/acme/new-nonce', 'head'));
    await adapter(at('https://nonce-b.test/acme/new-nonce', 'head'));
    assert.equal(calls.length, 2);
    assert.equal(calls[1], 'head https://nonce-b.test/acme/new-nonce');
  });

  it("keeps CAs apart, and does not pool a badNonce answer's nonce (acme-client retries with it)", async () => {
    const { calls, adapter } = recording([
      { status: 400, nonce: 'retry-with-me', body: { type: 'urn:ietf:params:acme:error:badNonce' } },
    ]);
    await adapter(at('https://nonce-c.test/acme/new-order', 'post')).catch(() => undefined);
    await adapter(at('https://nonce-c.test/acme/new-nonce', 'head'));
    await adapter(at('https://nonce-d.test/acme/new-nonce', 'head'));
    assert.deepEqual(calls.slice(1), [
      'head https://nonce-c.test/acme/new-nonce',
      'head https://nonce-d.test/acme/new-nonce',
    ]);
  });
});
