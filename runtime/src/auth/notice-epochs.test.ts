import { describe, expect, it } from 'vitest';
import { NoticeEpochs } from './notice-epochs';

describe('NoticeEpochs', () => {
  it('refuses a read that a notice of its schema, or a reset, overtook, and only those', () => {
    const epochs = new NoticeEpochs();
    const a = epochs.token('t_a');
    const b = epochs.token('t_b');
    epochs.bump('t_a');
    expect(epochs.unchanged('t_a', a)).toBe(false);
    expect(epochs.unchanged('t_b', b)).toBe(true);
    const a2 = epochs.token('t_a');
    expect(epochs.unchanged('t_a', a2)).toBe(true);
    epochs.bumpAll();
    expect(epochs.unchanged('t_a', a2)).toBe(false);
    expect(epochs.unchanged('t_b', b)).toBe(false);
    // A token of another schema with the same counts is no pass: each read checks its own schema.
    expect(epochs.unchanged('t_c', undefined)).toBe(false);
  });
});
