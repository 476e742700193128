/**
 * An ImapReader reads the tokens of one framed IMAP message (go-imap v2's imapwire.Decoder
 * style): one method per ABNF rule of RFC 9051 §9, each returning `undefined` (or false)
 * where the rule does not match at the current position and leaving the position alone,
 * with `expect...()` variants that throw WireError('syntax') naming the rule and the offset.
 *
 * It works on the frame's bytes: no token objects, strings decoded only for values that
 * become strings (as UTF-8, through Node's native decoder), literal data returned
 * as views. Parenthesised lists are counted against `maxDepth`.
 */
import { WireError } from '../wire-error.js';
import type { ImapFrame, LiteralSpan } from './imap-framer.js';
import { knownKeyword } from './keywords.js';
import {
  ASTRING_CHAR, ATOM_CHAR, BACKSLASH, CHAR_CLASS, CR, DIGIT, DQUOTE, LBRACE, LF, LPAREN,
  LBRACKET, PLUS, RBRACE, RBRACKET, RPAREN, SP, STAR, TAG_CHAR, TILDE,
} from './chars.js';

/** A literal whose data was streamed (see ImapFramer `streamThresholdBytes`), not held. */
export interface StreamedLiteral {
  streamed: true;
  size: number;
  binary: boolean;
}

export const DEFAULT_MAX_DEPTH = 64;

const Q_DQUOTE = 1;
const Q_BACKSLASH = 2;
const Q_LINE = 3;
const Q_HIGH = 4;
/** What each byte means inside a quoted string: 0 data, or DQUOTE, "\\", CR/LF, 8-bit. */
const QSCAN: Uint8Array = (() => {
  const t = new Uint8Array(256);
  t[DQUOTE] = Q_DQUOTE;
  t[BACKSLASH] = Q_BACKSLASH;
  t[CR] = Q_LINE;
  t[LF] = Q_LINE;
  for (let c = 0x80; c < 256; c++) t[c] = Q_HIGH;
  return t;
})();

/**
 * Decodes bytes to a string as UTF-8 (malformed sequences become U+FFFD). Node's native
 * decoder takes an ASCII fast path, so no JS pre-scan for high bytes is needed.
 */
export function decodeBytes(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as { utf8Slice(s: number, e: number): string }).utf8Slice(start, end);
}

/** Bytes as latin1 (one char per byte) through Node's fast internal slice. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as { latin1Slice(s: number, e: number): string }).latin1Slice(start, end);
}

/** Where quotedValue() unescapes a string before decoding it (grown as needed; the result is a copy). */
let unescapeScratch = Buffer.allocUnsafe(1024);

export class ImapReader {
  /** The message's bytes (reset() points the reader at another message). */
  bytes: Buffer;
  /** Index of the final CRLF: the message's tokens lie in [0, end). */
  end: number;
  literals: LiteralSpan[];
  offset: number;
  readonly maxDepth: number;
  pos = 0;
  depth = 0;
  #lit = 0;

  constructor(frame: ImapFrame, options: { maxDepth?: number } = {}) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.bytes = frame.bytes;
    this.literals = frame.literals;
    this.offset = frame.offset;
    this.end = 0;
    this.#textEnd = 0;
    this.reset(frame);
  }

  /**
   * Points the reader at the start of another message, with all state (position, depth,
   * literal count, decoded text, last quoted string) as a fresh reader has it: a decoder
   * reads every message with one reader instead of allocating one per message.
   */
  reset(frame: ImapFrame): void {
    const bytes = frame.bytes;
    this.bytes = bytes;
    this.literals = frame.literals;
    this.offset = frame.offset;
    this.pos = 0;
    this.depth = 0;
    this.#lit = 0;
    this.#text = undefined;
    this.qStart = 0;
    this.qEnd = 0;
    this.qEscaped = false;
    this.qHigh = false;
    let end = bytes.length;
    if (end >= 2 && bytes[end - 1] === LF && bytes[end - 2] === CR) end -= 2;
    this.end = end;
    // Small held literals are decoded with the rest; a large one ends the shared text.
    const literals = frame.literals;
    let held = 0;
    for (let i = 0; i < literals.length; i++) if (!literals[i].streamed) held += literals[i].size;
    this.#textEnd = held <= 4096 ? end : literals[0].start;
  }

  /**
   * The message's bytes as one latin1 string, made on first use, up to `#textEnd`: strings
   * are then substrings of it (V8 slices without a native call), ~5x faster than decoding
   * each string alone. Past `#textEnd` (after a large literal) strings are decoded alone.
   */
  #text: string | undefined;
  #textEnd: number;

  /** Decodes bytes [start, end) of the message: UTF-8, with the ASCII case sliced from #text. */
  decode(start: number, end: number): string {
    if (end <= this.#textEnd) {
      const b = this.bytes;
      let i = start;
      while (i < end && b[i] < 0x80) i++;
      if (i === end) return (this.#text ??= latin1(b, 0, this.#textEnd)).slice(start, end);
    }
    return decodeBytes(this.bytes, start, end);
  }

  /** The bytes from `start` to `end` (default: the position) as latin1, one char per byte. */
  raw(start: number, end = this.pos): string {
    if (end <= this.#textEnd) return (this.#text ??= latin1(this.bytes, 0, this.#textEnd)).slice(start, end);
    return latin1(this.bytes, start, end);
  }

  /** A syntax error at the current position. */
  error(expected: string): WireError {
    const at = this.streamOffset();
    return new WireError('syntax', `IMAP syntax: expected ${expected} at offset ${at}`, at);
  }

  /** The stream offset of the position (streamed literal data counted, though not held). */
  streamOffset(pos = this.pos): number {
    let at = this.offset + pos;
    for (const l of this.literals) if (l.streamed && l.start <= pos) at += l.size;
    return at;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The byte at the position, or -1 at the end of the message. */
  peek(): number {
    return this.pos < this.end ? this.bytes[this.pos] : -1;
  }

  /** Consumes byte `c` if it is next. */
  byte(c: number): boolean {
    if (this.pos < this.end && this.bytes[this.pos] === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  expectByte(c: number, what: string): void {
    if (!this.byte(c)) throw this.error(what);
  }

  sp(): boolean {
    return this.byte(SP);
  }

  expectSP(): void {
    if (!this.byte(SP)) throw this.error('SP');
  }

  expectEnd(): void {
    if (this.pos !== this.end) throw this.error('CRLF');
  }

  /** "*" SP opening an untagged response (RFC 9051 response-data). */
  untagged(): boolean {
    if (this.peek() !== STAR || this.bytes[this.pos + 1] !== SP) return false;
    this.pos += 2;
    return true;
  }

  /** "+" [SP] opening a continuation request (RFC 9051 continue-req); the rest is text(). */
  continuation(): boolean {
    if (!this.byte(PLUS)) return false;
    this.sp();
    return true;
  }

  /** "[" opening a resp-text-code. */
  respTextCodeBegin(): boolean {
    return this.byte(LBRACKET);
  }

  /** "]" closing a resp-text-code. */
  respTextCodeEnd(): boolean {
    return this.byte(RBRACKET);
  }

  expectRespTextCodeEnd(): void {
    if (!this.byte(RBRACKET)) throw this.error('"]" closing a response code');
  }

  /** Consumes bytes while they are in char class `mask`; returns the end index. */
  #span(mask: number): number {
    const b = this.bytes;
    let i = this.pos;
    const end = this.end;
    while (i < end && CHAR_CLASS[b[i]] & mask) i++;
    return i;
  }

  /** atom = 1*ATOM-CHAR */
  atom(): string | undefined {
    const e = this.#span(ATOM_CHAR);
    if (e === this.pos) return undefined;
    const s = this.decode(this.pos, e);
    this.pos = e;
    return s;
  }

  expectAtom(): string {
    return this.atom() ?? this.#fail('atom');
  }

  /**
   * An atom, upper-cased (for keywords compared case-insensitively). The usual keywords
   * (keywords.ts) are matched on the bytes and returned as constants, with no new string.
   */
  keyword(): string | undefined {
    const start = this.pos;
    const e = this.#span(ATOM_CHAR);
    if (e === start) return undefined;
    this.pos = e;
    return knownKeyword(this.bytes, start, e - start) ?? this.decode(start, e).toUpperCase();
  }

  /** tag = 1*<any ASTRING-CHAR except "+"> */
  tag(): string | undefined {
    const e = this.#span(TAG_CHAR);
    if (e === this.pos) return undefined;
    const s = this.raw(this.pos, e);
    this.pos = e;
    return s;
  }

  /** flag = "\" atom / atom, plus flag-perm's "\*" (RFC 9051 §9). */
  flag(): string | undefined {
    const start = this.pos;
    if (this.byte(BACKSLASH)) {
      if (this.byte(STAR)) return '\\*';
      const e = this.#span(ATOM_CHAR);
      if (e === this.pos) {
        this.pos = start;
        return undefined;
      }
      this.pos = e;
      return this.decode(start, e);
    }
    return this.atom();
  }

  /** number = 1*DIGIT (up to 2^53-1 here; the grammar's own bound is checked by callers). */
  number(): number | undefined {
    const b = this.bytes;
    let i = this.pos;
    let n = 0;
    while (i < this.end && CHAR_CLASS[b[i]] & DIGIT) {
      n = n * 10 + (b[i] - 0x30);
      i++;
    }
    if (i === this.pos) return undefined;
    if (i - this.pos > 15 && n > Number.MAX_SAFE_INTEGER) throw this.error('a number below 2^53');
    this.pos = i;
    return n;
  }

  expectNumber(): number {
    return this.number() ?? this.#fail('number');
  }

  /** number64 = 1*DIGIT, up to 2^63-1 (RFC 9051 §9), as a bigint. */
  number64(): bigint | undefined {
    const e = this.#span(DIGIT);
    if (e === this.pos) return undefined;
    if (e - this.pos > 19) throw this.error('a number below 2^63');
    if (e - this.pos <= 15) {
      // exact as a double: BigInt of a number, without making and parsing a string
      const b = this.bytes;
      let n = 0;
      for (let i = this.pos; i < e; i++) n = n * 10 + (b[i] - 0x30);
      this.pos = e;
      return BigInt(n);
    }
    const v = BigInt(this.raw(this.pos, e));
    if (v >= 2n ** 63n) throw this.error('a number below 2^63');
    this.pos = e;
    return v;
  }

  expectNumber64(): bigint {
    return this.number64() ?? this.#fail('number64');
  }

  /** nil = "NIL" (case-insensitive, not followed by an atom char). */
  nil(): boolean {
    const b = this.bytes;
    const p = this.pos;
    if (
      p + 3 <= this.end && (b[p] | 0x20) === 0x6e && (b[p + 1] | 0x20) === 0x69 && (b[p + 2] | 0x20) === 0x6c &&
      (p + 3 === this.end || !(CHAR_CLASS[b[p + 3]] & ATOM_CHAR))
    ) {
      this.pos = p + 3;
      return true;
    }
    return false;
  }

  /** After a successful scanQuoted(): the content's [start, end), whether it holds escapes or 8-bit bytes. */
  qStart = 0;
  qEnd = 0;
  qEscaped = false;
  qHigh = false;

  /**
   * Scans quoted = DQUOTE *QUOTED-CHAR DQUOTE at the position: false (position unchanged)
   * when there is no DQUOTE; otherwise sets qStart/qEnd/qEscaped/qHigh and moves past it.
   * With `tolerant`, a DQUOTE closes the string only where SP, ")" or the end follows; any
   * other is data (the iCloud ENVELOPE quirk). One table load per byte on the common path.
   */
  scanQuoted(tolerant = false): boolean {
    const b = this.bytes;
    const end = this.end;
    let i = this.pos;
    if (i >= end || b[i] !== DQUOTE) return false;
    i++;
    let escaped = false;
    let high = false;
    for (;; i++) {
      if (i >= end) throw this.error('a closing DQUOTE');
      const k = QSCAN[b[i]];
      if (k === 0) continue;
      if (k === Q_HIGH) high = true;
      else if (k === Q_DQUOTE) {
        if (!tolerant || i + 1 === end || b[i + 1] === SP || b[i + 1] === RPAREN) break;
      } else if (k === Q_BACKSLASH) {
        const n = b[i + 1];
        if (i + 1 < end && (n === DQUOTE || n === BACKSLASH)) {
          escaped = true;
          i++;
        } else if (!tolerant) throw this.error('\\" or \\\\ in a quoted string');
      } else throw this.error('a closing DQUOTE before CRLF');
    }
    this.qStart = this.pos + 1;
    this.qEnd = i;
    this.qEscaped = escaped;
    this.qHigh = high;
    this.pos = i + 1;
    return true;
  }

  /** The content of the quoted string scanQuoted() just read, decoded and unescaped. */
  quotedValue(): string {
    if (!this.qEscaped) return this.qHigh ? decodeBytes(this.bytes, this.qStart, this.qEnd) : this.raw(this.qStart, this.qEnd);
    // Unescaped into a scratch buffer, then decoded in one native call: no regex, no pieces.
    const b = this.bytes;
    const end = this.qEnd;
    if (unescapeScratch.length < end - this.qStart) unescapeScratch = Buffer.allocUnsafe(end - this.qStart);
    const out = unescapeScratch;
    let n = 0;
    for (let i = this.qStart; i < end; i++) {
      let c = b[i];
      // "\\" before DQUOTE or "\\" is an escape; any other (tolerant mode only) is data
      if (c === BACKSLASH && i + 1 < end && (b[i + 1] === DQUOTE || b[i + 1] === BACKSLASH)) c = b[++i];
      out[n++] = c;
    }
    return this.qHigh ? decodeBytes(out, 0, n) : latin1(out, 0, n);
  }

  /** The [start, end) of a quoted string's content, escapes still in; undefined if no quoted. */
  quotedSpan(): { start: number; end: number; escaped: boolean } | undefined {
    return this.scanQuoted() ? { start: this.qStart, end: this.qEnd, escaped: this.qEscaped } : undefined;
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE, decoded. */
  quoted(): string | undefined {
    return this.scanQuoted() ? this.quotedValue() : undefined;
  }

  /** literal = "{" number64 ["+"] "}" CRLF *CHAR8 (and literal8 "~{"): data view or streamed marker. */
  literal(): Buffer | StreamedLiteral | undefined {
    const b = this.bytes;
    let i = this.pos;
    if (b[i] === TILDE && i + 1 < this.end) i++;
    if (i >= this.end || b[i] !== LBRACE) return undefined;
    const close = b.indexOf(RBRACE, i);
    // The framer put a literal here exactly when this line ends "}" CRLF.
    const span = this.literals[this.#lit];
    if (close < 0 || close + 3 !== span?.start || b[close + 1] !== CR || b[close + 2] !== LF) throw this.error('a literal');
    this.#lit++;
    if (span.streamed) {
      this.pos = span.start;
      return { streamed: true, size: span.size, binary: span.binary };
    }
    this.pos = span.start + span.size;
    return b.subarray(span.start, this.pos);
  }

  /** The span of the next literal this reader will meet (its flags: binary, nonSync, streamed). */
  nextLiteral(): LiteralSpan | undefined {
    return this.literals[this.#lit];
  }

  /** string = quoted / literal, as bytes (streamed literals as their marker). */
  stringBytes(): Buffer | StreamedLiteral | undefined {
    if (this.scanQuoted()) {
      if (!this.qEscaped) return this.bytes.subarray(this.qStart, this.qEnd);
      return Buffer.from(this.raw(this.qStart, this.qEnd).replace(/\\([\\"])/g, '$1'), 'latin1');
    }
    return this.literal();
  }

  /** string = quoted / literal, decoded. A streamed literal here is a syntax error. */
  string(): string | undefined {
    if (this.peek() === DQUOTE) return this.quoted();
    const start = this.pos;
    const lit = this.literal();
    if (lit === undefined) return undefined;
    if (!(lit instanceof Uint8Array)) {
      this.pos = start;
      throw this.error('a string small enough to hold (not a streamed literal)');
    }
    const at = lit.byteOffset - this.bytes.byteOffset;
    return this.decode(at, at + lit.length);
  }

  expectString(): string {
    return this.string() ?? this.#fail('string');
  }

  /** nstring = string / nil */
  nstring(): string | null | undefined {
    if (this.nil()) return null;
    return this.string();
  }

  expectNString(): string | null {
    const v = this.nstring();
    return v === undefined ? this.#fail('nstring') : v;
  }

  /** astring = 1*ASTRING-CHAR / string */
  astring(): string | undefined {
    const e = this.#span(ASTRING_CHAR);
    if (e === this.pos) return this.string();
    const s = this.decode(this.pos, e);
    this.pos = e;
    return s;
  }

  expectAString(): string {
    return this.astring() ?? this.#fail('astring');
  }

  /** "(" opening a list, counted against maxDepth. */
  listBegin(): boolean {
    if (!this.byte(LPAREN)) return false;
    if (++this.depth > this.maxDepth) {
      throw new WireError('too-deep', `IMAP lists nest deeper than maxDepth (${this.maxDepth})`, this.streamOffset(), 'maxDepth');
    }
    return true;
  }

  expectListBegin(): void {
    if (!this.listBegin()) throw this.error('"("');
  }

  listEnd(): boolean {
    if (!this.byte(RPAREN)) return false;
    this.depth--;
    return true;
  }

  expectListEnd(): void {
    if (!this.listEnd()) throw this.error('")"');
  }

  /** text = 1*TEXT-CHAR: the rest of the line, free text, decoded (may be empty). */
  text(): string {
    const b = this.bytes;
    let e = this.end;
    // A literal inside resp-text is not a thing: the text ends at the first line end.
    const cr = b.indexOf(CR, this.pos);
    if (cr >= 0 && cr < e) e = cr;
    const s = this.decode(this.pos, e);
    this.pos = this.end;
    return s;
  }

  #fail(what: string): never {
    throw this.error(what);
  }
}
