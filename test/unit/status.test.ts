import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EVENTS, MAX_MESSAGE_BYTES, appendEvent, boundMessage, setCondition } from '../../shared/domain/status.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('Module: status', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-02T00:00:00Z');

  it('keeps lastTransitionTime when the status does not flip', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Failed', message: 'a' }, t0);
    const again = setCondition(first, { type: 'Ready', status: 'False', reason: 'Failed', message: 'b' }, t1);
    assert.equal(again[0]?.lastTransitionTime, t0.toISOString());
    assert.equal(again[0]?.message, 'b');
  });

  it('moves lastTransitionTime when the status flips', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Failed', message: 'a' }, t0);
    const flipped = setCondition(first, { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok' }, t1);
    assert.equal(flipped[0]?.lastTransitionTime, t1.toISOString());
  });

  it('keeps only the newest events', () => {
    let events = appendEvent([], { type: 'Normal', reason: 'Issuing', message: '0' }, t0);
    for (let i = 1; i < MAX_EVENTS + 10; i++) {
      events = appendEvent(events, { type: 'Normal', reason: 'Issuing', message: String(i) }, t0);
    }
    assert.equal(events.length, MAX_EVENTS);
    assert.equal(events.at(-1)?.message, String(MAX_EVENTS + 9));
  });

  it('bounds each stored message to 1 KiB, saying it was cut', () => {
    assert.equal(boundMessage('short'), 'short');
    const exact = 'x'.repeat(MAX_MESSAGE_BYTES);
    assert.equal(boundMessage(exact), exact);
    const cut = boundMessage(`${'é'.repeat(600)}${'😀'.repeat(300)}`);
    assert.ok(bytes(cut) <= MAX_MESSAGE_BYTES, `${bytes(cut)} bytes`);
    assert.ok(bytes(cut) > MAX_MESSAGE_BYTES - 8, 'cut close to the bound');
    assert.match(cut, /^é+ … \(truncated; the full message is in the logs\)$/);
    const emoji = boundMessage('😀'.repeat(400));
    assert.doesNotMatch(emoji, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no half surrogate pair');
    const [condition] = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'Failed', message: 'y'.repeat(30_000) },
      t0,
    );
    assert.ok(bytes(condition!.message) <= MAX_MESSAGE_BYTES);
    assert.ok(
      bytes(appendEvent([], { type: 'Warning', reason: 'Failed', message: 'z'.repeat(30_000) }, t0)[0]!.message) <=
        MAX_MESSAGE_BYTES,
    );
  });
});
