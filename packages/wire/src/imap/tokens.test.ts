import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '../wire-error.js';
import { ascii } from '../chunking.test-util.js';
import { ImapFramer, type ImapFrame } from './imap-framer.js';
import { encodeTokens, tokenize, type Token } from './tokens.js';

function frames(bytes: Uint8Array): ImapFrame[] {
  return new ImapFramer()
    .push(bytes)
    .flatMap((e) => (e.kind === 'message' ? [e.frame] : []));
}
const one = (s: string): Token[] => tokenize(frames(ascii(`${s}\r\n`))[0]);

describe('tokenize known answers (RFC 9051 §7 examples)', () => {
  it('a status response with a code', () => {
    expect(one('* OK [UIDNEXT 4392] Predicted next UID')).toEqual([
      { type: 'atom', value: '*' }, { type: 'atom', value: 'OK' },
      { type: 'bracket', items: [{ type: 'atom', value: 'UIDNEXT' }, { type: 'number', value: 4392 }] },
      { type: 'atom', value: 'Predicted' }, { type: 'atom', value: 'next' }, { type: 'atom', value: 'UID' },
    ]);
  });

  it('FETCH with a section, a partial and a literal', () => {
    expect(one('* 2 FETCH (FLAGS (\\Seen) BODY[HEADER.FIELDS (DATE)]<0> {3}\r\nabc NIL)')).toEqual([
      { type: 'atom', value: '*' }, { type: 'number', value: 2 }, { type: 'atom', value: 'FETCH' },
      {
        type: 'list',
        items: [
          { type: 'atom', value: 'FLAGS' }, { type: 'list', items: [{ type: 'atom', value: '\\Seen' }] },
          { type: 'atom', value: 'BODY' },
          { type: 'bracket', joined: true, items: [{ type: 'atom', value: 'HEADER.FIELDS' }, { type: 'list', items: [{ type: 'atom', value: 'DATE' }] }] },
          { type: 'atom', value: '<0>', joined: true },
          { type: 'literal', value: ascii('abc') },
          { type: 'nil' },
        ],
      },
    ]);
  });

  it('multipart bodies: lists joined without SP', () => {
    expect(one('((A)(B) "x")')).toEqual([
      { type: 'list', items: [
        { type: 'list', items: [{ type: 'atom', value: 'A' }] },
        { type: 'list', joined: true, items: [{ type: 'atom', value: 'B' }] },
        { type: 'quoted', value: 'x' },
      ] },
    ]);
  });

  it('numbers past 2^53 are bigints; 20 digits is an atom', () => {
    expect(one('9007199254740993 12345678901234567890')).toEqual([
      { type: 'number', value: 9007199254740993n }, { type: 'atom', value: '12345678901234567890' },
    ]);
  });

  it('nesting past maxDepth, lists or brackets, is too-deep (no stack overflow)', () => {
    for (const open of ['(', '[']) {
      const frame = frames(ascii(`${open.repeat(60000)}\r\n`))[0];
      expect(() => tokenize(frame)).toThrow(expect.objectContaining({ reason: 'too-deep' }));
    }
  });

  it('malformed input is a WireError', () => {
    for (const bad of ['(a', 'a)', '"x', '[a', 'a  b', ' a']) expect(() => one(bad), bad).toThrow(WireError);
  });
});

// Generated token trees. An atom is never all digits nor NIL (those read back as number and
// nil), and two of atom/number/nil are never joined (they would read back as one token).
const atomArb = fc
  .stringMatching(/^[A-Za-z$\\.:<>!#&'+,\-\/=?@^_`|~%*][A-Za-z0-9$.:<>!#&'+,\-\/=?@^_`|%*]{0,10}$/)
  .filter((s) => !/^nil$/i.test(s) && !s.startsWith('~'));
const leafArb: fc.Arbitrary<Token> = fc.oneof(
  atomArb.map((value) => ({ type: 'atom' as const, value })),
  fc.nat().map((value) => ({ type: 'number' as const, value })),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }).map((value) => ({ type: 'number' as const, value })),
  fc.string({ maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s)).map((value) => ({ type: 'quoted' as const, value })),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => ({ type: 'quoted' as const, value: s.replace(/[\r\n\0]/g, '') })),
  fc.record({ value: fc.uint8Array({ maxLength: 30 }), binary: fc.boolean(), nonSync: fc.boolean() }).map(
    ({ value, binary, nonSync }): Token => (binary ? { type: 'literal', value, binary: true } : nonSync ? { type: 'literal', value, nonSync: true } : { type: 'literal', value }),
  ),
  fc.constant({ type: 'nil' as const }),
);
const { tree } = fc.letrec<{ tree: Token; seq: Token[] }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    tie('seq').map((items) => ({ type: 'list' as const, items })),
    tie('seq').map((items) => ({ type: 'bracket' as const, items })),
  ),
  seq: fc.array(fc.tuple(tie('tree'), fc.boolean()), { maxLength: 5 }).map((pairs) => join(pairs as [Token, boolean][])),
}));
const WORDISH = new Set(['atom', 'number', 'nil']);
function join(pairs: [Token, boolean][]): Token[] {
  return pairs.map(([t, wantJoined], i) => {
    const prev = pairs[i - 1]?.[0];
    const canJoin = i > 0 && !(WORDISH.has(prev!.type) && (WORDISH.has(t.type) || t.type === 'literal'));
    return canJoin && wantJoined ? { ...t, joined: true } : t;
  });
}

describe('encodeTokens -> tokenize round trip', () => {
  it('gives back any generated token tree', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 6 }).map((ts) => join(ts.map((t) => [t, false]))), (tokens) => {
        const bytes = Buffer.concat([encodeTokens(tokens), ascii('\r\n')]);
        const fs = frames(bytes);
        expect(fs).toHaveLength(1);
        expect(tokenize(fs[0])).toEqual(JSON.parse(JSON.stringify(tokens, replacer), reviver));
      }),
      { numRuns: 500 },
    );
  });
});

// Literal values compare as Buffers (tokenize returns views), bigints survive the copy.
function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return { $big: String(v) };
  if (v instanceof Uint8Array || (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer')) return { $bytes: [...(v as Uint8Array)] };
  return v;
}
function reviver(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && '$big' in v) return BigInt((v as { $big: string }).$big);
  if (v && typeof v === 'object' && '$bytes' in v) return Buffer.from((v as { $bytes: number[] }).$bytes);
  return v;
}

describe('RFC fixture responses through the token tree', () => {
  it('tokenize then encode gives back every structured response byte for byte, in any chunking', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseTranscript, sideBytes } = await import('@mailwire/test-servers');
    const { standardChunkings } = await import('../chunking.test-util.js');
    for (const file of ['fetch.txt', 'mailbox-data.txt', 'rfc3501-sample-session.txt']) {
      const bytes = sideBytes(parseTranscript(readFileSync(new URL(`../../../../fixtures/imap/rfc/${file}`, import.meta.url), 'utf8')), 'S');
      for (const { name, chunks } of standardChunkings(bytes)) {
        const f = new ImapFramer();
        const out: Uint8Array[] = [];
        for (const c of chunks) for (const e of f.push(c)) if (e.kind === 'message') out.push(encodeTokens(tokenize(e.frame)), ascii('\r\n'));
        expect(Buffer.concat(out).toString('latin1'), `${file} ${name}`).toBe(Buffer.from(bytes).toString('latin1'));
      }
    }
  });
});
