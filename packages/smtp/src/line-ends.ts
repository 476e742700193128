/**
 * CrlfNormalizer makes every line end CRLF in a stream of any chunking: a bare LF gets its
 * CR, a bare CR its LF. It is what DotStuffer does without the dots, for BDAT (RFC 3030),
 * whose data is counted, not terminated, and so needs no dot-stuffing — but a lone CR or
 * LF must still never reach a server that could read it as a line end (SMTP smuggling).
 * A CR last in a chunk is emitted at once; only its LF may be added by the next push.
 */
const CR = 0x0d;
const LF = 0x0a;

export class CrlfNormalizer {
  #pendingCr = false;
  #atLineStart = true;

  push(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return chunk;
    let extra = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === LF && !(i === 0 ? this.#pendingCr : chunk[i - 1] === CR)) extra++;
      else if (b === CR && i + 1 < chunk.length && chunk[i + 1] !== LF) extra++;
    }
    if (this.#pendingCr && chunk[0] !== LF) extra++;
    let out: Uint8Array = chunk;
    if (extra > 0) {
      out = new Uint8Array(chunk.length + extra);
      let o = 0;
      if (this.#pendingCr && chunk[0] !== LF) out[o++] = LF;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === LF && !(i === 0 ? this.#pendingCr : chunk[i - 1] === CR)) out[o++] = CR;
        out[o++] = b;
        if (b === CR && i + 1 < chunk.length && chunk[i + 1] !== LF) out[o++] = LF;
      }
    }
    const last = chunk[chunk.length - 1]!;
    this.#pendingCr = last === CR;
    this.#atLineStart = last === LF;
    return out;
  }

  /** What closes the stream: the LF of a CR left last, or CRLF after an unended last line. */
  end(): Uint8Array {
    if (this.#pendingCr) return Uint8Array.of(LF);
    if (!this.#atLineStart) return Uint8Array.of(CR, LF);
    return new Uint8Array(0);
  }
}
