/**
 * Each named quirk (../quirks.ts) against its fixture in fixtures/imap/quirks: parsed with
 * the quirk on (the default) in every chunking, and a protocol error with it off. Near
 * misses (the same break a little further from the grammar) stay errors with every quirk
 * on: a quirk admits what its server sends, nothing around it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '@mailwire/wire';
import { standardChunkings } from '../../../wire/src/chunking.test-util.js';
import { DEFAULT_QUIRKS, STRICT_QUIRKS, type ImapQuirks } from '../quirks.js';
import { decodeChunks, fixtureBytes, plain } from './decode.test-util.js';
import type { FetchResult, ImapResponse } from '../types.js';

const fetchOf = (rs: ImapResponse[]): FetchResult => (rs.find((r) => r.kind === 'fetch') as { fetch: FetchResult }).fetch;

const fetches = (rs: ImapResponse[]): FetchResult[] => rs.filter((r) => r.kind === 'fetch').map((r) => (r as { fetch: FetchResult }).fetch);

const CASES: { quirk: keyof ImapQuirks; file: string; check: (rs: ImapResponse[]) => void; nearMisses?: string[] }[] = [
  {
    quirk: 'bareStringDisposition',
    file: 'exchange-disposition-string.txt',
    check: (rs) => {
      const parts = fetchOf(rs).bodyStructure!.parts!;
      expect(parts.map((p) => p.disposition)).toEqual([{ type: 'inline', parameters: {} }, { type: 'inline', parameters: {} }]);
      expect(parts[1]).toMatchObject({ subtype: 'html', size: 14692, lines: 502, md5: null, language: null, location: null });
    },
  },
  {
    quirk: 'nilInBodyFields',
    file: 'exchange-nil-body-fields.txt',
    check: (rs) => {
      const bs = fetchOf(rs).bodyStructure!;
      expect(bs.subtype).toBe('');
      expect(bs.parameters).toEqual({ boundary: 'b1' });
      expect(bs.parts![0].encoding).toBeUndefined();
      expect(bs.parts![0].size).toBe(1694);
      expect(bs.parts![1]).toMatchObject({ encoding: 'quoted-printable', size: 5750 });
      expect(bs.parts![1].lines).toBeUndefined();
      const second = (rs.filter((r) => r.kind === 'fetch')[1] as { fetch: FetchResult }).fetch.bodyStructure!;
      expect(second.parts![1].bodyStructure).toEqual({ type: '', subtype: 'alternative', parameters: { boundary: 'Apple-Mail=_352F' }, id: null, description: null });
      expect(second.parts![1].lines).toBe(17);
    },
  },
  {
    quirk: 'bareCopyUid',
    file: 'exchange-copyuid-bare.txt',
    check: (rs) => {
      expect(plain(rs)).toEqual([
        { kind: 'status', tag: null, status: 'OK', text: '', code: { name: 'COPYUID' } },
        { kind: 'expunge', seq: 1 },
        { kind: 'status', tag: 'A00000011', status: 'OK', text: 'MOVE completed.', code: { name: 'COPYUID' } },
      ]);
    },
  },
  {
    quirk: 'floatSizes',
    file: 'mailru-float-size.txt',
    check: (rs) => {
      const f = fetchOf(rs);
      expect(f.size).toBe(1869310);
      expect(f.bodyStructure!.parts![1].size).toBe(9373600);
      expect(f.bodyStructure!.parts![1].disposition).toEqual({ type: 'attachment', parameters: { filename: 'scan.pdf' } });
    },
  },
  {
    quirk: 'negativeSizes',
    file: 'smartermail-negative-size.txt',
    check: (rs) => {
      const parts = fetchOf(rs).bodyStructure!.parts!;
      expect(parts[0].size).toBeUndefined();
      expect(parts[0].lines).toBe(0);
      expect(parts[1]).toMatchObject({ type: 'multipart', subtype: 'appledouble', encoding: '7BIT' });
      expect(parts[1].size).toBeUndefined();
    },
  },
  {
    quirk: 'unescapedQuotesInEnvelope',
    file: 'icloud-envelope-quotes.txt',
    check: (rs) => {
      const f = fetchOf(rs);
      expect(f.envelope!.messageId).toBe('<1763943481.139839.JavaMail."cv@notice.example"@v-mail-01>');
      expect(f.internalDate).toBe('30-Jan-2018 22:39:15 +0000');
      expect(f.modSeq).toBe(366744470000000n);
    },
  },
  {
    quirk: 'multipartDescription',
    file: 'exchange-multipart-description.txt',
    check: (rs) => {
      const bs = fetchOf(rs).bodyStructure!;
      expect(bs).toMatchObject({ type: 'multipart', subtype: 'mixed', parameters: { boundary: '----=_Part_0_1731707885.1504253815584' } });
      expect(bs.description).toBe('S/MIME Encrypted Message');
      expect(bs.disposition).toBeUndefined();
      expect(bs.language).toBeNull();
      expect(bs.parts!.map((p) => p.disposition)).toEqual([{ type: 'inline', parameters: {} }, { type: 'attachment', parameters: { filename: 'private.txt' } }]);
    },
    nearMisses: [
      '* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 1) "mixed" ("boundary" "b") 12))\r\n',
      '* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 1) "mixed" "S/MIME Encrypted Message"))\r\n',
      '* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 1) "mixed" ("boundary" "b") S/MIME))\r\n',
    ],
  },
  {
    quirk: 'partlessMultipart',
    file: 'gmail-partless-multipart.txt',
    check: (rs) => {
      const [first, second, third] = fetches(rs);
      expect(first.bodyStructure!.parts![0]).toEqual({ type: 'multipart', subtype: 'alternative', parameters: { boundary: '==alternative_xad5934455aeex' }, parts: [], disposition: null, language: null });
      expect(first.bodyStructure!.parts![1]).toMatchObject({ type: 'text', subtype: 'html', size: 6769, lines: 171 });
      expect(second.gmailLabels).toEqual(['\\Sent']);
      const related = second.bodyStructure!.parts!.slice(1);
      expect(related).toEqual([1, 2].map(() => ({ type: 'multipart', subtype: 'related', parameters: {}, parts: [], disposition: { type: 'attachment', parameters: {} }, language: null })));
      expect(second.bodyStructure!.parts![0].parts!.map((p) => p.subtype)).toEqual(['plain', 'html']);
      const message = third.bodyStructure!.parts![2];
      expect(message.envelope!.subject).toBe('Re: MPG');
      expect(message.bodyStructure).toEqual({ type: 'multipart', subtype: 'alternative', parameters: {}, parts: [] });
      expect(message.lines).toBe(51);
      expect(third.bodyStructure!.subtype).toBe('report');
    },
    nearMisses: [
      '* 1 FETCH (BODYSTRUCTURE ("ALTERNATIVE" 12))\r\n',
      '* 1 FETCH (BODYSTRUCTURE (ALTERNATIVE))\r\n',
      '* 1 FETCH (BODYSTRUCTURE ())\r\n',
      '* 1 FETCH (BODYSTRUCTURE ("ALTERNATIVE" ("BOUNDARY" "b") 7))\r\n',
      '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL))\r\n',
    ],
  },
  {
    quirk: 'messageWithoutEnvelope',
    file: 'gmail-message-without-envelope.txt',
    check: (rs) => {
      const message = fetchOf(rs).bodyStructure!.parts![1];
      expect(message).toEqual({
        type: 'message', subtype: 'rfc822', parameters: { name: '=?KOI8-R?B?9/TiMjQuZW1s?=' }, id: null, description: null, encoding: '7BIT', size: 23379,
        md5: null, disposition: { type: 'attachment', parameters: { filename: '=?KOI8-R?B?9/TiMjQuZW1s?=' } }, language: null,
      });
    },
    nearMisses: [
      '* 1 FETCH (BODYSTRUCTURE ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 10 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) 5))\r\n',
      '* 1 FETCH (BODYSTRUCTURE ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 10 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)))\r\n',
      '* 1 FETCH (BODYSTRUCTURE ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 10 12))\r\n',
    ],
  },
  {
    quirk: 'spaceBeforeAddressEnd',
    file: 'yahoo-address-space.txt',
    check: (rs) => {
      const env = fetchOf(rs).envelope!;
      expect(env.to).toEqual([{ name: 'undisclosed-recipients', mailbox: '"undisclosed-recipients"', host: null }]);
      expect(env.messageId).toBe('<CAPr0uQNP+cSbqaJ@mail.gmail.com>');
      expect(fetchOf(rs).size).toBe(155937);
    },
    nearMisses: [
      '* 1 FETCH (ENVELOPE (NIL NIL (("a" NIL "b" "c"  )) NIL NIL NIL NIL NIL NIL NIL))\r\n',
      '* 1 FETCH (ENVELOPE (NIL NIL (( "a" NIL "b" "c")) NIL NIL NIL NIL NIL NIL NIL))\r\n',
      '* 1 FETCH (ENVELOPE (NIL NIL (("a" NIL "b" "c" NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n',
      '* 1 FETCH (ENVELOPE (NIL NIL (("a" NIL "b" )) NIL NIL NIL NIL NIL NIL NIL))\r\n',
    ],
  },
  {
    quirk: 'trailingSpaceInSearch',
    file: 'yahoo-search-space.txt',
    check: (rs) => {
      expect(rs[0]).toEqual({ kind: 'search', ids: [7456] });
    },
    nearMisses: ['* SEARCH 7456  \r\n', '* SEARCH 1  2\r\n', '* SEARCH 1 x\r\n', '* SEARCH  \r\n'],
  },
];

describe('server quirks', () => {
  it('every quirk has a case here and is on by default', () => {
    expect(CASES.map((c) => c.quirk).sort()).toEqual(Object.keys(DEFAULT_QUIRKS).sort());
    expect(Object.values(DEFAULT_QUIRKS).every((v) => v === true)).toBe(true);
  });

  for (const { quirk, file, check } of CASES) {
    const bytes = fixtureBytes(`quirks/${file}`);
    for (const { name, chunks } of standardChunkings(bytes)) {
      it(`${quirk}: ${file} parses with the quirk on, ${name}`, () => {
        const rs = decodeChunks(chunks);
        expect(rs.at(-1)).toMatchObject({ kind: 'status', status: 'OK' });
        check(rs);
      });
    }
    it(`${quirk}: ${file} is a protocol error with only that quirk off`, () => {
      let err: unknown;
      try {
        decodeChunks([bytes], { quirks: { [quirk]: false } });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WireError);
      expect((err as WireError).code).toBe('EPROTOCOL');
      expect((err as WireError).reason).toBe('syntax');
    });
    it(`${quirk}: ${file} fails under STRICT_QUIRKS too`, () => {
      expect(() => decodeChunks([bytes], { quirks: STRICT_QUIRKS })).toThrow(WireError);
    });
  }

  for (const { quirk, nearMisses } of CASES) {
    for (const line of nearMisses ?? []) {
      it(`${quirk} does not admit the near miss ${JSON.stringify(line.trimEnd())}`, () => {
        let err: unknown;
        try {
          decodeChunks([Buffer.from(line, 'latin1')]);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(WireError);
        expect((err as WireError).code).toBe('EPROTOCOL');
      });
    }
  }
});

describe('server quirks, properties', () => {
  const strictOf = (bytes: Uint8Array) => decodeChunks([bytes], { quirks: STRICT_QUIRKS });

  it('a valid SEARCH reads the same with every quirk on and with none', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { maxLength: 20 }), (ids) => {
        const bytes = Buffer.from(`* SEARCH${ids.map((n) => ` ${n}`).join('')}\r\n`);
        expect(decodeChunks([bytes])).toEqual(strictOf(bytes));
        expect(decodeChunks([bytes])).toEqual([{ kind: 'search', ids }]);
      }),
    );
  });

  it('a single part whose type is any quoted string is never taken for a partless multipart', () => {
    const word = fc.oneof(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/), fc.constantFrom('TEXT', 'text', 'ALTERNATIVE', 'related'));
    fc.assert(
      fc.property(word, word, fc.nat(), fc.nat(), fc.boolean(), (type, subtype, size, lines, ext) => {
        fc.pre(type.toLowerCase() !== 'message');
        const text = type.toLowerCase() === 'text' ? ` ${lines}` : '';
        const bytes = Buffer.from(`* 1 FETCH (BODYSTRUCTURE ("${type}" "${subtype}" NIL NIL NIL "7BIT" ${size}${text}${ext ? ' NIL NIL NIL NIL' : ''}))\r\n`);
        const [on] = fetches(decodeChunks([bytes]));
        expect(on.bodyStructure).toMatchObject({ type: type.toLowerCase(), subtype: subtype.toLowerCase(), size });
        expect(on.bodyStructure!.parts).toBeUndefined();
      }),
    );
  });

  it('every byte of a new quirk\'s fixture deleted: a value or a WireError, never another failure', () => {
    const files = ['exchange-multipart-description.txt', 'gmail-partless-multipart.txt', 'gmail-message-without-envelope.txt', 'yahoo-address-space.txt', 'yahoo-search-space.txt'];
    for (const file of files) {
      const bytes = fixtureBytes(`quirks/${file}`);
      for (let i = 0; i < bytes.length; i++) {
        const cut = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
        try {
          decodeChunks([cut]);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }
    }
  });
});
