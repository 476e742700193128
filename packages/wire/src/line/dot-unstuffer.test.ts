import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ascii, splitAt, standardChunkings, text } from '../chunking.test-util.js';
import { WireError } from '../wire-error.js';
import { DotUnstuffer, dotUnstuff } from './dot-unstuffer.js';
import type { DotUnstufferOptions } from './dot-unstuffer.js';
import { splitStream, wireBytes } from './line.test-util.js';

/** The obviously-correct model (RFC 1939 §3), line by line on a string; null if unterminated. */
function unstuffModel(stream: string): { body: string; rest: string } | null {
  let body = '';
  for (let pos = 0; ; ) {
    const eol = stream.indexOf('\r\n', pos);
    if (eol === -1) return null;
    const line = stream.slice(pos, eol);
    if (line === '.') return { body, rest: stream.slice(eol + 2) };
    body += (line.startsWith('.') ? line.slice(1) : line) + '\r\n';
    pos = eol + 2;
  }
}

/** Feeds chunks until the body ends; returns body, rest (all bytes after the end) or the error. */
function unstuff(chunks: Uint8Array[], options?: DotUnstufferOptions): { body: string; rest: string } | string {
  const decoder = new DotUnstuffer(options);
  let body = '';
  try {
    for (let i = 0; i < chunks.length; i++) {
      const result = decoder.push(chunks[i]);
      body += result.body.map(text).join('');
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(1);
      if (result.ended) return { body, rest: text(result.rest) + chunks.slice(i + 1).map(text).join('') };
    }
    decoder.end();
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    return error.reason;
  }
  throw new Error('end() returned without a terminator');
}

/** [name, stream, body and rest or error reason, options] */
const cases: [string, string, { body: string; rest: string } | string, DotUnstufferOptions?][] = [
  ['empty body', '.\r\n', { body: '', rest: '' }],
  ['stuffed dots', '..a\r\n...\r\n.b\r\n.\r\n', { body: '.a\r\n..\r\nb\r\n', rest: '' }],
  ['rest after the end', 'x\r\n.\r\n+OK next\r\n', { body: 'x\r\n', rest: '+OK next\r\n' }],
  ['a dot not first is data', 'a.\r\n b.\r\n.\r\n', { body: 'a.\r\n b.\r\n', rest: '' }],
  ['bare LF dot LF is data', 'a\n.\n\r\n.\r\n', { body: 'a\n.\n\r\n', rest: '' }],
  ['".\\r\\r\\n" keeps one CR', '.\r\r\n.\r\n', { body: '\r\r\n', rest: '' }],
  ['".\\n" drops the dot', '.\nx\r\n.\r\n', { body: '\nx\r\n', rest: '' }],
  ['no terminator', 'a\r\n.\r', 'syntax'],
  ['strict: bare LF', 'a\nb\r\n.\r\n', 'syntax', { bareLineEnds: 'reject' }],
  ['strict: bare CR', 'a\rb\r\n.\r\n', 'syntax', { bareLineEnds: 'reject' }],
  ['strict: ".\\rx"', '.\rx\r\n.\r\n', 'syntax', { bareLineEnds: 'reject' }],
  ['strict: CRLF only is fine', 'a\r\n..\r\n.\r\n', { body: 'a\r\n.\r\n', rest: '' }, { bareLineEnds: 'reject' }],
];

describe('DotUnstuffer known answers', () => {
  for (const [name, stream, want, options] of cases) {
    if (typeof want !== 'string' && options === undefined) {
      it(`${name} matches the model`, () => expect(unstuffModel(stream)).toEqual(want));
    }
    for (const { name: how, chunks } of standardChunkings(ascii(stream))) {
      it(`${name} (${how})`, () => expect(unstuff(chunks, options)).toEqual(want));
    }
    if (typeof want === 'string') continue;
    it(`${name} (with trailing bytes)`, () => {
      expect(unstuff([ascii(stream + '-ERR x')], options)).toEqual({ body: want.body, rest: want.rest + '-ERR x' });
    });
    it(`${name} (one-shot)`, () => {
      const { body, rest } = dotUnstuff(ascii(stream), options);
      expect({ body: text(body), rest: text(rest) }).toEqual(want);
    });
  }
});

describe('DotUnstuffer', () => {
  it('one-shot without a terminator is a syntax error', () => {
    expect(() => dotUnstuff(ascii('abc\r\n'))).toThrow(expect.objectContaining({ reason: 'syntax' }));
  });

  it('refuses bytes after the end until reset()', () => {
    const decoder = new DotUnstuffer();
    expect(decoder.push(ascii('.\r\n')).ended).toBe(true);
    expect(() => decoder.push(ascii('x'))).toThrow(expect.objectContaining({ reason: 'ended' }));
    decoder.reset();
    expect(decoder.push(ascii('y\r\n.\r\n')).body.map(text)).toEqual(['y\r\n']);
  });

  it('equals the model on random bytes, over any split', () => {
    fc.assert(
      fc.property(splitStream(wireBytes(300)), ({ bytes, points }) => {
        const model = unstuffModel(text(bytes));
        expect(unstuff(splitAt(bytes, points))).toEqual(model ?? 'syntax');
      }),
      { numRuns: 600 },
    );
  });

  it('strict mode accepts exactly the bodies whose every CR and LF is in a CRLF', () => {
    fc.assert(
      fc.property(splitStream(wireBytes(200)), ({ bytes, points }) => {
        const model = unstuffModel(text(bytes));
        const got = unstuff(splitAt(bytes, points), { bareLineEnds: 'reject' });
        if (model === null || model.body.replace(/\r\n/g, '').match(/[\r\n]/)) expect(got).toBe('syntax');
        else expect(got).toEqual(model);
      }),
      { numRuns: 600 },
    );
  });
});
