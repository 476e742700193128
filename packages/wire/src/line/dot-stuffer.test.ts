import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ascii, splitAt, splitPoints, standardChunkings, text } from '../chunking.test-util.js';
import { UsageError } from '@mailwire/errors';
import { DotStuffer, dotStuff } from './dot-stuffer.js';
import { DotUnstuffer } from './dot-unstuffer.js';
import { Pop3ResponseDecoder } from './pop3-response-decoder.js';
import { showPop3, wireBytes } from './line.test-util.js';

/** The obviously-correct model: normalise line ends with a regex, then stuff line by line. */
function stuffModel(message: string): string {
  const lines = message.replace(/\r\n|\r|\n/g, '\r\n').split('\r\n');
  const last = lines.pop() as string;
  if (last !== '') lines.push(last);
  return lines.map((l) => (l.startsWith('.') ? '.' : '') + l + '\r\n').join('') + '.\r\n';
}

function stuffChunks(chunks: Uint8Array[]): string {
  const stuffer = new DotStuffer();
  return chunks.map((c) => text(stuffer.push(c))).join('') + text(stuffer.end());
}

/** [name, message, bytes on the wire] */
const cases: [string, string, string][] = [
  ['empty message', '', '.\r\n'],
  ['one line', 'hi\r\n', 'hi\r\n.\r\n'],
  ['last line without CRLF', 'hi', 'hi\r\n.\r\n'],
  ['RFC 5321 §4.5.2 leading dots', '.\r\n..x\r\nno.dot\r\n.', '..\r\n...x\r\nno.dot\r\n..\r\n.\r\n'],
  ['dot first in the message', '.hidden', '..hidden\r\n.\r\n'],
  ['blank lines', '\r\n\r\n', '\r\n\r\n.\r\n'],
  ['8-bit and NUL', '\x00\xff\xe9', '\x00\xff\xe9\r\n.\r\n'],
  // SMTP smuggling (2023): every way a lenient server might see an early end of data.
  ['smuggling \\n.\\n', 'a\n.\nMAIL FROM:<x>\n', 'a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n'],
  ['smuggling \\r.\\r', 'a\r.\rMAIL FROM:<x>\r', 'a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n'],
  ['smuggling \\n.\\r\\n', 'a\n.\r\nRCPT', 'a\r\n..\r\nRCPT\r\n.\r\n'],
  ['smuggling \\r\\n.\\n', 'a\r\n.\nRCPT', 'a\r\n..\r\nRCPT\r\n.\r\n'],
  ['smuggling \\r\\n.\\r', 'a\r\n.\rRCPT', 'a\r\n..\r\nRCPT\r\n.\r\n'],
  ['smuggling \\r\\n.\\r\\n inside', 'a\r\n.\r\nDATA\r\n', 'a\r\n..\r\nDATA\r\n.\r\n'],
  ['CR CR LF', 'a\r\r\nb', 'a\r\n\r\nb\r\n.\r\n'],
  ['LF CR', 'a\n\rb', 'a\r\n\r\nb\r\n.\r\n'],
  ['ends with a bare CR', 'a\r', 'a\r\n.\r\n'],
  ['ends with a bare LF', 'a\n', 'a\r\n.\r\n'],
];

describe('DotStuffer known answers', () => {
  for (const [name, message, wire] of cases) {
    it(`${name} matches the model`, () => expect(stuffModel(message)).toBe(wire));
    for (const { name: how, chunks } of standardChunkings(ascii(message))) {
      it(`${name} (${how})`, () => expect(stuffChunks(chunks)).toBe(wire));
    }
    it(`${name} (one-shot)`, () => expect(text(dotStuff(ascii(message)))).toBe(wire));
  }
});

describe('DotStuffer', () => {
  it('returns the chunk itself when nothing needs changing', () => {
    const stuffer = new DotStuffer();
    const chunk = ascii('Subject: x\r\n\r\nbody\r\n');
    expect(stuffer.push(chunk)).toBe(chunk);
  });

  it('cannot be used after end(): a UsageError, the caller misused it', () => {
    const stuffer = new DotStuffer();
    stuffer.end();
    expect(() => stuffer.push(ascii('x'))).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => stuffer.end()).toThrow(UsageError);
  });

  it('equals the model, over any chunking', () => {
    fc.assert(
      fc.property(
        wireBytes(300).chain((b) => splitPoints(b.length).map((p) => ({ bytes: b, points: p }))),
        ({ bytes, points }) => {
          const want = stuffModel(text(bytes));
          expect(text(dotStuff(bytes))).toBe(want);
          expect(stuffChunks(splitAt(bytes, points))).toBe(want);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('never emits an early end of data, nor a bare CR or LF', () => {
    fc.assert(
      fc.property(wireBytes(300), (bytes) => {
        const wire = text(dotStuff(bytes));
        const end = wire.length === 3 ? '.\r\n' : '\r\n.\r\n';
        expect(wire.endsWith(end)).toBe(true);
        expect(wire.indexOf('\r\n.\r\n')).toBe(wire.length === 3 ? -1 : wire.length - 5);
        expect(wire.startsWith('.\r\n')).toBe(wire.length === 3);
        expect(wire.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 600 },
    );
  });

  it('round-trips through the DotUnstuffer and the POP3 decoder, over any chunking', () => {
    const arb = wireBytes(300).chain((b) => {
      const wire = dotStuff(b);
      return splitPoints(wire.length + 20).map((p) => ({ message: b, wire, points: p }));
    });
    fc.assert(
      fc.property(arb, ({ message, wire, points }) => {
        const normal = text(message).replace(/\r\n|\r|\n/g, '\r\n');
        const original = normal === '' || normal.endsWith('\r\n') ? normal : normal + '\r\n';

        const unstuffer = new DotUnstuffer({ bareLineEnds: 'reject' });
        let got = '';
        let ended = false;
        for (const chunk of splitAt(wire, points)) {
          const result = unstuffer.push(chunk);
          got += result.body.map(text).join('');
          ended = result.ended;
          expect(result.rest.length).toBe(0);
        }
        expect(ended).toBe(true);
        expect(got).toBe(original);

        const stream = Buffer.concat([ascii('+OK\r\n'), wire, ascii('+OK bye\r\n')]);
        const pop3 = new Pop3ResponseDecoder();
        pop3.expect('multi-line');
        const frames = splitAt(stream, points).flatMap((c) => pop3.push(c));
        pop3.end();
        const body = original === '' ? [] : [{ kind: 'body', text: original }];
        expect(showPop3(frames)).toEqual([
          { kind: 'status', ok: true, text: '', body: true },
          ...body,
          { kind: 'body-end' },
          { kind: 'status', ok: true, text: 'bye', body: false },
        ]);
      }),
      { numRuns: 400 },
    );
  });
});
