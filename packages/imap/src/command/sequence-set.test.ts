import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compactSequenceSet, expandSequenceSet, isSequenceSet, sequenceSet } from './sequence-set.js';

describe('SequenceSet', () => {
  it('accepts the RFC 9051 grammar and refuses the rest', () => {
    for (const ok of ['1', '*', '1:*', '2,4:7,9,12:*', '4294967295', '$', '*:4']) expect(isSequenceSet(ok)).toBe(true);
    for (const bad of ['', '0', '01', '1,', ',1', '1::2', '1:', 'a', '1 2', '4294967296', '1\r\n', '$,1', '-1']) expect(isSequenceSet(bad)).toBe(false);
  });

  it('is made from text, a number or a list, and throws EUSAGE otherwise', () => {
    expect(sequenceSet('1:5')).toBe('1:5');
    expect(sequenceSet(7)).toBe('7');
    expect(sequenceSet([1, [3, 5], [9, '*']])).toBe('1,3:5,9:*');
    expect(() => sequenceSet('1\r\nA2 LOGOUT')).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => sequenceSet(0)).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => sequenceSet(1.5)).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => sequenceSet([])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });

  it('compacts and expands back to the same numbers (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 60 }), (numbers) => {
        const set = compactSequenceSet(numbers);
        expect(isSequenceSet(set)).toBe(true);
        expect(expandSequenceSet(set)).toEqual([...new Set(numbers)].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
    expect(compactSequenceSet([5, 1, 2, 3, 9])).toBe('1:3,5,9');
  });

  it('bounds expansion', () => {
    expect(() => expandSequenceSet('1:1000000', 1000)).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });
});
