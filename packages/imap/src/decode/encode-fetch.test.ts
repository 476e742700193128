/**
 * encode -> decode round trips for generated ENVELOPE, BODYSTRUCTURE and whole FETCH
 * responses (issue 5 part 6), plus known answers for the encoder's choices.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt, splitPoints } from '../../../wire/src/chunking.test-util.js';
import type { Address, BodyStructure, Envelope, FetchResult } from '../types.js';
import { encodeBodyStructure, encodeEnvelope, encodeFetchResponse } from './encode-fetch.js';
import { decodeChunks } from './decode.test-util.js';
import { STRICT_QUIRKS } from '../quirks.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Any string a server may send: ASCII with quotes and backslashes, Unicode, CR/LF (a literal). */
const str = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('', 'a"b', 'back\\slash', 'line\r\nbreak', '" ', 'NIL', 'ünïcødé ✓', '(x)', '{3}'),
);
const nstr = fc.option(str, { nil: null });
const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);

const address: fc.Arbitrary<Address> = fc
  .record({ name: nstr, adl: nstr, mailbox: nstr, host: nstr })
  .map(({ adl, ...a }) => (adl === null ? a : { ...a, adl }));
const addresses = fc.array(address, { maxLength: 3 });
const envelope: fc.Arbitrary<Envelope> = fc.record({
  date: nstr, subject: nstr, from: addresses, sender: addresses, replyTo: addresses,
  to: addresses, cc: addresses, bcc: addresses, inReplyTo: nstr, messageId: nstr,
});

const params = fc.dictionary(token, str, { maxKeys: 3 });
const disposition = fc.option(fc.record({ type: token, parameters: params }), { nil: null });
const language = fc.option(fc.array(str, { minLength: 1, maxLength: 3 }), { nil: null });
const extValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, str, fc.nat(), fc.constant(null), fc.array(tie('v'), { minLength: 1, maxLength: 3 })),
})).v;

/** Extension fields in grammar order, the first `k` of them set. */
function withTail(bs: BodyStructure, k: number, tail: { disposition: BodyStructure['disposition']; language: string[] | null; location: string | null; extension: unknown[] }): BodyStructure {
  if (k >= 1) bs.disposition = tail.disposition;
  if (k >= 2) bs.language = tail.language;
  if (k >= 3) bs.location = tail.location;
  if (k >= 4 && tail.extension.length > 0) bs.extension = tail.extension;
  return bs;
}
const tailArb = fc.record({ disposition, language, location: nstr, extension: fc.array(extValue, { maxLength: 2 }) });

const leafArb = fc
  .record({
    type: fc.constantFrom('text', 'image', 'application', 'message', 'audio'),
    subtype: token, parameters: params, id: nstr, description: nstr, encoding: fc.constantFrom('7bit', 'base64', 'QUOTED-PRINTABLE', 'x-uue'),
    size: fc.nat(), lines: fc.nat(), k: fc.integer({ min: -1, max: 4 }), md5: nstr, tail: tailArb,
  })
  .map((g) => {
    const bs: BodyStructure = {
      type: g.type, subtype: g.type === 'message' && g.subtype === 'rfc822' ? 'delivery-status' : g.subtype, parameters: g.parameters,
      id: g.id, description: g.description, encoding: g.encoding, size: g.size,
    };
    if (g.type === 'text') bs.lines = g.lines;
    if (g.k >= 0) bs.md5 = g.md5;
    return withTail(bs, g.k, g.tail);
  });

const { body } = fc.letrec<{ body: BodyStructure; rfc822: BodyStructure; multi: BodyStructure }>((tie) => ({
  body: fc.oneof({ maxDepth: 3, depthIdentifier: 'body' }, leafArb, tie('multi'), tie('rfc822')),
  rfc822: fc
    .record({ leaf: leafArb, envelope, inner: tie('body'), lines: fc.nat() })
    .map(({ leaf, envelope: env, inner, lines }) => {
      const { md5, disposition, language, location, extension, ...fields } = leaf;
      const bs: BodyStructure = { ...fields, type: 'message', subtype: 'rfc822', envelope: env, bodyStructure: inner, lines };
      const tail = { md5, disposition, language, location, extension };
      for (const [k, v] of Object.entries(tail)) if (v !== undefined) (bs as unknown as Record<string, unknown>)[k] = v;
      return bs;
    }),
  multi: fc
    .record({ parts: fc.array(tie('body'), { minLength: 1, maxLength: 3 }), subtype: token, parameters: params, k: fc.integer({ min: -1, max: 4 }), tail: tailArb })
    .map((g) => {
      const bs: BodyStructure = { type: 'multipart', subtype: g.subtype, parameters: g.k >= 0 ? g.parameters : {}, parts: g.parts };
      return withTail(bs, g.k, g.tail);
    }),
}));

function decodeOne(bytes: Uint8Array, points: number[] = []): FetchResult {
  const rs = decodeChunks(splitAt(bytes, points));
  expect(rs).toHaveLength(1);
  expect(rs[0].kind).toBe('fetch');
  return (rs[0] as { fetch: FetchResult }).fetch;
}
const wrap = (item: string, value: Uint8Array) => Buffer.concat([Buffer.from(`* 1 FETCH (${item} `), value, Buffer.from(')\r\n')]);

describe('encode -> decode round trips', () => {
  it('ENVELOPE', () => {
    fc.assert(
      fc.property(envelope, (env) => {
        expect(decodeOne(wrap('ENVELOPE', encodeEnvelope(env))).envelope).toEqual(env);
      }),
      { numRuns: 300 },
    );
  });

  it('BODYSTRUCTURE, any chunking', () => {
    fc.assert(
      fc.property(body.chain((bs) => {
        const bytes = wrap('BODYSTRUCTURE', encodeBodyStructure(bs));
        return fc.tuple(fc.constant(bs), fc.constant(bytes), splitPoints(bytes.length));
      }), ([bs, bytes, points]) => {
        expect(decodeOne(bytes, points).bodyStructure).toEqual(bs);
        const strict = decodeChunks([bytes], { quirks: STRICT_QUIRKS });
        expect((strict[0] as { fetch: FetchResult }).fetch.bodyStructure).toEqual(bs);
      }),
      { numRuns: 300 },
    );
  });

  it('whole FETCH responses', () => {
    const fetchArb: fc.Arbitrary<FetchResult> = fc
      .record({
        seq: fc.integer({ min: 1, max: 2 ** 32 - 1 }), uid: fc.option(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { nil: undefined }),
        flags: fc.option(fc.array(fc.constantFrom('\\Seen', '\\Answered', '$Junk', 'NonJunk'), { maxLength: 3 }), { nil: undefined }),
        internalDate: fc.option(fc.constant('17-Jul-1996 02:44:25 -0700'), { nil: undefined }),
        size: fc.option(fc.nat(), { nil: undefined }), envelope: fc.option(envelope, { nil: undefined }),
        bodyStructure: fc.option(body, { nil: undefined }), modSeq: fc.option(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), { nil: undefined }),
        body: fc.option(fc.dictionary(fc.constantFrom('BODY[]', 'BODY[HEADER]', 'BODY[1.2]<0>', 'BINARY[1]'), fc.uint8Array({ maxLength: 50 }).map((b) => Buffer.from(b)), { minKeys: 1, maxKeys: 3 }), { nil: undefined }),
      })
      .map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as unknown as FetchResult);
    fc.assert(
      fc.property(fetchArb, (f) => {
        expect(decodeOne(encodeFetchResponse(f))).toEqual(f);
      }),
      { numRuns: 200 },
    );
  });
});

describe('encoder known answers', () => {
  it('writes the RFC 3501 §7.4.2 two-part body structure', () => {
    const bs: BodyStructure = {
      type: 'multipart', subtype: 'mixed', parameters: {},
      parts: [
        { type: 'text', subtype: 'plain', parameters: { charset: 'US-ASCII' }, id: null, description: null, encoding: '7BIT', size: 1152, lines: 23 },
        { type: 'text', subtype: 'plain', parameters: { charset: 'US-ASCII', name: 'cc.diff' }, id: '<960723163407.20117h@cac.washington.edu>', description: 'Compiler diff', encoding: 'BASE64', size: 4554, lines: 73 },
      ],
    };
    expect(text(encodeBodyStructure(bs))).toBe(
      '(("TEXT" "PLAIN" ("charset" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("charset" "US-ASCII" "name" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")',
    );
  });

  it('quotes with escapes, and sends a literal for CR LF and 8-bit text', () => {
    const env: Envelope = { date: null, subject: 'a "q" \\ b', from: [], sender: [], replyTo: [], to: [], cc: [], bcc: [], inReplyTo: 'x\r\ny', messageId: 'ü' };
    expect(text(encodeEnvelope(env))).toBe('(NIL "a \\"q\\" \\\\ b" NIL NIL NIL NIL NIL NIL {4}\r\nx\r\ny {2}\r\n\xc3\xbc)');
  });

  it('writes NIL for unset extension fields before a set one', () => {
    const bs: BodyStructure = { type: 'image', subtype: 'png', parameters: {}, id: null, description: null, encoding: 'base64', size: 10, location: 'http://x/' };
    expect(text(encodeBodyStructure(bs))).toBe('("IMAGE" "PNG" NIL NIL NIL "base64" 10 NIL NIL NIL "http://x/")');
    expect(text(encodeBodyStructure(bs, { extensible: false }))).toBe('("IMAGE" "PNG" NIL NIL NIL "base64" 10)');
  });
});
