import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '../wire-error.js';
import { ascii, splitAt, splitPoints, standardChunkings, text } from '../chunking.test-util.js';
import { ImapFramer, type ImapFramerEvent, type ImapFramerOptions } from './imap-framer.js';

type Plain =
  | { kind: 'message'; text: string; literals: { start: number; size: number; binary: boolean; nonSync: boolean; streamed: boolean }[] }
  | { kind: 'literal-begin'; head: string; size: number; binary: boolean }
  | { kind: 'literal-data'; text: string };

/** Frames chunks; literal chunks joined, so different chunkings compare equal. */
function frame(chunks: Uint8Array[], options: ImapFramerOptions = {}): Plain[] {
  const f = new ImapFramer(options);
  const out: Plain[] = [];
  for (const c of chunks) {
    for (const e of f.push(c)) {
      if (e.kind === 'message') out.push({ kind: 'message', text: text(e.frame.bytes), literals: e.frame.literals.map((l) => ({ ...l })) });
      else if (e.kind === 'literal-begin') out.push({ kind: 'literal-begin', head: text(e.head), size: e.size, binary: e.binary });
      else {
        const last = out[out.length - 1];
        if (last?.kind === 'literal-data') last.text += text(e.bytes);
        else out.push({ kind: 'literal-data', text: text(e.bytes) });
      }
    }
  }
  return out;
}

const lit = (start: number, size: number, extra: Partial<{ binary: boolean; nonSync: boolean; streamed: boolean }> = {}) => ({
  start, size, binary: false, nonSync: false, streamed: false, ...extra,
});

const KNOWN: [string, string, Plain[]][] = [
  ['a plain line', '* OK hi\r\n', [{ kind: 'message', text: '* OK hi\r\n', literals: [] }]],
  ['two lines', '* 1 EXISTS\r\na1 OK done\r\n', [
    { kind: 'message', text: '* 1 EXISTS\r\n', literals: [] },
    { kind: 'message', text: 'a1 OK done\r\n', literals: [] },
  ]],
  ['a literal (RFC 9051 §4.3)', '* 12 FETCH (BODY[] {5}\r\nhello)\r\n', [
    { kind: 'message', text: '* 12 FETCH (BODY[] {5}\r\nhello)\r\n', literals: [lit(24, 5)] },
  ]],
  ['a literal holding CRLF and a fake {n}', '* 1 FETCH (BODY[] {9}\r\nx{3}\r\nab\r\n)\r\n', [
    { kind: 'message', text: '* 1 FETCH (BODY[] {9}\r\nx{3}\r\nab\r\n)\r\n', literals: [lit(23, 9)] },
  ]],
  ['a literal whose last byte is CR, then LF', '* 1 FETCH (X {1}\r\n\r\n)\r\n', [
    { kind: 'message', text: '* 1 FETCH (X {1}\r\n\r\n)\r\n', literals: [lit(18, 1)] },
  ]],
  ['LITERAL+ and binary literals (RFC 7888, RFC 3516)', 'A1 X {2+}\r\nab ~{3}\r\n\x00\x01\x02\r\n', [
    { kind: 'message', text: 'A1 X {2+}\r\nab ~{3}\r\n\x00\x01\x02\r\n', literals: [lit(11, 2, { nonSync: true }), lit(20, 3, { binary: true })] },
  ]],
  ['an empty literal', '* 3 FETCH (BODY[] {0}\r\n)\r\n', [
    { kind: 'message', text: '* 3 FETCH (BODY[] {0}\r\n)\r\n', literals: [lit(23, 0)] },
  ]],
  ['text ending in braces that are no literal', '* OK see {abc}\r\n* OK {}\r\n', [
    { kind: 'message', text: '* OK see {abc}\r\n', literals: [] },
    { kind: 'message', text: '* OK {}\r\n', literals: [] },
  ]],
  ['a bare LF is data', '* OK a\nb\r\n', [{ kind: 'message', text: '* OK a\nb\r\n', literals: [] }]],
];

describe('ImapFramer known answers', () => {
  for (const [name, input, expected] of KNOWN) {
    for (const { name: how, chunks } of standardChunkings(ascii(input))) {
      it(`${name}, ${how}`, () => expect(frame(chunks)).toEqual(expected));
    }
    it(`${name}, with trailing bytes`, () => {
      const f = new ImapFramer();
      const events = f.push(ascii(input + '* 5 EXI'));
      expect(events.length).toBe(expected.length);
      expect(f.bufferedBytes).toBe(7);
      expect(f.idle).toBe(false);
    });
  }

  it('gives views into the pushed chunk when a message lies inside it (no copy)', () => {
    const chunk = ascii('* OK a\r\n* OK b\r\n');
    const [a, b] = new ImapFramer().push(chunk);
    expect(a.kind === 'message' && a.frame.bytes.buffer).toBe(chunk.buffer);
    expect(b.kind === 'message' && b.frame.offset).toBe(8);
  });
});

describe('ImapFramer on the server side (RFC 3501 §6 command examples)', () => {
  const message = 'Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nSubject: afternoon meeting\r\n\r\nHello Joe\r\n';
  const append = `A003 APPEND saved-messages (\\Seen) {${message.length}}\r\n${message}\r\n`;
  for (const { name, chunks } of standardChunkings(ascii(append))) {
    it(`frames APPEND with a synchronizing literal, ${name}`, () => {
      expect(frame(chunks)).toEqual([{ kind: 'message', text: append, literals: [lit(append.indexOf('Date'), message.length)] }]);
    });
  }

  it('says when a synchronizing literal waits for its "+", and not for LITERAL+', () => {
    const f = new ImapFramer();
    f.push(ascii('A003 APPEND saved-messages {10}\r\n'));
    expect(f.pendingLiteral).toEqual({ size: 10, remaining: 10, nonSync: false, binary: false });
    f.push(ascii('01234'));
    expect(f.pendingLiteral).toEqual({ size: 10, remaining: 5, nonSync: false, binary: false });
    expect(f.push(ascii('56789\r\n'))).toHaveLength(1);
    expect(f.pendingLiteral).toBeNull();
    f.push(ascii('A004 LOGIN {5+}\r\n'));
    expect(f.pendingLiteral).toMatchObject({ nonSync: true, remaining: 5 });
  });
});

describe('ImapFramer streaming', () => {
  const input = '* 7 FETCH (UID 3 BODY[1.2] {12}\r\nhello, world FLAGS ())\r\n';
  for (const { name, chunks } of standardChunkings(ascii(input))) {
    it(`streams a literal over the threshold, ${name}`, () => {
      expect(frame(chunks, { streamThresholdBytes: 11 })).toEqual([
        { kind: 'literal-begin', head: '* 7 FETCH (UID 3 BODY[1.2] {12}\r\n', size: 12, binary: false },
        { kind: 'literal-data', text: 'hello, world' },
        { kind: 'message', text: '* 7 FETCH (UID 3 BODY[1.2] {12}\r\n FLAGS ())\r\n', literals: [lit(33, 12, { streamed: true })] },
      ]);
    });
  }

  it('holds nothing of a streamed 8 MiB literal however it is chunked', () => {
    const f = new ImapFramer({ streamThresholdBytes: 1024, maxLiteralBytes: 4096, maxMessageBytes: 8192 });
    f.push(ascii('* 1 FETCH (BODY[] {8388608}\r\n'));
    const piece = new Uint8Array(65536).fill(0x41);
    let seen = 0;
    for (let i = 0; i < 128; i++) {
      for (const e of f.push(piece)) if (e.kind === 'literal-chunk') seen += e.bytes.length;
      expect(f.bufferedBytes).toBeLessThan(64);
    }
    const done = f.push(ascii(')\r\n'));
    expect(seen).toBe(8388608);
    expect(done.map((e) => e.kind)).toEqual(['message']);
  });
});

describe('ImapFramer limits and bad lengths', () => {
  const fails = (input: string, reason: string, options: ImapFramerOptions = {}, limit?: string) => {
    for (const { name, chunks } of standardChunkings(ascii(input))) {
      const f = new ImapFramer(options);
      let err: unknown;
      try {
        for (const c of chunks) f.push(c);
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(WireError);
      expect((err as WireError).reason, name).toBe(reason);
      expect((err as WireError).code).toBe('EPROTOCOL');
      if (limit) expect((err as WireError).limit).toBe(limit);
      expect(() => f.push(ascii('* OK\r\n'))).toThrow(expect.objectContaining({ reason: 'ended' }));
    }
  };
  it('rejects a literal length with non-digits', () => fails('* 1 FETCH (BODY[] {12a}\r\n', 'syntax'));
  it('rejects a literal length with 20 digits', () => fails('* 1 FETCH (BODY[] {12345678901234567890}\r\n', 'syntax'));
  it('rejects a literal length past 2^63', () => fails('* 1 FETCH (BODY[] {9300000000000000000}\r\n', 'syntax'));
  it('rejects a literal past maxLiteralBytes', () => fails('* 1 FETCH (BODY[] {1001}\r\n', 'literal-too-large', { maxLiteralBytes: 1000 }, 'maxLiteralBytes'));
  it('rejects a line past maxLineBytes', () => fails(`* OK ${'x'.repeat(100)}\r\n`, 'line-too-long', { maxLineBytes: 64 }, 'maxLineBytes'));
  it('rejects a line past maxLineBytes before its end arrives', () => fails(`* OK ${'x'.repeat(100)}`, 'line-too-long', { maxLineBytes: 64 }, 'maxLineBytes'));
  it('rejects a message past maxMessageBytes', () =>
    fails('* 1 FETCH (A {40}\r\n' + 'a'.repeat(40) + ' B {40}\r\n' + 'b'.repeat(40) + ')\r\n', 'literal-too-large', { maxLiteralBytes: 50, maxMessageBytes: 80 }, 'maxMessageBytes'));
  it('keeps, in the caller\'s array, every message complete before the error, however the bytes are split', () => {
    const before = '* 1 EXISTS\r\n* 2 FETCH (BODY[] {3}\r\nabc)\r\na1 OK done\r\n';
    for (const bad of [`* OK ${'x'.repeat(100)}\r\n`, '* 1 FETCH (BODY[] {1001}\r\n', '* 1 FETCH (BODY[] {12a}\r\n']) {
      for (const { name, chunks } of standardChunkings(ascii(before + bad))) {
        const f = new ImapFramer({ maxLineBytes: 64, maxLiteralBytes: 1000 });
        const got: string[] = [];
        expect(() => {
          for (const c of chunks) {
            const out: ImapFramerEvent[] = [];
            try {
              f.push(c, out);
            } finally {
              for (const e of out) if (e.kind === 'message') got.push(text(e.frame.bytes));
            }
          }
        }, name).toThrow(WireError);
        expect(got, `${name}: ${bad.slice(0, 20)}`).toEqual(['* 1 EXISTS\r\n', '* 2 FETCH (BODY[] {3}\r\nabc)\r\n', 'a1 OK done\r\n']);
      }
    }
  });
  it('accepts a line of exactly maxLineBytes, CRLF included', () => {
    expect(frame([ascii(`* OK ${'x'.repeat(57)}\r\n`)], { maxLineBytes: 64 })).toHaveLength(1);
  });
});

/** A generated IMAP-ish message: lines, some ending in literal announcements. */
const messageArb = fc
  .array(
    fc.record({
      line: fc.stringMatching(/^[ -~]{0,30}$/).map((s) => s.replace(/\}$/, '')),
      literal: fc.option(
        fc.record({ data: fc.uint8Array({ maxLength: 40 }), kind: fc.constantFrom('{', '~{', '{+') }),
        { nil: undefined },
      ),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => {
    let s = '';
    const chunks: Uint8Array[] = [];
    parts.forEach((p, i) => {
      const last = i === parts.length - 1;
      if (p.literal && !last) {
        const n = p.literal.data.length;
        const ann = p.literal.kind === '{' ? `{${n}}` : p.literal.kind === '~{' ? `~{${n}}` : `{${n}+}`;
        chunks.push(ascii(`${s}${p.line} ${ann}\r\n`), p.literal.data);
        s = '';
      } else {
        s += p.line;
      }
    });
    chunks.push(ascii(`${s}\r\n`));
    return Buffer.concat(chunks);
  });
const streamArb = fc.array(messageArb, { minLength: 1, maxLength: 5 }).map((ms) => Buffer.concat(ms));

describe('ImapFramer properties', () => {
  it('any split of a stream gives the same frames as one chunk (held and streamed)', () => {
    fc.assert(
      fc.property(streamArb.chain((s) => fc.tuple(fc.constant(s), splitPoints(s.length), fc.constantFrom(undefined, 0, 5, 20))), ([stream, points, threshold]) => {
        const options = threshold === undefined ? {} : { streamThresholdBytes: threshold };
        expect(frame(splitAt(stream, points), options)).toEqual(frame([stream], options));
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes give frames or a WireError, never another error, never more memory than the limits', () => {
    const imapish = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.constantFrom('{', '}', '~', '+', '1', '9', '0', '\r', '\n', '\r\n', 'x', ' ', '(', ')', '"', '{5}\r\n', '{99999}\r\n'), { maxLength: 120 }).map((a) => ascii(a.join(''))),
    );
    fc.assert(
      fc.property(imapish, splitPoints(300), fc.constantFrom(undefined, 3), (bytes, points, threshold) => {
        const options = { maxLineBytes: 64, maxLiteralBytes: 100, maxMessageBytes: 200, ...(threshold === undefined ? {} : { streamThresholdBytes: threshold }) };
        const f = new ImapFramer(options);
        try {
          for (const c of splitAt(bytes, points)) {
            f.push(c);
            expect(f.bufferedBytes).toBeLessThanOrEqual(200 + 64);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 600 },
    );
  });
});

describe('ImapFramer held bytes', () => {
  it('a 300 KiB literal dripped in 1..7-byte chunks comes out byte-exact', () => {
    const data = Buffer.alloc(300 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
    const stream = Buffer.concat([ascii(`* 1 FETCH (BODY[] {${data.length}}\r\n`), data, ascii(')\r\n')]);
    const f = new ImapFramer();
    const out = [];
    for (let at = 0, k = 0; at < stream.length; k++) {
      const n = 1 + (k % 7);
      out.push(...f.push(stream.subarray(at, at + n)));
      at += n;
    }
    expect(out).toHaveLength(1);
    const m = out[0];
    expect(m.kind === 'message' && Buffer.compare(m.frame.bytes, stream)).toBe(0);
  });
});
