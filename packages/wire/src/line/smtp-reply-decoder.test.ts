import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ascii, splitAt, standardChunkings } from '../chunking.test-util.js';
import { SmtpReplyDecoder } from './smtp-reply-decoder.js';
import type { SmtpReplyDecoderOptions, SmtpReplyFrame } from './smtp-reply-decoder.js';
import { run, splitStream, wireBytes } from './line.test-util.js';

type Expected = (SmtpReplyFrame | { error: string })[];

/** [name, stream, replies (then the error reason, if any), options] */
const cases: [string, string, Expected, SmtpReplyDecoderOptions?][] = [
  [
    'RFC 5321 §4.2.1 multi-line example',
    '250-First line\r\n250-Second line\r\n250-234 Text beginning with numbers\r\n250 The last line\r\n',
    [{ code: 250, lines: ['First line', 'Second line', '234 Text beginning with numbers', 'The last line'] }],
  ],
  [
    'RFC 4954 EHLO, AUTH PLAIN with an empty 334, success',
    '220 smtp.example.com ESMTP Server\r\n250-smtp.example.com Hello client.example.com\r\n250-AUTH GSSAPI DIGEST-MD5\r\n250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n334 \r\n235 2.7.0 Authentication successful\r\n',
    [
      { code: 220, lines: ['smtp.example.com ESMTP Server'] },
      { code: 250, lines: ['smtp.example.com Hello client.example.com', 'AUTH GSSAPI DIGEST-MD5', 'ENHANCEDSTATUSCODES', 'STARTTLS'] },
      { code: 334, lines: [''] },
      { code: 235, lines: ['2.7.0 Authentication successful'] },
    ],
  ],
  [
    'RFC 4954 CRAM-MD5 challenge',
    '334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=\r\n',
    [{ code: 334, lines: ['PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4='] }],
  ],
  [
    'seed: Office 365 XOAUTH2 over SMTP, a bare 334 and a 535',
    '334\r\n535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]\r\n',
    [
      { code: 334, lines: [''] },
      { code: 535, lines: ['5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]'] },
    ],
  ],
  [
    'XOAUTH2 error challenge (base64 JSON) then 535',
    '334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIn0=\r\n535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials\r\n',
    [
      { code: 334, lines: ['eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIn0='] },
      { code: 535, lines: ['5.7.8 Username and Password not accepted.', '5.7.8 https://support.google.com/mail/?p=BadCredentials'] },
    ],
  ],
  ['empty text after "-" and a bare code last', '250-\r\n250\r\n', [{ code: 250, lines: ['', ''] }]],
  ['UTF-8 text (SMTPUTF8), bad bytes replaced', '250 gr\xc3\xbc\xc3\x9f \xff\r\n', [{ code: 250, lines: ['grüß \ufffd'] }]],
  ['code changes inside a reply', '250-a\r\n251 b\r\n', [{ error: 'syntax' }]],
  ['first digit 1', '150 ok\r\n', [{ error: 'syntax' }]],
  ['first digit 6', '600 ok\r\n', [{ error: 'syntax' }]],
  ['not a digit', '25x ok\r\n', [{ error: 'syntax' }]],
  ['short line', '25\r\n', [{ error: 'syntax' }]],
  ['bad separator', '220 hi\r\n250x\r\n', [{ code: 220, lines: ['hi'] }, { error: 'syntax' }]],
  ['bare LF rejected', '250 a\n250 b\r\n', [{ error: 'syntax' }]],
  ['bare LF tolerated when asked', '250-a\n250 b\r\n', [{ code: 250, lines: ['a', 'b'] }], { bareLf: 'line-end' }],
  ['too many lines', '250-a\r\n250-b\r\n250 c\r\n', [{ error: 'too-many-lines' }], { maxReplyLines: 2 }],
  ['exactly maxReplyLines', '250-a\r\n250 b\r\n', [{ code: 250, lines: ['a', 'b'] }], { maxReplyLines: 2 }],
  ['line too long', '250 abcdefgh\r\n', [{ error: 'line-too-long' }], { maxLineBytes: 8 }],
  ['ended inside a multi-line reply', '250-a\r\n', [{ error: 'syntax' }]],
];

function expected(items: Expected): { frames: SmtpReplyFrame[]; error: string } {
  const last = items[items.length - 1];
  return {
    frames: items.filter((f): f is SmtpReplyFrame => 'code' in f),
    error: last !== undefined && 'error' in last ? last.error : 'none',
  };
}

describe('SmtpReplyDecoder known answers', () => {
  for (const [name, stream, items, options] of cases) {
    const want = expected(items);
    for (const { name: how, chunks } of standardChunkings(ascii(stream))) {
      it(`${name} (${how})`, () => {
        const outcome = run(new SmtpReplyDecoder(options), chunks);
        expect({ frames: outcome.frames, error: outcome.error }).toEqual(want);
      });
    }
    if (want.error !== 'none') continue;
    it(`${name} (with trailing bytes)`, () => {
      const decoder = new SmtpReplyDecoder(options);
      const outcome = run(decoder, [ascii(stream + '221-bye\r\n221 cl')], false);
      expect(outcome.frames).toEqual(want.frames);
      expect(decoder.bufferedBytes).toBe('221-bye'.length + '221 cl'.length);
      expect(decoder.push(ascii('osing\r\n'))).toEqual([{ code: 221, lines: ['bye', 'closing'] }]);
    });
  }
});

const replyArb: fc.Arbitrary<SmtpReplyFrame> = fc.record({
  code: fc.integer({ min: 200, max: 599 }),
  lines: fc.array(fc.stringMatching(/^[\x20-\x7e]{0,20}$/), { minLength: 1, maxLength: 5 }),
});

function format(replies: SmtpReplyFrame[]): Uint8Array {
  let out = '';
  for (const { code, lines } of replies) {
    lines.forEach((line, i) => {
      out += `${code}${i === lines.length - 1 ? ' ' : '-'}${line}\r\n`;
    });
  }
  return ascii(out);
}

describe('SmtpReplyDecoder', () => {
  it('decodes any formatted replies back, over any split', () => {
    const stream = fc.array(replyArb, { maxLength: 6 }).chain((replies) => {
      const bytes = format(replies);
      return fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }).map((points) => ({ replies, bytes, points }));
    });
    fc.assert(
      fc.property(stream, ({ replies, bytes, points }) => {
        const outcome = run(new SmtpReplyDecoder(), splitAt(bytes, points));
        expect(outcome.error).toBe('none');
        expect(outcome.frames).toEqual(replies);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same replies and outcome for any split of random bytes', () => {
    fc.assert(
      fc.property(splitStream(wireBytes(300)), ({ bytes, points }) => {
        const options = { maxLineBytes: 24, maxReplyLines: 4 };
        const whole = run(new SmtpReplyDecoder(options), [bytes]);
        const split = run(new SmtpReplyDecoder(options), splitAt(bytes, points));
        expect(split.frames).toEqual(whole.frames);
        expect(split.error).toBe(whole.error);
      }),
      { numRuns: 500 },
    );
  });

  it('turns random bytes into replies or a WireError, within its memory bound', () => {
    fc.assert(
      fc.property(splitStream(fc.uint8Array({ maxLength: 400 })), ({ bytes, points }) => {
        const outcome = run(new SmtpReplyDecoder({ maxLineBytes: 30, maxReplyLines: 3 }), splitAt(bytes, points));
        // one partial line (maxLineBytes + 1) plus two held continuation lines (+ their code)
        expect(outcome.maxBuffered).toBeLessThanOrEqual(31 + 2 * 30);
      }),
      { numRuns: 500 },
    );
  });
});
