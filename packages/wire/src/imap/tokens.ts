/**
 * The generic IMAP token tree: `tokenize(frame)` reads any framed message into atoms,
 * numbers, quoted strings, literals, NIL, parenthesised lists and bracketed groups, with no
 * knowledge of what the response means; `encodeTokens(tokens)` writes a tree back as bytes.
 * The codec uses the typed readers instead; this tree is for responses nobody knows, for
 * conformance tools and for the encode -> tokenize round-trip property.
 *
 * Tokens are separated by one SP; a token marked `joined` follows the previous one with no
 * SP (`BODY[TEXT]<0>`, `(..)(..)` in a multipart body). Inside a token-tree atom the
 * list-wildcards "%" "*" and a leading "\" (flags) are accepted; "[" and "]" always
 * open and close a bracketed group (RFC 9051 §9 section, resp-text-code).
 */
import { UsageError } from '@mailwire/errors';
import { WireError } from '../wire-error.js';
import type { ImapFrame } from './imap-framer.js';
import { type ImapReader, ImapReader as Reader } from './imap-reader.js';
import { ATOM_CHAR, CHAR_CLASS, CR, LBRACKET, LF, LPAREN, RBRACKET, RPAREN, SP } from './chars.js';

interface Joinable {
  /** No SP before this token. */
  joined?: boolean;
}
export type Token = Joinable &
  (
    | { type: 'atom'; value: string }
    | { type: 'number'; value: number | bigint }
    | { type: 'quoted'; value: string }
    | { type: 'literal'; value: Uint8Array; binary?: boolean; nonSync?: boolean }
    | { type: 'streamed'; size: number; binary?: boolean }
    | { type: 'nil' }
    | { type: 'list'; items: Token[] }
    | { type: 'bracket'; items: Token[] }
  );

/** A byte of a token-tree atom: ATOM-CHAR, list-wildcards and "\" (not "[" nor "]"). */
function isTreeAtomChar(c: number): boolean {
  return (CHAR_CLASS[c] & ATOM_CHAR && c !== LBRACKET) || c === 0x25 || c === 0x2a || c === 0x5c;
}

function readToken(r: ImapReader): Token {
  const c = r.peek();
  if (c === LPAREN) {
    r.expectListBegin();
    return { type: 'list', items: readSeq(r, RPAREN) };
  }
  if (c === LBRACKET) {
    r.pos++;
    if (++r.depth > r.maxDepth) throw new WireError('too-deep', `IMAP brackets nest deeper than maxDepth (${r.maxDepth})`, r.streamOffset(), 'maxDepth');
    const items = readSeq(r, RBRACKET);
    r.depth--;
    return { type: 'bracket', items };
  }
  if (c === 0x22) return { type: 'quoted', value: r.quoted()! };
  if (c === 0x7b || (c === 0x7e && r.bytes[r.pos + 1] === 0x7b)) {
    const span = r.nextLiteral();
    const lit = r.literal()!;
    if (lit instanceof Uint8Array) {
      const t: Token = { type: 'literal', value: lit };
      if (c === 0x7e) t.binary = true;
      if (span?.nonSync) t.nonSync = true;
      return t;
    }
    return lit.binary ? { type: 'streamed', size: lit.size, binary: true } : { type: 'streamed', size: lit.size };
  }
  const b = r.bytes;
  const start = r.pos;
  let i = start;
  let digits = true;
  while (i < r.end && isTreeAtomChar(b[i])) {
    if (b[i] < 0x30 || b[i] > 0x39) digits = false;
    i++;
  }
  if (i === start) throw r.error('a token');
  if (digits && i - start <= 19) {
    const v = BigInt(r.raw(start, i));
    if (v < 2n ** 63n) {
      r.pos = i;
      return { type: 'number', value: v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v };
    }
  }
  r.pos = i;
  if (i - start === 3 && (b[start] | 0x20) === 0x6e && (b[start + 1] | 0x20) === 0x69 && (b[start + 2] | 0x20) === 0x6c) return { type: 'nil' };
  return { type: 'atom', value: r.decode(start, i) };
}

/** Tokens up to `close` (consumed) or, with close -1, up to the end of the message. */
function readSeq(r: ImapReader, close: number): Token[] {
  const items: Token[] = [];
  let first = true;
  for (;;) {
    if (close === -1 ? r.atEnd() : r.peek() === close) {
      if (close === RPAREN) r.expectListEnd();
      else if (close !== -1) r.pos++;
      return items;
    }
    if (r.atEnd()) throw r.error(close === RPAREN ? '")"' : '"]"');
    const spaced = r.sp();
    if (first && spaced) throw r.error('a token, not SP');
    const t = readToken(r);
    if (!first && !spaced) t.joined = true;
    items.push(t);
    first = false;
  }
}

/** Reads a whole framed message as a token tree. Throws WireError on malformed input. */
export function tokenize(frame: ImapFrame, options: { maxDepth?: number } = {}): Token[] {
  const r = new Reader(frame, options);
  return readSeq(r, -1);
}

/**
 * Reads one value at the reader's position as plain data: atom -> string, number -> number
 * (bigint past 2^53), string -> string (literal -> bytes), NIL -> null, list -> array.
 */
export function readGenericValue(r: ImapReader): unknown {
  if (r.listBegin()) {
    const items: unknown[] = [];
    if (r.listEnd()) return items;
    do items.push(readGenericValue(r));
    while (r.sp());
    r.expectListEnd();
    return items;
  }
  const c = r.peek();
  if (c === 0x22) return r.quoted();
  if (c === 0x7b || c === 0x7e) {
    const lit = r.literal();
    if (lit) return lit instanceof Uint8Array ? lit : { streamed: lit.size };
  }
  const t = readToken(r);
  if (t.type === 'atom' || t.type === 'number') return t.value;
  if (t.type === 'nil') return null;
  if (t.type === 'bracket') return t.items;
  throw r.error('a value');
}

const enc = new TextEncoder();

/** Writes a token tree as IMAP bytes (no final CRLF). Throws UsageError for unencodable tokens. */
export function encodeTokens(tokens: readonly Token[]): Uint8Array {
  const parts: Uint8Array[] = [];
  writeSeq(tokens, parts);
  return Buffer.concat(parts);
}

function writeSeq(tokens: readonly Token[], parts: Uint8Array[]): void {
  tokens.forEach((t, i) => {
    if (i > 0 && !t.joined) parts.push(SP_BYTES);
    writeToken(t, parts);
  });
}

const SP_BYTES = Uint8Array.of(SP);

function writeToken(t: Token, parts: Uint8Array[]): void {
  switch (t.type) {
    case 'atom':
      if (t.value === '' || [...enc.encode(t.value)].some((c) => !isTreeAtomChar(c))) throw new UsageError(`not an atom (${t.value.length} chars): an atom is 1*ATOM-CHAR; use a quoted string or a literal`);
      parts.push(enc.encode(t.value));
      return;
    case 'number':
      parts.push(enc.encode(String(t.value)));
      return;
    case 'nil':
      parts.push(enc.encode('NIL'));
      return;
    case 'quoted': {
      const bytes = enc.encode(t.value);
      if (bytes.some((c) => c === CR || c === LF || c === 0)) throw new UsageError('a quoted string cannot hold CR, LF or NUL; use a literal');
      parts.push(enc.encode(`"${t.value.replace(/[\\"]/g, '\\$&')}"`));
      return;
    }
    case 'literal':
      parts.push(enc.encode(`${t.binary ? '~' : ''}{${t.value.length}${t.nonSync ? '+' : ''}}\r\n`), t.value);
      return;
    case 'streamed':
      throw new UsageError('a streamed literal has no bytes to encode');
    case 'list':
      parts.push(Uint8Array.of(LPAREN));
      writeSeq(t.items, parts);
      parts.push(Uint8Array.of(RPAREN));
      return;
    case 'bracket':
      parts.push(Uint8Array.of(LBRACKET));
      writeSeq(t.items, parts);
      parts.push(Uint8Array.of(RBRACKET));
  }
}

