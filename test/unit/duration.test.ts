import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../shared/domain/duration.js';

const HOUR = 3_600_000;

describe('Function: parseDuration', () => {
  const good: [string, number][] = [
    ['2160h', 2160 * HOUR],
    ['90m', 90 * 60_000],
    ['1h30m', 1.5 * HOUR],
    ['45s', 45_000],
    ['1.5h', 1.5 * HOUR],
    ['300ms', 300],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
    ['.5s', 500],
    ['1.s', 1_000],
    ['1h0m0s', HOUR],
    ['2160h0m0s', 2160 * HOUR],
    ['0', 0],
    ['+5m', 300_000],
    ['-1h', -HOUR],
  ];
  for (const [text, ms] of good) {
    it(`parses ${JSON.stringify(text)} as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  const bad: [string, RegExp][] = [
    ['', /invalid duration ""/],
    ['h', /invalid duration/],
    ['.h', /invalid duration/],
    ['-', /invalid duration/],
    ['10', /missing unit/],
    ['1h30', /missing unit/],
    ['1.5.5h', /missing unit/],
    ['5d', /unknown unit "d"/],
    ['5 h', /unknown unit " h"/],
    ['1hh', /unknown unit "hh"/],
    ['P1D', /invalid duration/],
    ['99999999999999999999h', /too long/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)} with a plain Error`, () => {
      assert.throws(
        () => parseDuration(text),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.equal(error.constructor, Error);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('Function: formatDuration', () => {
  const cases: [number, string][] = [
    [2160 * HOUR, '2160h0m0s'],
    [1.5 * HOUR, '1h30m0s'],
    [61_000, '1m1s'],
    [45_000, '45s'],
    [1_500, '1.5s'],
    [300, '300ms'],
    [1.5, '1.5ms'],
    [0.001_5, '1.5µs'],
    [0.000_5, '500ns'],
    [0, '0s'],
    [-HOUR, '-1h0m0s'],
  ];
  for (const [ms, text] of cases) {
    it(`formats ${ms} ms as ${text}`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  it('round-trips through parseDuration', () => {
    for (const text of ['2160h', '1h30m', '45s', '1.5h', '300ms', '876000h']) {
      assert.equal(parseDuration(formatDuration(parseDuration(text))), parseDuration(text));
    }
  });
});
