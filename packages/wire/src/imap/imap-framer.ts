/**
 * An ImapFramer cuts an IMAP byte stream into whole messages (imap-codec's Fragmentizer
 * idea): push bytes in any chunking, get every message those bytes complete, each one the
 * run of CRLF-terminated lines and literals (RFC 9051 §4.3, RFC 7888 LITERAL+, RFC 3516
 * `~{n}` binary literals) that the grammar sees as one response. Nothing here knows what a
 * response means; the reader (imap-reader.ts) and the codec in @mailwire/imap do.
 *
 * Theory of operation. The framer is in one of three modes:
 *  - `line`: searching (with `Buffer#indexOf`) for the LF of a CRLF. A line that ends in
 *    `{n}`, `{n+}` or `~{n}` announces a literal of n bytes; any other line ends the message.
 *  - `literal`: skipping n literal bytes that stay part of the message.
 *  - `stream`: a literal over `streamThresholdBytes`: its bytes are handed out as
 *    `literal-chunk` events as they arrive and never held; `literal-begin` first carries the
 *    message bytes so far, so the codec can read the sequence number and section.
 * A message that lies wholly inside one chunk is a view into that chunk (no copy). One that
 * spans chunks is held as a list of views and joined once when it completes, so every byte
 * is copied at most once. Held bytes are bounded by `maxMessageBytes` (plus one line), a line
 * by `maxLineBytes`, a literal held in memory by `maxLiteralBytes`. A limit or a malformed
 * literal length throws a WireError and poisons the framer: every later push throws.
 *
 * List nesting (`maxDepth`) is a grammar limit, enforced by the reader, not here.
 * Only CR LF ends a line; a bare LF is data (the reader rejects it where the grammar does).
 * Chunks are held by reference: the caller must not reuse a pushed buffer.
 */
import { WireError } from '../wire-error.js';

export interface ImapFramerOptions {
  /** The longest line, CRLF included, in bytes. Default 1 MiB (a BODYSTRUCTURE of a message with hundreds of parts is one line). */
  maxLineBytes?: number;
  /** The largest literal held in memory. Default 64 MiB. */
  maxLiteralBytes?: number;
  /** The most bytes one message may hold (lines and held literals). Default 128 MiB. */
  maxMessageBytes?: number;
  /** Literals larger than this are streamed, not held. Default: never stream. */
  streamThresholdBytes?: number;
}

/** Where a literal's data lies in a framed message. */
export interface LiteralSpan {
  /** Index in `ImapFrame.bytes` of the literal's first byte (just after its CRLF). */
  start: number;
  size: number;
  /** `~{n}` (RFC 3516). */
  binary: boolean;
  /** `{n+}` (RFC 7888). */
  nonSync: boolean;
  /** The data was handed out as literal-chunk events and is not in `bytes`. */
  streamed: boolean;
}

/** One whole message: its bytes (final CRLF included) and its literals in order. */
export interface ImapFrame {
  bytes: Buffer;
  literals: LiteralSpan[];
  /** Offset in the stream of `bytes[0]`. */
  offset: number;
}

export type ImapFramerEvent =
  | { kind: 'message'; frame: ImapFrame }
  /** A streamed literal starts; `head` is the message so far, its `{n}` CRLF included. */
  | { kind: 'literal-begin'; head: Buffer; size: number; binary: boolean; offset: number }
  | { kind: 'literal-chunk'; bytes: Buffer };

export const IMAP_FRAMER_DEFAULTS = {
  maxLineBytes: 1024 * 1024,
  maxLiteralBytes: 64 * 1024 * 1024,
  maxMessageBytes: 128 * 1024 * 1024,
} as const;

const CR = 0x0d;
const LF = 0x0a;
const EMPTY_LITERALS: LiteralSpan[] = [];
const SMALL_PIECE = 4096;
const SCRATCH_BYTES = 16 * 1024;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class ImapFramer {
  readonly maxLineBytes: number;
  readonly maxLiteralBytes: number;
  readonly maxMessageBytes: number;
  readonly streamThresholdBytes: number;

  #mode: 'line' | 'literal' | 'stream' = 'line';
  /** Views of the current message from earlier chunks. */
  #pieces: Buffer[] = [];
  #held = 0;
  #literals: LiteralSpan[] = EMPTY_LITERALS;
  /** Message-relative index where the current line starts. */
  #lineStart = 0;
  #remaining = 0;
  /** Stream offset of the current message's first byte, and of the next unread byte. */
  #messageOffset = 0;
  #offset = 0;
  #failed: WireError | null = null;
  /** The block small held views are copied into (see #hold), and how much of it is used. */
  #scratch: Buffer | null = null;
  #scratchUsed = 0;
  // Per push: the chunk and where the current message's unheld part starts in it.
  #buf: Buffer = Buffer.alloc(0);
  #seg = 0;

  constructor(options: ImapFramerOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? IMAP_FRAMER_DEFAULTS.maxLineBytes;
    this.maxLiteralBytes = options.maxLiteralBytes ?? IMAP_FRAMER_DEFAULTS.maxLiteralBytes;
    this.maxMessageBytes = options.maxMessageBytes ?? IMAP_FRAMER_DEFAULTS.maxMessageBytes;
    this.streamThresholdBytes = options.streamThresholdBytes ?? Infinity;
  }

  /** Bytes held between pushes (the unfinished message; streamed literal data is never held). */
  get bufferedBytes(): number {
    return this.#held;
  }

  /**
   * The literal whose data the framer is waiting for, or null: a server reading commands
   * checks it after each push and answers a synchronizing literal (`nonSync` false) that has
   * had no data yet (`remaining === size`) with a "+" continuation (RFC 9051 §7.6).
   */
  get pendingLiteral(): { size: number; remaining: number; nonSync: boolean; binary: boolean } | null {
    if (this.#mode === 'line') return null;
    const l = this.#literals[this.#literals.length - 1];
    return { size: l.size, remaining: this.#remaining, nonSync: l.nonSync, binary: l.binary };
  }

  /** True when no message is under way (a clean place for the stream to end). */
  get idle(): boolean {
    return this.#held === 0 && this.#mode === 'line';
  }

  /**
   * Takes the next bytes of the stream; returns the events they complete, in order. Events
   * are appended to `out` as they complete, so a caller that passes its own array keeps the
   * events before a WireError thrown later in the same chunk (the same events a byte-at-a-time
   * push would have returned before the error).
   */
  push(chunk: Uint8Array, out: ImapFramerEvent[] = []): ImapFramerEvent[] {
    if (this.#failed) throw new WireError('ended', `IMAP framer already failed: ${this.#failed.message}`, this.#offset);
    const buf = asBuffer(chunk);
    this.#buf = buf;
    this.#seg = 0;
    let pos = 0;
    try {
      while (pos < buf.length) {
        if (this.#mode === 'line') pos = this.#line(pos, out);
        else if (this.#mode === 'literal') {
          const take = Math.min(this.#remaining, buf.length - pos);
          pos += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            this.#mode = 'line';
            this.#lineStart = this.#held + pos - this.#seg;
          }
        } else {
          const take = Math.min(this.#remaining, buf.length - pos);
          out.push({ kind: 'literal-chunk', bytes: buf.subarray(pos, pos + take) });
          pos += take;
          this.#seg = pos;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            this.#mode = 'line';
            this.#lineStart = this.#held;
          }
        }
      }
      if (this.#seg < buf.length) this.#hold(buf.subarray(this.#seg));
      this.#offset += buf.length;
    } catch (err) {
      this.#failed = err as WireError;
      this.#pieces = [];
      this.#held = 0;
      throw err;
    } finally {
      this.#buf = Buffer.alloc(0);
    }
    return out;
  }

  /**
   * Keeps a view of the unfinished message. Small views are copied into a shared 16 KiB
   * scratch block instead, so a peer dripping one byte per chunk costs bytes, not one
   * object per byte.
   */
  #hold(view: Buffer): void {
    this.#held += view.length;
    if (this.#held > this.maxMessageBytes + this.maxLineBytes) {
      throw this.#error('literal-too-large', `IMAP message passes maxMessageBytes (${this.maxMessageBytes})`, 'maxMessageBytes');
    }
    if (view.length >= SMALL_PIECE) {
      this.#pieces.push(view);
      return;
    }
    const last = this.#pieces.length - 1;
    const s = this.#scratch;
    if (s && last >= 0 && this.#pieces[last].buffer === s.buffer && this.#pieces[last].byteOffset === s.byteOffset && this.#scratchUsed + view.length <= s.length) {
      view.copy(s, this.#scratchUsed);
      this.#scratchUsed += view.length;
      this.#pieces[last] = s.subarray(0, this.#scratchUsed);
      return;
    }
    const fresh = Buffer.allocUnsafe(SCRATCH_BYTES);
    view.copy(fresh, 0);
    this.#scratch = fresh;
    this.#scratchUsed = view.length;
    this.#pieces.push(fresh.subarray(0, view.length));
  }

  /** Reads in line mode from `pos`; returns where reading goes on. */
  #line(pos: number, out: ImapFramerEvent[]): number {
    const buf = this.#buf;
    let from = pos;
    let lf: number;
    for (;;) {
      lf = buf.indexOf(LF, from);
      if (lf < 0) break;
      const before = this.#held + lf - 1 - this.#seg;
      if (before >= this.#lineStart && this.#byteAt(before) === CR) break;
      from = lf + 1;
    }
    const base = this.#held - this.#seg; // message index = base + chunk index
    if (lf < 0) {
      if (base + buf.length - this.#lineStart > this.maxLineBytes) throw this.#lineTooLong();
      return buf.length;
    }
    const lineEnd = base + lf + 1; // message index just past LF
    if (lineEnd - this.#lineStart > this.maxLineBytes) throw this.#lineTooLong();
    if (lineEnd > this.maxMessageBytes) {
      throw this.#error('literal-too-large', `IMAP message passes maxMessageBytes (${this.maxMessageBytes})`, 'maxMessageBytes');
    }
    const next = lf + 1;
    if (!this.#announce(lineEnd, out, next)) {
      // The message is complete.
      let bytes: Buffer;
      if (this.#pieces.length === 0) bytes = buf.subarray(this.#seg, next);
      else {
        this.#pieces.push(buf.subarray(this.#seg, next));
        bytes = Buffer.concat(this.#pieces, lineEnd);
      }
      out.push({ kind: 'message', frame: { bytes, literals: this.#literals, offset: this.#messageOffset } });
      this.#pieces = [];
      this.#held = 0;
      this.#literals = EMPTY_LITERALS;
      this.#seg = next;
      this.#lineStart = 0;
      this.#messageOffset = this.#offset + next;
    }
    return next;
  }

  /** The byte at a message-relative index (-1 before the start). */
  #byteAt(i: number): number {
    if (i < 0) return -1;
    if (i >= this.#held) return this.#buf[this.#seg + i - this.#held];
    for (let p = this.#pieces.length - 1, end = this.#held; p >= 0; p--) {
      const piece = this.#pieces[p];
      const start = end - piece.length;
      if (i >= start) return piece[i - start];
      end = start;
    }
    return -1;
  }

  /**
   * Looks for a literal announcement at the end of the line ending at message index
   * `lineEnd`; when there is one, switches mode and returns true. ABNF (RFC 9051 §9,
   * RFC 7888, RFC 3516): literal = "{" number64 ["+"] "}" CRLF; literal8 = "~{" number64 "}" CRLF.
   */
  #announce(lineEnd: number, out: ImapFramerEvent[], next: number): boolean {
    const close = lineEnd - 3; // the byte before CR LF
    if (close < this.#lineStart || this.#byteAt(close) !== 0x7d /* } */) return false;
    // Find the "{" within a few bytes, with no space or control byte between.
    let i = close - 1;
    for (; i >= this.#lineStart && close - i <= 24; i--) {
      const c = this.#byteAt(i);
      if (c === 0x7b /* { */) break;
      if (c <= 0x20 || c === 0x7d || c === 0x7f) return false;
    }
    if (i < this.#lineStart || this.#byteAt(i) !== 0x7b) return false;
    let last = close - 1;
    const nonSync = last > i && this.#byteAt(last) === 0x2b; /* + */
    if (nonSync) last--;
    const first = this.#byteAt(i + 1);
    if (first < 0x30 || first > 0x39) return false; // "{abc}": text, not a literal
    let size = 0;
    for (let k = i + 1; k <= last; k++) {
      const c = this.#byteAt(k);
      if (c < 0x30 || c > 0x39) throw this.#error('syntax', 'IMAP literal length is not a number');
      if (k - i > 19) throw this.#error('syntax', 'IMAP literal length has more than 19 digits');
      size = size * 10 + (c - 0x30);
    }
    if (size > 2 ** 63) throw this.#error('syntax', 'IMAP literal length passes 2^63');
    const binary = this.#byteAt(i - 1) === 0x7e; /* ~ */
    const head = this.#held + next - this.#seg;
    if (size > this.streamThresholdBytes) {
      if (size > Number.MAX_SAFE_INTEGER) throw this.#error('literal-too-large', 'IMAP literal is too large to stream', 'maxLiteralBytes');
      const headBytes = this.#pieces.length === 0 ? this.#buf.subarray(this.#seg, next) : Buffer.concat([...this.#pieces, this.#buf.subarray(this.#seg, next)], head);
      this.#pieces = [headBytes];
      this.#held = head;
      this.#seg = next;
      this.#push({ start: head, size, binary, nonSync, streamed: true });
      out.push({ kind: 'literal-begin', head: headBytes, size, binary, offset: this.#offset + next });
      this.#mode = 'stream';
      this.#remaining = size;
      if (size === 0) this.#mode = 'line';
      return true;
    }
    if (size > this.maxLiteralBytes) {
      throw this.#error('literal-too-large', `IMAP literal of ${size} bytes passes maxLiteralBytes (${this.maxLiteralBytes})`, 'maxLiteralBytes');
    }
    if (head + size > this.maxMessageBytes) {
      throw this.#error('literal-too-large', `IMAP message passes maxMessageBytes (${this.maxMessageBytes})`, 'maxMessageBytes');
    }
    this.#push({ start: head, size, binary, nonSync, streamed: false });
    this.#remaining = size;
    this.#mode = size === 0 ? 'line' : 'literal';
    this.#lineStart = head;
    return true;
  }

  #push(span: LiteralSpan): void {
    if (this.#literals === EMPTY_LITERALS) this.#literals = [];
    this.#literals.push(span);
  }

  #lineTooLong(): WireError {
    return this.#error('line-too-long', `IMAP line passes maxLineBytes (${this.maxLineBytes})`, 'maxLineBytes');
  }

  #error(reason: 'syntax' | 'line-too-long' | 'literal-too-large', message: string, limit?: string): WireError {
    return new WireError(reason, message, this.#offset, limit);
  }
}
