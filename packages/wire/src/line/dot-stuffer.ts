/**
 * A DotStuffer turns a message into the bytes sent after SMTP DATA (RFC 5321 §4.5.2) or a
 * POP3 multi-line body (RFC 1939 §3): every line that starts with "." gets one more, every
 * line end becomes CRLF, and `end()` adds the terminating ".CRLF" line.
 *
 * Theory of operation. The input streams through in any chunking; output for a chunk is
 * the chunk itself when nothing needs changing (no copy), else one joined buffer. The
 * decoder searches with `Buffer#indexOf` for the next CR and the next LF, and copies the runs
 * between them unchanged. Three rewrites, all so that the receiver sees exactly one
 * end-of-data, at the end:
 *  - a bare LF becomes CRLF (a CR is inserted before it);
 *  - a bare CR becomes CRLF (a LF is inserted after it);
 *  - a "." at the start of a line is doubled.
 * Without the first two, "\n.\n", "\r.\r", "\n.\r\n" or "\r\n.\n" in a message could end
 * DATA early at a lenient server and smuggle what follows as new commands (SMTP smuggling,
 * 2023). State across chunks: `atLineStart` (the last bytes were CRLF, or nothing yet) and
 * `pendingCr` (the chunk ended with CR: whether it is bare depends on the next byte). A
 * pending CR is emitted at once — it is a CR either way — and only its LF may be added
 * later, so nothing is ever held back.
 *
 * `end()` closes the last line with CRLF where the message did not end with a line end,
 * then adds ".CRLF". An empty message gives just ".CRLF". Using a DotStuffer after `end()`
 * is the caller's mistake: a UsageError (EUSAGE), not a WireError.
 */
import { UsageError } from '@mailwire/errors';
import { CR, CRLF_BYTES, CR_BYTES, DOT, DOT_BYTES, DOT_CRLF_BYTES, EMPTY, LF, LF_BYTES, asBuffer, concatBytes } from './bytes.js';

export class DotStuffer {
  #atLineStart = true;
  #pendingCr = false;
  #ended = false;

  /** The stuffed bytes for this chunk (may be the chunk itself when nothing changed). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#ended) throw new UsageError('the DotStuffer already ended: make a new one per message', { protocol: 'wire' });
    const n = chunk.length;
    if (n === 0) return EMPTY;
    const buf = asBuffer(chunk);
    const parts: Uint8Array[] = [];
    let segment = 0; // the start of the run not yet copied to parts
    let i = 0;
    if (this.#pendingCr) {
      this.#pendingCr = false;
      this.#atLineStart = true;
      if (chunk[0] === LF) i = 1;
      else parts.push(LF_BYTES);
    }
    let nextCr = buf.indexOf(CR, i);
    let nextLf = buf.indexOf(LF, i);
    while (i < n) {
      if (this.#atLineStart) {
        this.#atLineStart = false;
        if (chunk[i] === DOT) {
          if (i > segment) parts.push(chunk.subarray(segment, i));
          parts.push(DOT_BYTES);
          segment = i; // the original "." is copied with the run that follows
        }
      }
      if (nextCr !== -1 && nextCr < i) nextCr = buf.indexOf(CR, i);
      if (nextLf !== -1 && nextLf < i) nextLf = buf.indexOf(LF, i);
      if (nextCr === -1 && nextLf === -1) break;
      if (nextLf !== -1 && (nextCr === -1 || nextLf < nextCr)) {
        // A LF with no CR before it: insert the CR.
        if (nextLf > segment) parts.push(chunk.subarray(segment, nextLf));
        parts.push(CR_BYTES);
        segment = nextLf;
        i = nextLf + 1;
      } else if (nextCr + 1 === n) {
        // A CR last in the chunk: the next chunk says whether it is bare.
        this.#pendingCr = true;
        i = n;
        break;
      } else if (chunk[nextCr + 1] === LF) {
        i = nextCr + 2;
      } else {
        // A CR with no LF after it: insert the LF.
        parts.push(chunk.subarray(segment, nextCr + 1));
        parts.push(LF_BYTES);
        segment = nextCr + 1;
        i = nextCr + 1;
      }
      this.#atLineStart = true;
    }
    if (segment === 0 && parts.length === 0) return chunk;
    if (segment < n) parts.push(chunk.subarray(segment));
    return concatBytes(parts);
  }

  /** The closing bytes: CRLF if the last line was not ended, then ".CRLF". */
  end(): Uint8Array {
    if (this.#ended) throw new UsageError('the DotStuffer already ended: make a new one per message', { protocol: 'wire' });
    this.#ended = true;
    if (this.#pendingCr) return Buffer.concat([LF_BYTES, DOT_CRLF_BYTES]);
    if (!this.#atLineStart) return Buffer.concat([CRLF_BYTES, DOT_CRLF_BYTES]);
    return Buffer.from(DOT_CRLF_BYTES);
  }
}

/** Dot-stuffs a whole message at once, the terminating ".CRLF" included. */
export function dotStuff(message: Uint8Array): Uint8Array {
  const stuffer = new DotStuffer();
  return Buffer.concat([stuffer.push(message), stuffer.end()]);
}
