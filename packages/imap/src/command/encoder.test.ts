import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { atom, list, literal, mailbox, num, seq, str } from './arguments.js';
import { encodeCommand } from './encoder.js';
import type { CommandPart, EncoderCapabilities } from './encoder.js';
import { sequenceSet } from './sequence-set.js';

const dec = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const enc = (s: string) => new TextEncoder().encode(s);

/** Renders parts as a transcript-like string: "<+>" where the encoder waits for a continuation. */
function render(parts: CommandPart[]): string {
  return parts.map((p) => (p.kind === 'bytes' ? dec(p.bytes) : p.kind === 'continue' ? '<+>' : `<stream ${p.size}>`)).join('');
}

function wire(parts: CommandPart[]): Uint8Array {
  return Buffer.concat(parts.filter((p) => p.kind === 'bytes').map((p) => (p as { bytes: Uint8Array }).bytes));
}

/**
 * Frames one command the way a server does: lines ended by CRLF, a line ending in a
 * literal header is followed by that many bytes. Returns the argument bytes of the first
 * string argument after `tag NAME ` and how many bytes the command took.
 */
function serverFrame(bytes: Uint8Array): { end: number; arg: Uint8Array } {
  let at = 0;
  let first: Uint8Array | null = null;
  const text = dec(bytes);
  const lineStart = text.indexOf(' ', text.indexOf(' ') + 1) + 1;
  for (;;) {
    const crlf = text.indexOf('\r\n', at);
    if (crlf < 0) throw new Error('no CRLF');
    const line = text.slice(at, crlf);
    const m = /~?\{(\d+)\+?\}$/.exec(line);
    if (!m) {
      if (first === null) first = parseInline(text.slice(at === 0 ? lineStart : at, crlf));
      return { end: crlf + 2, arg: first };
    }
    const n = Number(m[1]);
    if (first === null && at === 0 && m.index === lineStart) first = bytes.subarray(crlf + 2, crlf + 2 + n);
    at = crlf + 2 + n;
  }
}

function parseInline(rest: string): Uint8Array {
  if (!rest.startsWith('"')) return Buffer.from(rest.slice(0, rest.indexOf(' ')), 'latin1');
  let body = '';
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '"') break;
    if (c === '\\') body += rest[++i];
    else body += c;
  }
  return Buffer.from(body, 'latin1');
}

describe('encodeCommand', () => {
  it('chooses atom, quoted or literal by content', () => {
    expect(render(encodeCommand('A1', 'LOGIN', [str('alice'), str('p w"\\')]).parts)).toBe('A1 LOGIN alice "p w\\"\\\\"\r\n');
    expect(render(encodeCommand('A1', 'X', [str(''), str('NIL'), str('a]b')]).parts)).toBe('A1 X "" "NIL" a]b\r\n');
    expect(render(encodeCommand('A1', 'X', [str('two\r\nlines')]).parts)).toBe('A1 X {10}\r\n<+>two\r\nlines\r\n');
  });

  it('sends 8-bit as a literal, or quoted UTF-8 once UTF8=ACCEPT is on (RFC 6855)', () => {
    expect(render(encodeCommand('A1', 'SEARCH', [atom('SUBJECT'), str('café')]).parts)).toBe('A1 SEARCH SUBJECT {5}\r\n<+>caf\xc3\xa9\r\n');
    expect(render(encodeCommand('A1', 'SEARCH', [atom('SUBJECT'), str('café')], { utf8: true }).parts)).toBe('A1 SEARCH SUBJECT "caf\xc3\xa9"\r\n');
  });

  it('uses LITERAL+ for any size and LITERAL- only up to 4,096 bytes (RFC 7888)', () => {
    const small = new Uint8Array(4096).fill(0x61);
    const big = new Uint8Array(4097).fill(0x61);
    expect(render(encodeCommand('A1', 'APPEND', [mailbox('INBOX'), literal(small)], { literalPlus: true }).parts)).toMatch(/^A1 APPEND INBOX \{4096\+\}\r\na+\r\n$/);
    expect(render(encodeCommand('A1', 'APPEND', [mailbox('INBOX'), literal(small)], { literalMinus: true }).parts)).toMatch(/^A1 APPEND INBOX \{4096\+\}\r\na+\r\n$/);
    expect(render(encodeCommand('A1', 'APPEND', [mailbox('INBOX'), literal(big)], { literalMinus: true }).parts)).toMatch(/^A1 APPEND INBOX \{4097\}\r\n<\+>a+\r\n$/);
    expect(render(encodeCommand('A1', 'APPEND', [mailbox('INBOX'), literal(big)], { literalPlus: true }).parts)).toMatch(/^A1 APPEND INBOX \{4097\+\}\r\na+\r\n$/);
  });

  it('encodes mailbox names in modified UTF-7, INBOX in any case as INBOX', () => {
    expect(render(encodeCommand('A1', 'SELECT', [mailbox('inbox')]).parts)).toBe('A1 SELECT INBOX\r\n');
    expect(render(encodeCommand('A1', 'SELECT', [mailbox('Entwürfe')]).parts)).toBe('A1 SELECT Entw&APw-rfe\r\n');
    expect(render(encodeCommand('A1', 'SELECT', [mailbox('Entwürfe')], { utf8: true }).parts)).toBe('A1 SELECT "Entw\xc3\xbcrfe"\r\n');
    expect(render(encodeCommand('A1', 'SELECT', [mailbox('My Folder')]).parts)).toBe('A1 SELECT "My Folder"\r\n');
    expect(render(encodeCommand('A1', 'LIST', [mailbox(''), mailbox('*', true)]).parts)).toBe('A1 LIST "" *\r\n');
    expect(render(encodeCommand('A1', 'LIST', [mailbox(''), mailbox('*', false)]).parts)).toBe('A1 LIST "" "*"\r\n');
  });

  it('streams a literal from an async source and binary literal8 only with BINARY', async () => {
    async function* source() { yield enc('hi'); }
    expect(render(encodeCommand('A1', 'APPEND', [mailbox('INBOX'), literal({ size: 2, source: source() })]).parts)).toBe('A1 APPEND INBOX {2}\r\n<+><stream 2>\r\n');
    expect(render(encodeCommand('A1', 'APPEND', [mailbox('INBOX'), literal(Uint8Array.of(0, 1), { binary: true })], { binary: true, literalPlus: true }).parts))
      .toBe('A1 APPEND INBOX ~{2+}\r\n\x00\x01\r\n');
    expect(() => encodeCommand('A1', 'APPEND', [literal(Uint8Array.of(0), { binary: true })])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => encodeCommand('A1', 'APPEND', [literal(Uint8Array.of(0))])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });

  it('lists, numbers and sequence sets', () => {
    const parts = encodeCommand('A1', 'UID STORE', [seq(sequenceSet('1:*')), atom('+FLAGS.SILENT'), list([atom('\\Seen'), atom('$Label')])]).parts;
    expect(render(parts)).toBe('A1 UID STORE 1:* +FLAGS.SILENT (\\Seen $Label)\r\n');
    expect(render(encodeCommand('A1', 'X', [num(42n), num(7)]).parts)).toBe('A1 X 42 7\r\n');
  });

  it('redacts secrets from the command text', () => {
    const cmd = encodeCommand('A1', 'LOGIN', [str('alice'), str('s3cret\r\n', { secret: true })]);
    expect(cmd.text).toBe('A1 LOGIN [redacted]');
    const secretPart = cmd.parts.find((p) => p.kind === 'bytes' && dec(p.bytes).includes('s3cret'));
    expect(secretPart).toMatchObject({ secret: true });
  });

  it('refuses NUL, and atoms holding specials', () => {
    expect(() => encodeCommand('A1', 'SELECT', [mailbox('a\x00b')])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => encodeCommand('A1', 'SEARCH', [str('a\x00')])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => atom('a\r\nA2 DELETE INBOX')).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => encodeCommand('A1', 'FETCH', [{ type: 'atom', value: 'x {5}' }])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => encodeCommand('A 1', 'NOOP', [])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });

  const anyCaps = fc.record({ literalPlus: fc.boolean(), literalMinus: fc.boolean(), utf8: fc.boolean() }) as fc.Arbitrary<EncoderCapabilities>;
  const hostile = fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '\r', '\n', '{', '}', '5', '+', '*', '%', 'é', '€', ')', '(', 'A2 DELETE INBOX') });

  it('never lets a string end the command early, and the server reads it back intact (property)', () => {
    fc.assert(
      fc.property(hostile, anyCaps, fc.boolean(), (value, caps, asMailbox) => {
        const arg = asMailbox ? mailbox(value) : str(value);
        const bytes = wire(encodeCommand('A1', 'X', [arg, atom('END')], caps).parts);
        const { end, arg: read } = serverFrame(bytes);
        expect(end).toBe(bytes.length);
        expect(dec(bytes).endsWith(' END\r\n')).toBe(true);
        if (!asMailbox) expect(Buffer.from(read).toString('utf8')).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses NUL anywhere in a string or mailbox (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.boolean(), (a, b, asMailbox) => {
        const value = `${a}\x00${b}`;
        expect(() => encodeCommand('A1', 'X', [asMailbox ? mailbox(value) : str(value)])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
      }),
      { numRuns: 200 },
    );
  });
});
