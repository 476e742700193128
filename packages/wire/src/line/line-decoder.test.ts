import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ascii, splitAt, standardChunkings, text } from '../chunking.test-util.js';
import { WireError } from '../wire-error.js';
import { LineDecoder } from './line-decoder.js';
import type { LineDecoderOptions } from './line-decoder.js';
import { run, splitStream, wireBytes } from './line.test-util.js';

/** [name, stream, expected lines (or the error reason after those lines), options] */
const cases: [string, string, (string | { error: string })[], LineDecoderOptions?][] = [
  ['one line', 'hello\r\n', ['hello']],
  ['empty lines', '\r\n\r\n', ['', '']],
  ['several lines', '+OK ready\r\nUSER a\r\n250 ok\r\n', ['+OK ready', 'USER a', '250 ok']],
  ['bare LF is data by default', 'a\nb\r\nc\n\r\n', ['a\nb', 'c\n']],
  ['bare CR is data', 'a\rb\r\r\n', ['a\rb\r']],
  ['bare LF ends a line when asked', 'a\nb\r\n\n', ['a', 'b', ''], { bareLf: 'line-end' }],
  ['bare LF rejected when asked', 'ok\r\nbad\nx', ['ok', { error: 'syntax' }], { bareLf: 'reject' }],
  ['8-bit and NUL bytes kept', 'caf\xe9\x00\xff\r\n', ['caf\xe9\x00\xff']],
  ['exactly maxLineBytes', 'abcd\r\nefgh\r\n', ['abcd', 'efgh'], { maxLineBytes: 4 }],
  ['one past maxLineBytes', 'abcd\r\nefghi\r\n', ['abcd', { error: 'line-too-long' }], { maxLineBytes: 4 }],
  ['past maxLineBytes with no line end', 'abcdefghij', [{ error: 'line-too-long' }], { maxLineBytes: 4 }],
  ['a CR just past maxLineBytes waits for its LF', 'abcd\r\n', ['abcd'], { maxLineBytes: 4 }],
  ['bare LF counts as data in the length', 'ab\ncd\r\n', [{ error: 'line-too-long' }], { maxLineBytes: 4 }],
  ['ended inside a line', 'a\r\nb', ['a', { error: 'syntax' }]],
  ['ended after a lone CR', 'a\r\nb\r', ['a', { error: 'syntax' }]],
];

function expected(lines: (string | { error: string })[]): { frames: string[]; error: string } {
  const last = lines[lines.length - 1];
  const error = typeof last === 'object' ? last.error : 'none';
  return { frames: lines.filter((l): l is string => typeof l === 'string'), error };
}

describe('LineDecoder known answers', () => {
  for (const [name, stream, lines, options] of cases) {
    for (const { name: how, chunks } of standardChunkings(ascii(stream))) {
      it(`${name} (${how})`, () => {
        const outcome = run(new LineDecoder(options), chunks);
        expect({ frames: outcome.frames.map(text), error: outcome.error }).toEqual(expected(lines));
      });
    }
    const want = expected(lines);
    if (want.error !== 'none') continue;
    it(`${name} (with trailing bytes)`, () => {
      const decoder = new LineDecoder(options);
      const outcome = run(decoder, [ascii(stream + 'par'), ascii('t')], false);
      expect(outcome.frames.map(text)).toEqual(want.frames);
      expect(decoder.bufferedBytes).toBe(4);
      expect(decoder.push(ascii('\r\n')).map(text)).toEqual(['part']);
    });
  }
});

describe('LineDecoder', () => {
  it('returns a line inside one chunk as a view, and copies a held partial line', () => {
    const chunk = ascii('abc\r\nde');
    const decoder = new LineDecoder();
    const [line] = decoder.push(chunk);
    expect(line.buffer).toBe(chunk.buffer);
    chunk[5] = 0x78; // the caller reuses its buffer
    expect(text(decoder.push(ascii('f\r\n'))[0])).toBe('def');
  });

  it('holds at most maxLineBytes + 1 bytes of a hostile endless line', () => {
    const decoder = new LineDecoder({ maxLineBytes: 100 });
    let error: unknown;
    let max = 0;
    try {
      for (let i = 0; i < 1000; i++) {
        decoder.push(ascii('x'));
        max = Math.max(max, decoder.bufferedBytes);
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WireError);
    expect(error).toMatchObject({ reason: 'line-too-long', limit: 'maxLineBytes', code: 'EPROTOCOL', offset: 100 });
    expect(max).toBe(100);
  });

  it('is poisoned after a failure and after end()', () => {
    const decoder = new LineDecoder({ maxLineBytes: 2 });
    expect(() => decoder.push(ascii('abc'))).toThrow(WireError);
    expect(() => decoder.push(ascii('\r\n'))).toThrow(expect.objectContaining({ reason: 'ended' }));
    const done = new LineDecoder();
    done.end();
    expect(() => done.push(ascii('a\r\n'))).toThrow(expect.objectContaining({ reason: 'ended' }));
  });

  it('reports the stream offset where it stopped', () => {
    const decoder = new LineDecoder({ bareLf: 'reject' });
    expect(() => decoder.push(ascii('ab\r\ncd\nef'))).toThrow(expect.objectContaining({ reason: 'syntax', offset: 6 }));
  });

  it('readLine hands back where the line ended so a caller can switch modes', () => {
    const decoder = new LineDecoder();
    const chunk = ascii('+OK\r\nbody bytes');
    const read = decoder.readLine(chunk, 0);
    expect(read && { line: text(read.line), end: read.end }).toEqual({ line: '+OK', end: 5 });
    expect(decoder.offset).toBe(5);
  });

  it('gives the same lines and outcome for any split of a stream (all bareLf modes)', () => {
    fc.assert(
      fc.property(splitStream(wireBytes(300)), fc.constantFrom('data', 'line-end', 'reject'), ({ bytes, points }, bareLf) => {
        const options = { maxLineBytes: 16, bareLf } as const;
        const whole = run(new LineDecoder(options), [bytes]);
        const split = run(new LineDecoder(options), splitAt(bytes, points));
        expect(split.frames.map(text)).toEqual(whole.frames.map(text));
        expect(split.error).toBe(whole.error);
      }),
      { numRuns: 500 },
    );
  });

  it('turns random bytes into lines or a WireError, and never holds more than maxLineBytes + 1', () => {
    fc.assert(
      fc.property(splitStream(fc.uint8Array({ maxLength: 400 })), fc.integer({ min: 1, max: 40 }), ({ bytes, points }, max) => {
        const outcome = run(new LineDecoder({ maxLineBytes: max }), splitAt(bytes, points));
        expect(outcome.maxBuffered).toBeLessThanOrEqual(max + 1);
        for (const line of outcome.frames) expect(line.length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });
});
