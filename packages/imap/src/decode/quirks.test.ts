/**
 * Each named quirk (../quirks.ts) against its fixture in fixtures/imap/quirks: parsed with
 * the quirk on (the default) in every chunking, and a protocol error with it off.
 */
import { describe, expect, it } from 'vitest';
import { WireError } from '@mailwire/wire';
import { standardChunkings } from '../../../wire/src/chunking.test-util.js';
import { DEFAULT_QUIRKS, STRICT_QUIRKS, type ImapQuirks } from '../quirks.js';
import { decodeChunks, fixtureBytes, plain } from './decode.test-util.js';
import type { FetchResult, ImapResponse } from '../types.js';

const fetchOf = (rs: ImapResponse[]): FetchResult => (rs.find((r) => r.kind === 'fetch') as { fetch: FetchResult }).fetch;

const CASES: { quirk: keyof ImapQuirks; file: string; check: (rs: ImapResponse[]) => void }[] = [
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
});
