/**
 * A Pop3ResponseDecoder frames POP3 server responses (RFC 1939 §3): status lines
 * ("+OK text" / "-ERR text"), SASL continuations ("+ base64", RFC 5034 §4), and the
 * dot-stuffed body that follows "+OK" when the command has a multi-line response.
 *
 *   status-line   = ("+OK" / "-ERR") [SP text] CRLF
 *   continue-req  = "+" [SP [base64]] CRLF                ; RFC 5034
 *   multi-line    = status-line *body-line "." CRLF      ; only after +OK
 *
 * Theory of operation. Whether a "+OK" is followed by a body cannot be read from the bytes;
 * the session knows from its command (LIST with no argument does, LIST 1 does not). So the
 * session calls `expect('multi-line')` or `expect('single-line')` once per command, in the
 * order it sends them (PIPELINING, RFC 2449, works); each +OK/-ERR takes the next
 * expectation, a continuation takes none, and a status with no expectation queued (the
 * greeting) is single-line. In `status` mode bytes go through a LineDecoder (CRLF, bare LF
 * rejected by default, maxLineBytes); after a +OK that expects a body, the rest of the same
 * chunk goes to a DotUnstuffer, whose pieces come out as `body-chunk` frames (views into
 * the pushed chunk) and whose end is a `body-end` frame; what follows ".CRLF" goes back to
 * status mode. A -ERR never has a body. Memory is flat for any body size: body bytes are
 * never held (see DotUnstuffer), status lines are bounded by maxLineBytes.
 *
 * Decisions. Status indicators are matched exactly and in upper case, as RFC 1939 requires,
 * and must be followed by SP or the line end ("+OKAY" is a syntax error). Text is UTF-8 with
 * malformed bytes replaced (RFC 6856). Line length defaults to 8192, above RFC 1939's 512,
 * because SASL challenges (RFC 5034) can be longer.
 */
import { WireError } from '../wire-error.js';
import { SP, decodeText } from './bytes.js';
import { DotUnstuffer } from './dot-unstuffer.js';
import { LineDecoder, DEFAULT_MAX_LINE_BYTES } from './line-decoder.js';
import type { BareLf } from './line-decoder.js';

/** Whether a command's +OK is followed by a dot-terminated body. */
export type Pop3ResponseShape = 'single-line' | 'multi-line';

/** One frame of a POP3 response stream. */
export type Pop3Frame =
  /** "+OK" (`ok: true`) or "-ERR"; `body: true` when body-chunk frames and a body-end follow. */
  | { kind: 'status'; ok: boolean; text: string; body: boolean }
  /** A SASL server challenge "+ <base64>" (the text after "+ "; may be empty). */
  | { kind: 'continuation'; text: string }
  /** The next bytes of a multi-line body, dot-unstuffed, CRLF line ends kept. */
  | { kind: 'body-chunk'; bytes: Uint8Array }
  /** The body ended (its ".CRLF" line was read; it is not in the body). */
  | { kind: 'body-end' };

export interface Pop3ResponseDecoderOptions {
  /** The longest status or continuation line, in bytes, without CRLF. Default 8192. */
  maxLineBytes?: number;
  /** What a LF without CR in a status line means. Default `'reject'`. */
  bareLf?: BareLf;
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const OK = [0x2b, 0x4f, 0x4b]; // "+OK"
const ERR = [0x2d, 0x45, 0x52, 0x52]; // "-ERR"

export class Pop3ResponseDecoder {
  #lines: LineDecoder;
  #body = new DotUnstuffer();
  #inBody = false;
  #bodyBytes = 0;
  #expected: Pop3ResponseShape[] = [];
  #failed = false;

  constructor(options: Pop3ResponseDecoderOptions = {}) {
    this.#lines = new LineDecoder({
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      bareLf: options.bareLf ?? 'reject',
    });
  }

  /** Says what the response to the next command sent will be; call once per command, in order. */
  expect(shape: Pop3ResponseShape): void {
    this.#expected.push(shape);
  }

  /** How many expected responses have not arrived yet. */
  get pendingResponses(): number {
    return this.#expected.length;
  }

  /** True while a multi-line body is being read. */
  get inBody(): boolean {
    return this.#inBody;
  }

  /** Bytes held: a partial status line, or the one CR a body may hold back. */
  get bufferedBytes(): number {
    return this.#lines.bufferedBytes + this.#body.bufferedBytes;
  }

  /**
   * Every frame this chunk completes, in order, appended to `frames` as each completes (pass
   * your own array to keep the frames before a WireError thrown later in the same chunk).
   */
  push(chunk: Uint8Array, frames: Pop3Frame[] = []): Pop3Frame[] {
    if (this.#failed) throw new WireError('ended', 'the POP3 response decoder already failed', this.#offset());
    let rest = chunk;
    if (rest.length === 0) this.#guard(() => this.#lines.push(rest));
    while (rest.length > 0) {
      if (this.#inBody) {
        const result = this.#guard(() => this.#body.push(rest));
        for (const bytes of result.body) frames.push({ kind: 'body-chunk', bytes });
        if (!result.ended) break;
        this.#bodyBytes += this.#body.offset;
        this.#inBody = false;
        frames.push({ kind: 'body-end' });
        rest = result.rest;
        continue;
      }
      const read = this.#guard(() => this.#lines.readLine(rest, 0));
      if (read === null) break;
      frames.push(this.#statusLine(read.line));
      rest = rest.subarray(read.end);
    }
    return frames;
  }

  /** Ends the stream: throws a WireError if it ended inside a line or a body. */
  end(): void {
    if (this.#failed) throw new WireError('ended', 'the POP3 response decoder already failed', this.#offset());
    if (this.#inBody) this.#guard(() => this.#body.end());
    this.#guard(() => this.#lines.end());
  }

  #statusLine(line: Uint8Array): Pop3Frame {
    if (startsWith(line, OK)) {
      const text = this.#text(line, OK.length);
      const body = (this.#expected.shift() ?? 'single-line') === 'multi-line';
      if (body) {
        this.#inBody = true;
        this.#body.reset();
      }
      return { kind: 'status', ok: true, text, body };
    }
    if (startsWith(line, ERR)) {
      const text = this.#text(line, ERR.length);
      this.#expected.shift();
      return { kind: 'status', ok: false, text, body: false };
    }
    if (line.length > 0 && line[0] === PLUS) {
      return { kind: 'continuation', text: this.#text(line, 1) };
    }
    const what = line.length > 0 && line[0] === MINUS ? 'a "-" line that is not -ERR' : 'a line that is not +OK, -ERR or "+ "';
    return this.#fail(`the server sent ${what}`);
  }

  /** The text after an indicator of `at` bytes: SP or the line end must follow it. */
  #text(line: Uint8Array, at: number): string {
    if (line.length === at) return '';
    if (line[at] !== SP) this.#fail('a status indicator is not followed by SP or the line end');
    return decodeText(line, at + 1);
  }

  #offset(): number {
    return this.#lines.offset + this.#bodyBytes + (this.#inBody ? this.#body.offset : 0);
  }

  #guard<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      this.#failed = true;
      throw error;
    }
  }

  #fail(message: string): never {
    this.#failed = true;
    throw new WireError('syntax', message, this.#offset());
  }
}

function startsWith(line: Uint8Array, prefix: readonly number[]): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix[i]) return false;
  return true;
}
