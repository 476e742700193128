import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '../wire-error.js';
import { ImapFramer } from './imap-framer.js';
import { ImapReader } from './imap-reader.js';

/** A reader over the one message in `s` (CRLF appended). */
function reader(s: string, options: { maxDepth?: number; stream?: number } = {}): ImapReader {
  const f = new ImapFramer(options.stream === undefined ? {} : { streamThresholdBytes: options.stream });
  const events = f.push(Buffer.from(`${s}\r\n`, 'utf8')).filter((e) => e.kind === 'message');
  if (events.length !== 1 || events[0].kind !== 'message') throw new Error('expected one message');
  return new ImapReader(events[0].frame, options);
}

describe('ImapReader ABNF rules', () => {
  it('atom stops at atom-specials and leaves the position alone where it does not match', () => {
    const r = reader('FLAGS(x');
    expect(r.atom()).toBe('FLAGS');
    expect(r.atom()).toBeUndefined();
    expect(r.pos).toBe(5);
  });

  it('number and number64 read digits; number64 stops at 2^63', () => {
    expect(reader('4294967295').number()).toBe(4294967295);
    expect(reader('9223372036854775807').number64()).toBe(9223372036854775807n);
    expect(() => reader('9223372036854775808').number64()).toThrow(WireError);
    expect(reader('x1').number()).toBeUndefined();
  });

  it('quoted unescapes \\" and \\\\ and refuses other escapes', () => {
    expect(reader('"a \\"b\\" \\\\ c"').quoted()).toBe('a "b" \\ c');
    expect(() => reader('"a \\n"').quoted()).toThrow(/offset/);
    expect(() => reader('"open').quoted()).toThrow(WireError);
  });

  it('quoted decodes UTF-8', () => {
    expect(reader('"Grüße"').quoted()).toBe('Grüße');
  });

  it('nil is case-insensitive and not a prefix of an atom', () => {
    expect(reader('nil').nil()).toBe(true);
    expect(reader('NILS').nil()).toBe(false);
    expect(reader('NIL)').nil()).toBe(true);
  });

  it('astring takes ASTRING-CHARs ("]" included) or a string; nstring takes NIL', () => {
    expect(reader('a]b').astring()).toBe('a]b');
    expect(reader('"x y"').astring()).toBe('x y');
    expect(reader('{3}\r\nabc').astring()).toBe('abc');
    expect(reader('NIL').nstring()).toBeNull();
    expect(reader('(').nstring()).toBeUndefined();
  });

  it('literal returns a view of the data, or a marker when it was streamed', () => {
    const r = reader('{5}\r\nhe\r\nl ~{2}\r\n\x00\x01');
    const a = r.literal() as Uint8Array;
    expect(Buffer.from(a).toString('latin1')).toBe('he\r\nl');
    r.expectSP();
    expect([...(r.literal() as Uint8Array)]).toEqual([0, 1]);
    expect(r.atEnd()).toBe(true);
    const s = reader('X {10}\r\n0123456789', { stream: 4 });
    s.expectAtom();
    s.expectSP();
    expect(s.literal()).toEqual({ streamed: true, size: 10, binary: false });
    expect(s.atEnd()).toBe(true);
  });

  it('flag reads \\atom, \\* and keywords', () => {
    const r = reader('\\Seen \\* $Junk');
    expect(r.flag()).toBe('\\Seen');
    r.sp();
    expect(r.flag()).toBe('\\*');
    r.sp();
    expect(r.flag()).toBe('$Junk');
  });

  it('text takes the rest of the line whatever it holds (unbalanced quotes and parentheses)', () => {
    const r = reader('OK "unbalanced ( [ text');
    r.expectAtom();
    r.expectSP();
    expect(r.text()).toBe('"unbalanced ( [ text');
    expect(r.atEnd()).toBe(true);
  });

  it('untagged, continuation and response-code brackets', () => {
    const r = reader('* OK [ALERT] x');
    expect(r.continuation()).toBe(false);
    expect(r.untagged()).toBe(true);
    r.expectAtom();
    r.expectSP();
    expect(r.respTextCodeBegin()).toBe(true);
    expect(r.expectAtom()).toBe('ALERT');
    r.expectRespTextCodeEnd();
    const c = reader('+ go');
    expect(c.untagged()).toBe(false);
    expect(c.continuation()).toBe(true);
    expect(c.text()).toBe('go');
  });

  it('tag stops at "+" and SP', () => {
    expect(reader('a1+b').tag()).toBe('a1');
  });

  it('expect variants throw WireError(syntax) with the offset', () => {
    const r = reader('A B');
    r.expectAtom();
    try {
      r.expectNumber();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WireError);
      expect((e as WireError).reason).toBe('syntax');
      expect((e as WireError).offset).toBe(1);
      expect((e as Error).message).toMatch(/number at offset 1/);
    }
  });

  it('lists count against maxDepth', () => {
    const r = reader('(((x)))', { maxDepth: 2 });
    expect(r.listBegin()).toBe(true);
    expect(r.listBegin()).toBe(true);
    expect(() => r.listBegin()).toThrow(expect.objectContaining({ reason: 'too-deep', limit: 'maxDepth' }));
  });
});

describe('ImapReader.reset', () => {
  it('reads the next message as a fresh reader does, whatever the last one left behind', () => {
    const f = new ImapFramer();
    const frames = f
      .push(Buffer.from('* 1 FETCH (BODY[] {3}\r\nabc ((("x\r\n* LIST () "/" "b\\\\c"\r\n', 'latin1'))
      .flatMap((e) => (e.kind === 'message' ? [e.frame] : []));
    expect(frames).toHaveLength(2);
    const r = new ImapReader(frames[0], { maxDepth: 4 });
    r.pos = r.bytes.indexOf('{');
    expect(Buffer.from(r.literal() as Buffer).toString()).toBe('abc');
    r.sp();
    r.listBegin();
    r.listBegin();
    r.listBegin();
    expect(() => r.quoted()).toThrow(WireError);
    r.reset(frames[1]);
    expect([r.pos, r.depth, r.end]).toEqual([0, 0, frames[1].bytes.length - 2]);
    expect(r.nextLiteral()).toBeUndefined();
    r.pos = r.bytes.indexOf('"b');
    expect(r.quoted()).toBe('b\\c');
    expect(r.streamOffset()).toBe(frames[1].offset + r.pos);
    // depth counts from zero again: four levels are allowed, the fifth is not
    r.reset(frames[1]);
    r.pos = r.bytes.indexOf('(');
    for (let i = 0; i < 4; i++) {
      r.pos = r.bytes.indexOf('(');
      expect(r.listBegin()).toBe(true);
    }
    r.pos = r.bytes.indexOf('(');
    expect(() => r.listBegin()).toThrow(/maxDepth/);
  });
});

describe('ImapReader quoted strings', () => {
  it('unescape \\" and \\\\ exactly as the grammar says, with 8-bit text, strict and tolerant', () => {
    const piece = fc.constantFrom('a', 'Z', ' ', '\\\\', '\\"', 'é', '€', '\xff', '\\x', '"x', '\\');
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), fc.boolean(), (pieces, tolerant) => {
      const content = pieces.join('');
      const bytes = Buffer.concat([Buffer.from('"'), Buffer.from(content, 'utf8'), Buffer.from('"')]);
      const f = new ImapFramer().push(Buffer.concat([bytes, Buffer.from('\r\n')]));
      if (f[0].kind !== 'message') throw new Error('expected a message');
      const q = new ImapReader(f[0].frame);
      let ok: boolean;
      try {
        ok = q.scanQuoted(tolerant);
      } catch (e) {
        expect(e).toBeInstanceOf(WireError);
        return;
      }
      expect(ok).toBe(true);
      const raw = q.bytes.subarray(q.qStart, q.qEnd);
      const want = raw.toString('utf8').replace(/\\([\\"])/g, '$1');
      expect(q.quotedValue()).toBe(want);
    }), { numRuns: 1000 });
  });
});
