/**
 * A LineDecoder cuts a byte stream into CRLF-terminated lines (RFC 5321 §2.3.8, RFC 1939
 * §3): push bytes in any chunking, get each complete line back without its line end.
 *
 * Theory of operation. The decoder holds at most one partial line: the bytes after the last
 * line end of the previous chunks, copied (so the caller may reuse its chunk buffers). A new
 * chunk is searched with `Buffer#indexOf` for LF; a line that lies wholly inside one chunk is
 * returned as a view into that chunk (no copy); a line that spans chunks is joined once, when
 * its end arrives. The partial line is checked against `maxLineBytes` on every push, so the
 * held bytes never pass `maxLineBytes + 1` (the +1 is a CR that may be the first half of the
 * line end) however long a hostile line is.
 *
 * Line ends. Only CR LF ends a line by default. A LF without a CR before it (a "bare LF") is
 * handled by the `bareLf` option:
 *  - `'data'` (default): the LF is an ordinary data octet of the line. A lenient reader that
 *    also ends lines at a bare LF is what SMTP smuggling exploits, so strict is the default.
 *  - `'line-end'`: a bare LF also ends a line (for broken peers; name it a quirk).
 *  - `'reject'`: a bare LF is a syntax error.
 * A bare CR is always data. The octets of a line are never interpreted here.
 *
 * Errors are WireErrors: `line-too-long` (limit `maxLineBytes`), `syntax` (bare LF when
 * rejected, or the stream ended inside a line), and `ended` for any use after a failure or
 * after `end()`.
 */
import { WireError } from '../wire-error.js';
import { CR, LF, asBuffer, concatBytes } from './bytes.js';

/** What a LF without a CR before it means; see LineDecoder. */
export type BareLf = 'data' | 'line-end' | 'reject';

export interface LineDecoderOptions {
  /** The longest line accepted, in bytes, without its line end. Default 8192. */
  maxLineBytes?: number;
  /** What a LF without a CR before it means. Default `'data'` (strict CRLF framing). */
  bareLf?: BareLf;
}

/** One line read by `readLine`: the line without its line end, and where it ended in the chunk. */
export interface LineRead {
  line: Uint8Array;
  /** The index in the chunk just after the line end: where reading goes on. */
  end: number;
}

export const DEFAULT_MAX_LINE_BYTES = 8192;

export class LineDecoder {
  readonly maxLineBytes: number;
  readonly bareLf: BareLf;
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  #consumed = 0;
  #state: 'open' | 'failed' | 'ended' = 'open';

  constructor(options: LineDecoderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.bareLf = options.bareLf ?? 'data';
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new RangeError('maxLineBytes must be a positive integer');
    }
  }

  /** The bytes of the partial line held until its line end arrives (at most maxLineBytes + 1). */
  get bufferedBytes(): number {
    return this.#partBytes;
  }

  /** How many bytes of the stream the decoder has consumed. */
  get offset(): number {
    return this.#consumed;
  }

  /**
   * Every line this chunk completes, in order; each without its line end. Lines are appended
   * to `lines` as they complete, so a caller that passes its own array keeps the lines before
   * a WireError thrown later in the same chunk.
   */
  push(chunk: Uint8Array, lines: Uint8Array[] = []): Uint8Array[] {
    let from = 0;
    if (chunk.length === 0) this.#checkOpen();
    while (from < chunk.length) {
      const read = this.readLine(chunk, from);
      if (read === null) break;
      lines.push(read.line);
      from = read.end;
    }
    return lines;
  }

  /**
   * Reads at most one line from `chunk` starting at `from`: the line and the index after its
   * line end, or `null` when the chunk ran out first (the rest is held as a partial line).
   * This is for framers that switch modes mid-chunk (a POP3 status line, then a body).
   */
  readLine(chunk: Uint8Array, from: number): LineRead | null {
    this.#checkOpen();
    const buf = asBuffer(chunk);
    const limit = this.maxLineBytes;
    const held = this.#partBytes;
    let lf = buf.indexOf(LF, from);
    while (lf !== -1) {
      // The line so far, the LF excluded (the CR before it, if any, included).
      const length = held + (lf - from);
      const crBefore = lf > from ? chunk[lf - 1] === CR : held > 0 && this.#lastHeldByte() === CR;
      if (crBefore || this.bareLf === 'line-end') {
        const contentLength = crBefore ? length - 1 : length;
        if (contentLength > limit) this.#tooLong(limit - held);
        return { line: this.#finish(chunk, from, lf, crBefore), end: lf + 1 };
      }
      if (length >= limit) this.#tooLong(limit - held); // the LF is data: the line goes on
      if (this.bareLf === 'reject') {
        this.#fail('syntax', 'a line ended with a bare LF (no CR before it)', this.#consumed + (lf - from));
      }
      lf = buf.indexOf(LF, lf + 1);
    }
    const length = held + (chunk.length - from);
    if (length > limit + 1 || (length === limit + 1 && chunk[chunk.length - 1] !== CR)) {
      this.#tooLong(limit - held);
    }
    if (chunk.length > from) {
      this.#parts.push(Buffer.from(chunk.subarray(from)));
      this.#partBytes = length;
      this.#consumed += chunk.length - from;
    }
    return null;
  }

  /** Ends the stream: throws a WireError if it ended inside a line. */
  end(): void {
    this.#checkOpen();
    if (this.#partBytes > 0) {
      this.#fail('syntax', 'the stream ended inside a line (no CRLF)', this.#consumed);
    }
    this.#state = 'ended';
  }

  #finish(chunk: Uint8Array, from: number, lf: number, crBefore: boolean): Uint8Array {
    this.#consumed += lf + 1 - from;
    if (this.#partBytes === 0) return chunk.subarray(from, crBefore ? lf - 1 : lf);
    this.#parts.push(chunk.subarray(from, lf));
    const total = this.#partBytes + (lf - from);
    const whole = concatBytes(this.#parts, total);
    this.#parts = [];
    this.#partBytes = 0;
    return crBefore ? whole.subarray(0, total - 1) : whole;
  }

  #lastHeldByte(): number {
    const last = this.#parts[this.#parts.length - 1];
    return last[last.length - 1];
  }

  /** Fails at the first byte past the limit: `room` bytes after the current position. */
  #tooLong(room: number): never {
    this.#fail(
      'line-too-long',
      `a line is longer than maxLineBytes (${this.maxLineBytes})`,
      this.#consumed + Math.max(0, room),
      'maxLineBytes',
    );
  }

  #checkOpen(): void {
    if (this.#state === 'open') return;
    throw new WireError(
      'ended',
      this.#state === 'failed' ? 'the line decoder already failed' : 'the line decoder already ended',
      this.#consumed,
    );
  }

  #fail(reason: 'syntax' | 'line-too-long', message: string, offset: number, limit?: string): never {
    this.#state = 'failed';
    this.#parts = [];
    this.#partBytes = 0;
    throw new WireError(reason, message, offset, limit);
  }
}
