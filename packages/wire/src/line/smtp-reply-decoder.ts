/**
 * An SmtpReplyDecoder frames SMTP replies (RFC 5321 §4.2): one or more lines with the same
 * three-digit code, every line but the last with "-" after the code.
 *
 *   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *                   Reply-code [ SP textstring ] CRLF
 *   Reply-code = %x32-35 %x30-35 %x30-39
 *
 * Theory of operation. Lines come from a LineDecoder (CRLF only; a bare LF is a syntax
 * error by default, `bareLf: 'line-end'` tolerates a broken server). Each line is checked
 * and its text collected until a line whose code is followed by SP or by the line end; then
 * the reply is emitted as `{ code, lines }`. Replies sent back to back (PIPELINING, RFC 2920)
 * come out in order from one push. Held bytes are bounded: one partial line
 * (maxLineBytes + 1) plus at most maxReplyLines lines of text.
 *
 * Decisions. The first digit must be 2-5 and the others any digit (the RFC's second digit
 * 0-5 is not enforced: the framing does not depend on it). The text after the separator is
 * decoded as UTF-8 (SMTPUTF8, RFC 6531) with malformed bytes replaced by U+FFFD. Line length
 * defaults to 8192 bytes, well above the RFC's 512 (§4.5.3.1.5), because real servers and
 * large SASL challenges (334) pass 512.
 */
import { WireError } from '../wire-error.js';
import { SP, decodeText } from './bytes.js';
import { LineDecoder, DEFAULT_MAX_LINE_BYTES } from './line-decoder.js';
import type { BareLf } from './line-decoder.js';

/** One SMTP reply: its code and the text of each line (after the code and separator). */
export interface SmtpReplyFrame {
  code: number;
  lines: string[];
}

export interface SmtpReplyDecoderOptions {
  /** The longest reply line, in bytes, without CRLF. Default 8192. */
  maxLineBytes?: number;
  /** The most lines in one reply. Default 1000. */
  maxReplyLines?: number;
  /** What a LF without CR means. Default `'reject'` (a syntax error). */
  bareLf?: BareLf;
}

export const DEFAULT_MAX_REPLY_LINES = 1000;

const HYPHEN = 0x2d;
const DIGIT_0 = 0x30;

export class SmtpReplyDecoder {
  readonly maxReplyLines: number;
  #lines: LineDecoder;
  #code = 0;
  #text: string[] = [];
  #textBytes = 0;
  #failed = false;

  constructor(options: SmtpReplyDecoderOptions = {}) {
    this.maxReplyLines = options.maxReplyLines ?? DEFAULT_MAX_REPLY_LINES;
    if (!Number.isInteger(this.maxReplyLines) || this.maxReplyLines < 1) {
      throw new RangeError('maxReplyLines must be a positive integer');
    }
    this.#lines = new LineDecoder({
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      bareLf: options.bareLf ?? 'reject',
    });
  }

  /** Bytes held: the partial line plus the lines of an unfinished multi-line reply. */
  get bufferedBytes(): number {
    return this.#lines.bufferedBytes + this.#textBytes;
  }

  /**
   * Every reply this chunk completes, in order, appended to `replies` as each completes (pass
   * your own array to keep the replies before a WireError thrown later in the same chunk).
   */
  push(chunk: Uint8Array, replies: SmtpReplyFrame[] = []): SmtpReplyFrame[] {
    this.#checkOpen();
    let from = 0;
    if (chunk.length === 0) this.#lines.push(chunk);
    while (from < chunk.length) {
      const read = this.#guard(() => this.#lines.readLine(chunk, from));
      if (read === null) break;
      const reply = this.#line(read.line);
      if (reply !== undefined) replies.push(reply);
      from = read.end;
    }
    return replies;
  }

  /** Ends the stream: throws a WireError if it ended inside a reply. */
  end(): void {
    this.#checkOpen();
    this.#guard(() => this.#lines.end());
    if (this.#text.length > 0) {
      this.#fail('syntax', 'the stream ended inside a multi-line reply');
    }
  }

  #line(line: Uint8Array): SmtpReplyFrame | undefined {
    const code = replyCode(line);
    if (code === -1) this.#fail('syntax', 'a reply line does not start with a reply code 200-599');
    const separator = line.length > 3 ? line[3] : SP;
    if (separator !== SP && separator !== HYPHEN) {
      this.#fail('syntax', 'a reply code is not followed by SP, "-" or the line end');
    }
    if (this.#text.length > 0 && code !== this.#code) {
      this.#fail('syntax', `a multi-line reply changed its code from ${this.#code} to ${code}`);
    }
    if (this.#text.length >= this.maxReplyLines) {
      this.#fail('too-many-lines', `a reply has more than maxReplyLines (${this.maxReplyLines}) lines`, 'maxReplyLines');
    }
    this.#code = code;
    this.#text.push(line.length > 4 ? decodeText(line, 4) : '');
    if (separator === HYPHEN) {
      this.#textBytes += line.length;
      return undefined;
    }
    const reply = { code, lines: this.#text };
    this.#text = [];
    this.#textBytes = 0;
    return reply;
  }

  #guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      this.#failed = true;
      throw error;
    }
  }

  #checkOpen(): void {
    if (this.#failed) throw new WireError('ended', 'the SMTP reply decoder already failed', this.#lines.offset);
  }

  #fail(reason: 'syntax' | 'too-many-lines', message: string, limit?: string): never {
    this.#failed = true;
    this.#text = [];
    this.#textBytes = 0;
    throw new WireError(reason, message, this.#lines.offset, limit);
  }
}

/** The reply code at the start of a line (first digit 2-5, then two digits), or -1. */
function replyCode(line: Uint8Array): number {
  if (line.length < 3) return -1;
  const a = line[0] - DIGIT_0;
  const b = line[1] - DIGIT_0;
  const c = line[2] - DIGIT_0;
  if (a < 2 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}
