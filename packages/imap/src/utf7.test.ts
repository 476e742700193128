import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from './utf7.js';

describe('modified UTF-7 (RFC 3501 §5.1.3)', () => {
  const KNOWN: [string, string][] = [
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'], // the RFC's own example
    ['Entwürfe', 'Entw&APw-rfe'],
    ['Tom & Jerry', 'Tom &- Jerry'],
    ['INBOX', 'INBOX'],
    ['', ''],
    ['😀', '&2D3eAA-'],
    ['a\tb', 'a&AAk-b'],
  ];
  for (const [name, wire] of KNOWN) {
    it(`${JSON.stringify(name)} <-> ${wire}`, () => {
      expect(encodeModifiedUtf7(name)).toBe(wire);
      expect(decodeModifiedUtf7(wire)).toBe(name);
    });
  }

  it('round-trips any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        const wire = encodeModifiedUtf7(s);
        expect(wire).toMatch(/^[\x20-\x7e]*$/);
        expect(decodeModifiedUtf7(wire)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what RFC 3501 forbids, with EPROTOCOL', () => {
    for (const bad of ['&Jjo', '&U,B-', '&AGE-', '&2D0-', '&3gA-', '&Jjo!-', '&ZeVnLIqe']) {
      expect(() => decodeModifiedUtf7(bad), bad).toThrow(expect.objectContaining({ code: 'EPROTOCOL' }));
    }
  });

  it('decodes a BASE64 run of hundreds of thousands of code units (no stack overflow)', () => {
    const name = 'é'.repeat(300_000);
    expect(decodeModifiedUtf7(encodeModifiedUtf7(name))).toBe(name);
  });
});
