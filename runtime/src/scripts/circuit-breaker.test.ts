import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { CircuitBreaker } from './circuit-breaker';

const setup = () => {
  const clock = new ManualClock('2030-01-01T00:00:00Z');
  return { clock, breaker: new CircuitBreaker({ failures: 3, windowMs: 60_000, coolDownMs: 30_000 }, clock) };
};

describe('CircuitBreaker', () => {
  it('opens after repeated failures within the window, per key', () => {
    const { breaker } = setup();
    breaker.failure('a');
    breaker.failure('a');
    expect(breaker.retryIn('a')).toBe(0);
    breaker.failure('a');
    expect(breaker.retryIn('a')).toBe(30_000);
    expect(breaker.retryIn('b')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const { breaker, clock } = setup();
    breaker.failure('a');
    breaker.failure('a');
    clock.advance(61_000);
    breaker.failure('a');
    expect(breaker.retryIn('a')).toBe(0);
  });

  it('lets a call through after the cool-down; a failure then reopens at once, a success closes', () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) breaker.failure('a');
    clock.advance(30_000);
    expect(breaker.retryIn('a')).toBe(0);
    breaker.failure('a');
    expect(breaker.retryIn('a')).toBe(30_000);
    clock.advance(30_000);
    expect(breaker.retryIn('a')).toBe(0);
    breaker.success('a');
    breaker.failure('a');
    expect(breaker.retryIn('a')).toBe(0);
  });

  it('a success resets the count', () => {
    const { breaker } = setup();
    breaker.failure('a');
    breaker.failure('a');
    breaker.success('a');
    breaker.failure('a');
    expect(breaker.retryIn('a')).toBe(0);
  });

  it('stays open when calls that were already running end well after it opened', () => {
    // The noisy-neighbour bench: the runaway's concurrent calls ended "aborted" or fine after the
    // first timeouts, and each of those closed the breaker again, so it never refused a call.
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) breaker.failure('a');
    breaker.success('a');
    breaker.success('a');
    expect(breaker.retryIn('a')).toBe(30_000);
    clock.advance(30_000);
    expect(breaker.retryIn('a')).toBe(0);
    breaker.success('a');
    breaker.failure('a');
    expect(breaker.retryIn('a')).toBe(0);
  });
});
