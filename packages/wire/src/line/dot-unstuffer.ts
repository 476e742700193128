/**
 * A DotUnstuffer reads a dot-stuffed body — a POP3 multi-line response (RFC 1939 §3) or
 * SMTP DATA as a server receives it (RFC 5321 §4.5.2) — and streams out the original bytes,
 * up to the terminating line ".CRLF".
 *
 * Theory of operation. The body passes through untouched except at line starts, so the
 * decoder searches each chunk with `Buffer#indexOf` for CR LF "." and emits the runs between
 * as views into the chunk (no copies). The first octet of a line that is "." is dropped
 * (RFC 1939 §3: ".." gives ".", "." followed by other octets loses the dot); a line that is
 * exactly ".CRLF" ends the body. CRLF line ends are kept; the body's last CRLF is the end of
 * its last line and belongs to the body; the ".CRLF" line does not.
 *
 * States carry every case where a chunk boundary falls inside CR LF "." CR LF:
 *   line-start  the last bytes were CRLF (or nothing yet): a "." here is a dot line
 *   dot         a line-start "." was seen and dropped
 *   dot-cr      ".", CR seen: LF ends the body; anything else makes the CR data
 *   mid         inside a line
 *   mid-cr      inside a line, the last byte emitted was CR: LF makes a line start
 * Memory is flat: nothing is held but the state (the dot-cr CR is a shared constant).
 *
 * Only CR LF ends a line. A bare LF or CR is data, so "\n.\n" or "\r.\r" never ends the body
 * (the SMTP smuggling ambiguity); `bareLineEnds: 'reject'` makes them a syntax error instead,
 * for servers that refuse such messages (as Postfix's smtpd_forbid_bare_newline does).
 */
import { WireError } from '../wire-error.js';
import { CR, CRLF_DOT, CR_BYTES, DOT, EMPTY, LF, asBuffer } from './bytes.js';

export interface DotUnstufferOptions {
  /** What a bare CR or LF in the body means: `'data'` (default) or `'reject'` (a syntax error). */
  bareLineEnds?: 'data' | 'reject';
}

/** What one push gave: body pieces, whether the body ended, and the bytes after its end. */
export interface DotUnstuffResult {
  /** The body bytes this chunk carried, in order (views into the chunk where possible). */
  body: Uint8Array[];
  /** True once the ".CRLF" line was read. */
  ended: boolean;
  /** The bytes of the chunk after ".CRLF" (the next response); empty if not ended. */
  rest: Uint8Array;
}

type State = 'line-start' | 'dot' | 'dot-cr' | 'mid' | 'mid-cr' | 'ended' | 'failed';

export class DotUnstuffer {
  readonly bareLineEnds: 'data' | 'reject';
  #state: State = 'line-start';
  #consumed = 0;

  constructor(options: DotUnstufferOptions = {}) {
    this.bareLineEnds = options.bareLineEnds ?? 'data';
  }

  /** True once the terminating ".CRLF" line was read. */
  get ended(): boolean {
    return this.#state === 'ended';
  }

  /** Bytes held back: 1 while a CR after a line-start "." waits for its LF, else 0. */
  get bufferedBytes(): number {
    return this.#state === 'dot-cr' ? 1 : 0;
  }

  /** How many body bytes (stuffed, as received) were consumed, the ".CRLF" line included. */
  get offset(): number {
    return this.#consumed;
  }

  /** Starts a new body (after one ended, or to abandon one). */
  reset(): void {
    this.#state = 'line-start';
    this.#consumed = 0;
  }

  /** Reads body bytes; see DotUnstuffResult. Throws WireError('ended') after the end. */
  push(chunk: Uint8Array): DotUnstuffResult {
    if (this.#state === 'ended' || this.#state === 'failed') {
      throw new WireError('ended', `the dot-stuffed body ${this.#state === 'ended' ? 'already ended' : 'decoder already failed'}`, this.#consumed);
    }
    const body: Uint8Array[] = [];
    const buf = asBuffer(chunk);
    const n = chunk.length;
    const strict = this.bareLineEnds === 'reject';
    let state = this.#state;
    let i = 0;
    while (i < n) {
      const byte = chunk[i];
      if (state === 'line-start') {
        if (byte === DOT) {
          state = 'dot';
          i++;
          continue;
        }
        state = 'mid';
      } else if (state === 'dot') {
        if (byte === CR) {
          state = 'dot-cr';
          i++;
          continue;
        }
        state = 'mid';
      } else if (state === 'dot-cr') {
        if (byte === LF) {
          this.#state = 'ended';
          this.#consumed += i + 1;
          return { body, ended: true, rest: i + 1 < n ? chunk.subarray(i + 1) : EMPTY };
        }
        if (strict) this.#bare(i, 'CR');
        body.push(CR_BYTES);
        state = 'mid-cr';
        continue;
      } else if (state === 'mid-cr') {
        if (byte === LF) {
          body.push(chunk.subarray(i, i + 1));
          state = 'line-start';
          i++;
          continue;
        }
        if (strict) this.#bare(i - 1, 'CR');
        state = 'mid';
      }
      // mid: everything up to the next CR LF "." passes through as one view.
      const at = buf.indexOf(CRLF_DOT, i);
      const stop = at === -1 ? n : at + 2;
      if (strict) this.#checkBare(chunk, i, at === -1 ? n : at);
      body.push(chunk.subarray(i, stop));
      if (at !== -1) {
        state = 'dot';
        i = at + 3;
        continue;
      }
      const last = chunk[n - 1];
      if (last === CR) state = 'mid-cr';
      else if (last === LF && n - 2 >= i && chunk[n - 2] === CR) state = 'line-start';
      else state = 'mid';
      i = n;
    }
    this.#state = state;
    this.#consumed += n;
    return { body, ended: false, rest: EMPTY };
  }

  /** Ends the stream: throws a WireError unless the body already ended. */
  end(): void {
    if (this.#state === 'ended') return;
    this.#state = 'failed';
    throw new WireError('syntax', 'the stream ended inside a dot-stuffed body (no ".CRLF" line)', this.#consumed);
  }

  /** In strict mode: a bare CR or LF in chunk[from, to) is an error (a CR last may wait for LF). */
  #checkBare(chunk: Uint8Array, from: number, to: number): void {
    const buf = asBuffer(chunk);
    for (let lf = buf.indexOf(LF, from); lf !== -1 && lf < to; lf = buf.indexOf(LF, lf + 1)) {
      if (lf === from || chunk[lf - 1] !== CR) this.#bare(lf, 'LF');
    }
    for (let cr = buf.indexOf(CR, from); cr !== -1 && cr < to; cr = buf.indexOf(CR, cr + 1)) {
      if (cr + 1 < chunk.length ? chunk[cr + 1] !== LF : false) this.#bare(cr, 'CR');
    }
  }

  #bare(index: number, what: 'CR' | 'LF'): never {
    this.#state = 'failed';
    throw new WireError('syntax', `a bare ${what} (not part of CRLF) in a dot-stuffed body`, this.#consumed + Math.max(0, index));
  }
}

/**
 * Dot-unstuffs a whole body at once: the original bytes and what followed ".CRLF".
 * Throws WireError('syntax') when the bytes have no ".CRLF" line.
 */
export function dotUnstuff(bytes: Uint8Array, options?: DotUnstufferOptions): { body: Uint8Array; rest: Uint8Array } {
  const decoder = new DotUnstuffer(options);
  const result = decoder.push(bytes);
  if (!result.ended) decoder.end();
  return { body: Buffer.concat(result.body), rest: result.rest };
}
