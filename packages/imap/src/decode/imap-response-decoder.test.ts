/**
 * The decoder as a whole: streaming of large literals, poisoning after an error, limits,
 * the UTF8=ACCEPT switch, and the properties — any chunking gives the same responses, and
 * random or mutated bytes give responses or a WireError, never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '@mailwire/wire';
import { splitAt, splitPoints, standardChunkings } from '../../../wire/src/chunking.test-util.js';
import { ImapResponseDecoder } from './imap-response-decoder.js';
import { bytesOf, decodeChunks, fixtureBytes, plain } from './decode.test-util.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('streaming large literals', () => {
  const body = 'x'.repeat(100) + '\r\n' + 'y'.repeat(50);
  const input = `* 7 FETCH (UID 12 BODY[1.2]<0> {${body.length}}\r\n${body} FLAGS (\\Seen))\r\nA1 OK done\r\n`;
  for (const { name, chunks } of standardChunkings(b(input))) {
    it(`reports literal-begin with seq and section, the chunks, then the fetch listing it as streamed, ${name}`, () => {
      expect(plain(decodeChunks(chunks, { streamThresholdBytes: 64 }))).toEqual([
        { kind: 'literal-begin', seq: 7, section: 'BODY[1.2]<0>', size: 152 },
        { kind: 'literal-chunk', seq: 7, section: 'BODY[1.2]<0>', bytes: bytesOf(body) },
        { kind: 'fetch', fetch: { seq: 7, uid: 12, streamed: { 'BODY[1.2]<0>': 152 }, flags: ['\\Seen'] } },
        { kind: 'status', tag: 'A1', status: 'OK', text: 'done' },
      ]);
    });
  }

  it('gives null seq and section for a streamed literal outside a FETCH item', () => {
    for (const s of ['* 1 {5}\r\nabcde\r\n', '* 1 F{5}\r\nabcde\r\n', '* 1 FETCH ({5}\r\nabcde)\r\n', '* 1 FETCH ( {5}\r\nabcde)\r\n', '* OK {5}\r\nabcde\r\n']) {
      const d = new ImapResponseDecoder({ streamThresholdBytes: 1 });
      let first: unknown;
      try {
        first = d.push(b(s))[0];
      } catch (e) {
        expect(e, s).toBeInstanceOf(WireError);
        continue;
      }
      expect(first, s).toMatchObject({ kind: 'literal-begin', section: null, size: 5 });
    }
  });

  it('keys binary and header-field sections the way the fetch does', () => {
    const out = decodeChunks([b('* 3 FETCH (binary[2] ~{10}\r\n0123456789 BODY[HEADER.FIELDS (FROM TO)] {10}\r\n0123456789)\r\n')], { streamThresholdBytes: 5 });
    expect(out.filter((r) => r.kind === 'literal-begin')).toEqual([
      { kind: 'literal-begin', seq: 3, section: 'BINARY[2]', size: 10 },
      { kind: 'literal-begin', seq: 3, section: 'BODY[HEADER.FIELDS (FROM TO)]', size: 10 },
    ]);
    expect(out.at(-1)).toEqual({ kind: 'fetch', fetch: { seq: 3, streamed: { 'BINARY[2]': 10, 'BODY[HEADER.FIELDS (FROM TO)]': 10 } } });
  });

  it('holds memory flat while a 16 MiB body streams through in 64 KiB chunks', () => {
    const d = new ImapResponseDecoder({ streamThresholdBytes: 65536, maxLiteralBytes: 1 << 20 });
    d.push(b('* 1 FETCH (BODY[] {16777216}\r\n'));
    const chunk = Buffer.alloc(65536, 0x61);
    let seen = 0;
    for (let i = 0; i < 256; i++) {
      for (const r of d.push(chunk)) if (r.kind === 'literal-chunk') seen += r.bytes.length;
      expect(d.bufferedBytes).toBeLessThan(100);
    }
    expect(seen).toBe(16777216);
    expect(d.push(b(')\r\n'))).toEqual([{ kind: 'fetch', fetch: { seq: 1, streamed: { 'BODY[]': 16777216 } } }]);
  });
});

describe('errors', () => {
  it('a syntax error in a known response is EPROTOCOL with the stream offset, and poisons the decoder', () => {
    const d = new ImapResponseDecoder();
    d.push(b('* 1 EXISTS\r\n'));
    let err: unknown;
    try {
      d.push(b('* 2 FETCH (UID x)\r\n'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WireError);
    expect(err).toMatchObject({ code: 'EPROTOCOL', reason: 'syntax', offset: 12 + 15 });
    expect(() => d.push(b('* 3 EXISTS\r\n'))).toThrow(expect.objectContaining({ reason: 'ended' }));
  });

  it('the offset of an error after a streamed literal counts the literal bytes', () => {
    const input = b('* 1 FETCH (BODY[] {10}\r\n0123456789 UID x)\r\n');
    let err: unknown;
    try {
      decodeChunks([input], { streamThresholdBytes: 4 });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ reason: 'syntax', offset: input.indexOf('x)') });
  });

  it('idle says whether the stream may end here', () => {
    const d = new ImapResponseDecoder();
    expect(d.idle).toBe(true);
    d.push(b('* 1 EXI'));
    expect(d.idle).toBe(false);
    d.push(b('STS\r\n'));
    expect(d.idle).toBe(true);
  });

  it('lists nested past maxDepth are too-deep', () => {
    const deep = '('.repeat(20) + '"text" "plain" NIL NIL NIL "7bit" 1 1' + ')'.repeat(20);
    expect(() => decodeChunks([b(`* 1 FETCH (BODYSTRUCTURE ${deep})\r\n`)], { maxDepth: 10 })).toThrow(expect.objectContaining({ reason: 'too-deep', limit: 'maxDepth' }));
  });

  it('a literal over maxLiteralBytes is literal-too-large', () => {
    expect(() => decodeChunks([b('* 1 FETCH (BODY[] {2000}\r\n')], { maxLiteralBytes: 1000 })).toThrow(expect.objectContaining({ reason: 'literal-too-large' }));
  });

  it('a line over maxLineBytes is line-too-long', () => {
    expect(() => decodeChunks([b(`* OK ${'a'.repeat(200)}`)], { maxLineBytes: 100 })).toThrow(expect.objectContaining({ reason: 'line-too-long' }));
  });

  it('unknown responses and codes are data, not errors', () => {
    expect(plain(decodeChunks([b('* 4 XSTRANGE (a b\r\n* OK [XCODE] hi\r\nA1 OK [X-Y 1 2 3] ok\r\n')]))).toEqual([
      { kind: 'unknown', tag: null, name: 'XSTRANGE', raw: bytesOf('* 4 XSTRANGE (a b\r\n') },
      { kind: 'status', tag: null, status: 'OK', text: 'hi', code: { name: 'XCODE' } },
      { kind: 'status', tag: 'A1', status: 'OK', text: 'ok', code: { name: 'X-Y', value: '1 2 3' } },
    ]);
  });
});

describe('mailbox names', () => {
  it('are decoded from modified UTF-7 unless UTF8=ACCEPT is on; an undecodable name is kept as sent', () => {
    const input = b('* LIST () "/" "&ZeVnLIqe-"\r\n* LIST () "/" "bad&name"\r\n');
    expect(decodeChunks([input]).map((r) => (r as { entry: { name: string } }).entry.name)).toEqual(['日本語', 'bad&name']);
    const d = new ImapResponseDecoder({ utf8: true });
    expect(d.push(Buffer.from('* LIST () "/" "日本語 &x-"\r\n', 'utf8'))).toEqual([
      { kind: 'list', entry: { name: '日本語 &x-', rawName: '日本語 &x-', delimiter: '/', attributes: [] } },
    ]);
  });
});

const ALL_FIXTURES = [
  'rfc/rfc3501-sample-session.txt', 'rfc/status-and-codes.txt', 'rfc/mailbox-data.txt', 'rfc/fetch.txt', 'rfc/continuation.txt',
  'quirks/exchange-disposition-string.txt', 'quirks/mailru-float-size.txt', 'quirks/icloud-envelope-quotes.txt',
];
const corpus = Buffer.concat(ALL_FIXTURES.map(fixtureBytes));

describe('properties', () => {
  it('any chunking of the fixture corpus gives the same responses, held or streamed', () => {
    const whole = plain(decodeChunks([corpus]));
    const streamedWhole = plain(decodeChunks([corpus], { streamThresholdBytes: 8 }));
    fc.assert(
      fc.property(splitPoints(corpus.length), fc.boolean(), (points, stream) => {
        const options = stream ? { streamThresholdBytes: 8 } : {};
        expect(plain(decodeChunks(splitAt(corpus, points), options))).toEqual(stream ? streamedWhole : whole);
      }),
      { numRuns: 200 },
    );
  });

  const mutate = fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'del', 'ins')), { minLength: 1, maxLength: 6 }), splitPoints(corpus.length));

  it('mutated responses give responses or a WireError, never another exception, within the limits', () => {
    fc.assert(
      fc.property(mutate, fc.boolean(), ([edits, points], stream) => {
        const bytes = [...corpus];
        for (const [at, v, op] of edits) {
          const i = at % bytes.length;
          if (op === 'set') bytes[i] = v;
          else if (op === 'del') bytes.splice(i, 1);
          else bytes.splice(i, 0, v);
        }
        const d = new ImapResponseDecoder({ maxLineBytes: 4096, maxLiteralBytes: 4096, maxMessageBytes: 8192, ...(stream ? { streamThresholdBytes: 16 } : {}) });
        try {
          for (const c of splitAt(Buffer.from(bytes), points)) {
            d.push(c);
            expect(d.bufferedBytes).toBeLessThanOrEqual(8192 + 4096);
          }
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('random IMAP-ish bytes give responses or a WireError, never another exception', () => {
    const piece = fc.constantFrom('* ', '1 ', 'FETCH ', '(', ')', '"', '\\', 'NIL', ' ', '\r\n', '{3}\r\n', 'BODY[', ']', 'ENVELOPE ', 'BODYSTRUCTURE ',
      'UID ', 'FLAGS ', 'OK ', '[', 'LIST ', 'STATUS ', 'SEARCH ', 'ESEARCH ', 'NAMESPACE ', 'ID ', 'VANISHED ', 'COPYUID ', 'a1 ', '+ ', '<0>', '-2', '1.5e+3', 'x');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.constantFrom(undefined, 1, 2), (pieces, threshold) => {
        try {
          decodeChunks([b(pieces.join(''))], { maxDepth: 8, ...(threshold === undefined ? {} : { streamThresholdBytes: threshold }) });
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ESEARCH ALL', () => {
  it('refuses a result set that is not numbers and ranges (EPROTOCOL), so search() never expands "*"', () => {
    for (const bad of ['1:*', '*', '0', '1,,2', ':']) {
      expect(() => new ImapResponseDecoder().push(b(`* ESEARCH (TAG "a1") ALL ${bad}\r\n`)), bad).toThrow(expect.objectContaining({ code: 'EPROTOCOL' }));
    }
  });
});

describe('edge cases real servers send', () => {
  const CASES: [string, string, unknown][] = [
    ['a LIST name as a literal', '* LIST (\\HasNoChildren) "/" {8}\r\nfo"o bar\r\n',
      { kind: 'list', entry: { name: 'fo"o bar', rawName: 'fo"o bar', delimiter: '/', attributes: ['\\HasNoChildren'] } }],
    ['STATUS with an attribute mailwire does not know (RFC 8474 MAILBOXID)', '* STATUS INBOX (MESSAGES 3 MAILBOXID (F2212ea87) UIDNEXT 4)\r\n',
      { kind: 'mailbox-status', mailbox: 'INBOX', status: { messages: 3, uidNext: 4 } }],
    ['ESEARCH with MODSEQ and a trailing SP', '* ESEARCH (TAG "a1") UID ALL 1:3,5 MODSEQ 1234 \r\n',
      { kind: 'esearch', tag: 'a1', uid: true, all: '1:3,5', modSeq: 1234n }],
    ['NAMESPACE with extension data (RFC 2342 §5)', '* NAMESPACE (("" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL NIL\r\n',
      { kind: 'namespace', personal: [{ prefix: '', delimiter: '/' }], other: null, shared: null }],
    ['a SEARCH with a trailing SP (Yahoo, Exchange)', '* SEARCH 28219 29170 \r\n', { kind: 'search', ids: [28219, 29170] }],
    ['a FETCH with SP before ")"', '* 1 FETCH (UID 5 FLAGS (\\Seen) )\r\n', { kind: 'fetch', fetch: { seq: 1, uid: 5, flags: ['\\Seen'] } }],
    ['a greeting whose text holds brackets (Exchange)', '* OK The Microsoft Exchange IMAP4 service is ready. [TQBOADIA]\r\n',
      { kind: 'status', tag: null, status: 'OK', text: 'The Microsoft Exchange IMAP4 service is ready. [TQBOADIA]' }],
    ['Exchange ending a session whose token expired', '* BYE Session invalidated - AccessTokenExpired\r\n',
      { kind: 'status', tag: null, status: 'BYE', text: 'Session invalidated - AccessTokenExpired' }],
    ['a response code with no text after it', '* OK [UIDNEXT 5]\r\n', { kind: 'status', tag: null, status: 'OK', text: '', code: { name: 'UIDNEXT', value: 5 } }],
    ['lower-case status and code names', 'a1 ok [read-only] done\r\n', { kind: 'status', tag: 'a1', status: 'OK', text: 'done', code: { name: 'READ-ONLY' } }],
    ['an envelope with a group (RFC 9051 §7.5.2) and a literal subject', '* 2 FETCH (ENVELOPE (NIL {4}\r\nh\r\ni ((NIL NIL "team" NIL)(NIL NIL "a" "b.c")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n',
      { kind: 'fetch', fetch: { seq: 2, envelope: {
        date: null, subject: 'h\r\ni', from: [{ name: null, mailbox: 'team', host: null }, { name: null, mailbox: 'a', host: 'b.c' }, { name: null, mailbox: null, host: null }],
        sender: [], replyTo: [], to: [], cc: [], bcc: [], inReplyTo: null, messageId: null } } }],
    ['BODY (non-extensible) with message/rfc822 inside a multipart', '* 3 FETCH (BODY (("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 9 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "HTML" NIL NIL NIL "8BIT" 2 1) 4) "MIXED"))\r\n',
      { kind: 'fetch', fetch: { seq: 3, bodyStructure: { type: 'multipart', subtype: 'mixed', parameters: {}, parts: [
        { type: 'text', subtype: 'plain', parameters: {}, id: null, description: null, encoding: '7BIT', size: 1, lines: 1 },
        { type: 'message', subtype: 'rfc822', parameters: {}, id: null, description: null, encoding: '7BIT', size: 9, lines: 4,
          envelope: { date: null, subject: null, from: [], sender: [], replyTo: [], to: [], cc: [], bcc: [], inReplyTo: null, messageId: null },
          bodyStructure: { type: 'text', subtype: 'html', parameters: {}, id: null, description: null, encoding: '8BIT', size: 2, lines: 1 } },
      ] } } }],
  ];
  for (const [name, input, expected] of CASES) {
    for (const { name: how, chunks } of standardChunkings(b(input))) {
      it(`${name}, ${how}`, () => expect(plain(decodeChunks(chunks))).toEqual([expected]));
    }
  }
});
