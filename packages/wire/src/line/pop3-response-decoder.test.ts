import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ascii, splitAt, standardChunkings } from '../chunking.test-util.js';
import { WireError } from '../wire-error.js';
import { BodyCollector } from './body-collector.js';
import { Pop3ResponseDecoder } from './pop3-response-decoder.js';
import type { Pop3ResponseShape } from './pop3-response-decoder.js';
import { run, showPop3, splitStream, wireBytes } from './line.test-util.js';
import type { Pop3Shown } from './line.test-util.js';

const ok = (text: string, body = false): Pop3Shown => ({ kind: 'status', ok: true, text, body });
const err = (text: string): Pop3Shown => ({ kind: 'status', ok: false, text, body: false });
const plus = (text: string): Pop3Shown => ({ kind: 'continuation', text });
const body = (text: string): Pop3Shown => ({ kind: 'body', text });
const end: Pop3Shown = { kind: 'body-end' };

const S = 'single-line';
const M = 'multi-line';

/** [name, expected shapes in command order, stream, frames, error reason] */
const cases: [string, Pop3ResponseShape[], string, Pop3Shown[], string?][] = [
  [
    'RFC 1939 §7: greeting, STAT, LIST',
    [S, S, M],
    '+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n+OK 2 320\r\n+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n',
    [ok('POP3 server ready <1896.697170952@dbc.mtview.ca.us>'), ok('2 320'), ok('2 messages (320 octets)', true), body('1 120\r\n2 200\r\n'), end],
  ],
  [
    'RFC 1939 §7: RETR with byte-stuffed lines',
    [M],
    '+OK 120 octets\r\nSubject: dots\r\n\r\n..leading dot\r\n...\r\n..\r\n. \r\nend\r\n.\r\n',
    [ok('120 octets', true), body('Subject: dots\r\n\r\n.leading dot\r\n..\r\n.\r\n \r\nend\r\n'), end],
  ],
  [
    'RFC 1939 §7: UIDL, then DELE and QUIT',
    [M, S, S],
    '+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n+OK message 1 deleted\r\n+OK dewey POP3 server signing off\r\n',
    [ok('', true), body('1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n'), end, ok('message 1 deleted'), ok('dewey POP3 server signing off')],
  ],
  [
    'RFC 2449 CAPA',
    [M],
    '+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nPIPELINING\r\n.\r\n',
    [ok('Capability list follows', true), body('TOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nPIPELINING\r\n'), end],
  ],
  [
    'seed: AUTH XOAUTH2 continuation, then success',
    [S],
    '+ \r\n+OK User successfully authenticated.\r\n',
    [plus(''), ok('User successfully authenticated.')],
  ],
  [
    'seed: a bare "+" continuation, then failure',
    [S],
    '+\r\n-ERR Authentication failure: unknown user name or bad password.\r\n',
    [plus(''), err('Authentication failure: unknown user name or bad password.')],
  ],
  ['RFC 5034 challenge with base64', [S], '+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n+OK\r\n', [plus('PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+'), ok('')]],
  ['-ERR to a multi-line command has no body', [M, S], '-ERR no such message\r\n+OK\r\n', [err('no such message'), ok('')]],
  ['empty body', [M], '+OK\r\n.\r\n', [ok('', true), end]],
  ['bare LF and CR in a body are data', [M], '+OK\r\na\n.\nb\r.\rc\r\n.\r\n', [ok('', true), body('a\n.\nb\r.\rc\r\n'), end]],
  ['"\\r\\n.\\n" does not end a body', [M], '+OK\r\nx\r\n.\ny\r\n.\r\n', [ok('', true), body('x\r\n\ny\r\n'), end]],
  ['".\\r" then data keeps the CR', [M], '+OK\r\n.\rz\r\n.\r\n', [ok('', true), body('\rz\r\n'), end]],
  ['8-bit body bytes pass untouched', [M], '+OK\r\n\x00\xff\xe9\r\n.\r\n', [ok('', true), body('\x00\xff\xe9\r\n'), end]],
  ['UTF-8 status text', [S], '+OK caf\xc3\xa9\r\n', [ok('café')]],
  ['status indicator run on', [S], '+OKAY\r\n', [], 'syntax'],
  ['-ERROR is not -ERR', [S], '-ERROR\r\n', [], 'syntax'],
  ['lower case indicator', [S], '+ok\r\n', [], 'syntax'],
  ['not a response', [S], '* OK imap\r\n', [], 'syntax'],
  ['bare LF in a status line', [S], '+OK a\nb\r\n', [], 'syntax'],
  ['status line too long', [S], '+OK ' + 'x'.repeat(80) + '\r\n', [], 'line-too-long'],
  ['ended inside a body', [M], '+OK\r\nline\r\n', [ok('', true), body('line\r\n')], 'syntax'],
  ['ended inside a status line', [S], '+OK', [], 'syntax'],
];

const options = { maxLineBytes: 80 };

function decoder(shapes: Pop3ResponseShape[]): Pop3ResponseDecoder {
  const d = new Pop3ResponseDecoder(options);
  for (const shape of shapes) d.expect(shape);
  return d;
}

describe('Pop3ResponseDecoder known answers', () => {
  for (const [name, shapes, stream, frames, error = 'none'] of cases) {
    for (const { name: how, chunks } of standardChunkings(ascii(stream))) {
      it(`${name} (${how})`, () => {
        const outcome = run(decoder(shapes), chunks);
        expect({ frames: showPop3(outcome.frames), error: outcome.error }).toEqual({ frames, error });
      });
    }
    if (error !== 'none') continue;
    it(`${name} (with trailing bytes)`, () => {
      const d = decoder([...shapes, M]);
      const outcome = run(d, [ascii(stream + '+OK next\r\npartial bo')], false);
      expect(showPop3(outcome.frames)).toEqual([...frames, ok('next', true), body('partial bo')]);
      expect(d.inBody).toBe(true);
      expect(d.bufferedBytes).toBe(0);
    });
  }
});

describe('Pop3ResponseDecoder', () => {
  it('streams a large body with flat memory: every piece is a view, nothing is held', () => {
    const d = decoder([M]);
    d.push(ascii('+OK\r\n'));
    const line = ascii('x'.repeat(1000) + '\r\n');
    let bytes = 0;
    for (let i = 0; i < 1000; i++) {
      for (const frame of d.push(line)) {
        if (frame.kind === 'body-chunk') {
          expect(frame.bytes.buffer).toBe(line.buffer);
          bytes += frame.bytes.length;
        }
      }
      expect(d.bufferedBytes).toBe(0);
    }
    expect(bytes).toBe(1000 * 1002);
    expect(d.push(ascii('.\r\n'))).toEqual([{ kind: 'body-end' }]);
  });

  it('collects a body with BodyCollector, bounded by maxBytes', () => {
    const d = decoder([M, M]);
    const collector = new BodyCollector({ maxBytes: 10 });
    expect(collector.addFrames(d.push(ascii('+OK\r\nab\r\n..c\r\n.\r\n')))).toBe(true);
    expect(Buffer.from(collector.take()).toString('latin1')).toBe('ab\r\n.c\r\n');
    const frames = d.push(ascii('+OK\r\n0123456789\r\n'));
    expect(() => collector.addFrames(frames)).toThrow(expect.objectContaining({ reason: 'literal-too-large', limit: 'maxMessageBytes' }));
  });

  it('is poisoned after a failure', () => {
    const d = decoder([S]);
    expect(() => d.push(ascii('junk\r\n'))).toThrow(WireError);
    expect(() => d.push(ascii('+OK\r\n'))).toThrow(expect.objectContaining({ reason: 'ended' }));
  });

  it('gives the same frames and outcome for any split and any expectations', () => {
    fc.assert(
      fc.property(splitStream(wireBytes(300)), fc.array(fc.constantFrom<Pop3ResponseShape>(S, M), { maxLength: 6 }), ({ bytes, points }, shapes) => {
        const whole = run(decoder(shapes), [bytes]);
        const split = run(decoder(shapes), splitAt(bytes, points));
        expect(showPop3(split.frames)).toEqual(showPop3(whole.frames));
        expect(split.error).toBe(whole.error);
      }),
      { numRuns: 500 },
    );
  });

  it('turns random bytes into frames or a WireError, holding at most maxLineBytes + 1', () => {
    fc.assert(
      fc.property(splitStream(fc.uint8Array({ maxLength: 400 })), fc.array(fc.constantFrom<Pop3ResponseShape>(S, M), { maxLength: 6 }), ({ bytes, points }, shapes) => {
        const outcome = run(decoder(shapes), splitAt(bytes, points));
        expect(outcome.maxBuffered).toBeLessThanOrEqual(options.maxLineBytes + 1);
      }),
      { numRuns: 500 },
    );
  });
});
