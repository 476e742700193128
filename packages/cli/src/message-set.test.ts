import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ArgvError } from './args.js';
import { messageNumbers } from './message-set.js';

describe('messageNumbers (fetch --set on POP3)', () => {
  it('reads numbers, ranges either way round, * and comma lists, within 1..count', () => {
    expect(messageNumbers('1:*', 4)).toEqual([1, 2, 3, 4]);
    expect(messageNumbers('3', 4)).toEqual([3]);
    expect(messageNumbers('4:2,1', 9)).toEqual([1, 2, 3, 4]);
    expect(messageNumbers('2:5,9', 6)).toEqual([2, 3, 4, 5]);
    expect(messageNumbers('*', 7)).toEqual([7]);
    expect(messageNumbers('1:*', 0)).toEqual([]);
  });

  it('refuses what is not a sequence set', () => {
    for (const bad of ['', 'a', '1:', ':3', '0', '1,,2', '1:2:3', '-1', '01', '2:05']) expect(() => messageNumbers(bad, 5), bad).toThrow(ArgvError);
  });

  it('every number is in range, ascending and unique', () => {
    const seq = fc.oneof(fc.integer({ min: 1, max: 50 }).map(String), fc.constant('*'));
    const part = fc.tuple(seq, fc.option(seq)).map(([a, b]) => (b === null ? a : `${a}:${b}`));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 40 }), (parts, count) => {
        const got = messageNumbers(parts.join(','), count);
        expect(got.every((n, i) => n >= 1 && n <= count && (i === 0 || n > got[i - 1]!))).toBe(true);
      }),
    );
  });
});
