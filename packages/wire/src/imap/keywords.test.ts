import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImapFramer } from './imap-framer.js';
import { ImapReader } from './imap-reader.js';
import { knownKeyword } from './keywords.js';

function readerAt(atom: string): ImapReader {
  const events = new ImapFramer().push(Buffer.from(`* ${atom} x\r\n`, 'latin1'));
  const e = events.find((x) => x.kind === 'message');
  if (e?.kind !== 'message') throw new Error('expected one message');
  const r = new ImapReader(e.frame);
  r.pos = 2;
  return r;
}

describe('keyword matching on the bytes', () => {
  it('gives what upper-casing the decoded atom gives, for any atom, in any case', () => {
    const known = fc.constantFrom('STATUS', 'list', 'Fetch', 'exists', 'HighestModSeq', 'read-write', 'uidNext', 'ok', 'BYE', 'PERMANENTFLAGS');
    const mutated = fc.tuple(known, fc.nat(), fc.constantFrom('a', 'Z', '-', '.', '0', '\x80', '\xe9', 'S', '[')).map(([k, i, c]) => {
      const at = i % k.length;
      return k.slice(0, at) + c + k.slice(at + 1);
    });
    const cased = known.chain((k) => fc.array(fc.boolean(), { minLength: k.length, maxLength: k.length })
      .map((flips) => [...k].map((ch, i) => (flips[i] ? ch.toLowerCase() : ch.toUpperCase())).join('')));
    fc.assert(fc.property(fc.oneof(cased, mutated, fc.stringMatching(/^[A-Za-z0-9.-]{1,20}$/)), (atom) => {
      if (/[\x00-\x20(){%*"\\\]\x7f]/.test(atom)) return; // not an atom
      const r = readerAt(atom);
      expect(r.keyword()).toBe(readerAt(atom).atom()?.toUpperCase());
      expect(r.pos).toBe(2 + atom.length);
    }));
  });

  it('returns the constant for a known keyword and undefined for anything else', () => {
    const b = Buffer.from('hIgHeStMoDsEq STATU? OKAY', 'latin1');
    expect(knownKeyword(b, 0, 13)).toBe('HIGHESTMODSEQ');
    expect(knownKeyword(b, 14, 6)).toBeUndefined(); // "STATU?"
    expect(knownKeyword(b, 21, 4)).toBeUndefined(); // "OKAY" is no keyword; "OK" is a prefix only
    expect(knownKeyword(b, 21, 2)).toBe('OK');
  });
});
