// The baseline: the least work that still finds every response boundary. Buffer.indexOf for
// LF, a look at the line's end for a literal marker {n}, then skip n bytes (across chunks)
// without looking at them. No tokens, no values. Any real parser does at least this much.
//
// With `collect`, it also hands back each whole response as one Buffer (literals inline),
// which is how emailjs-imap-client frames input before its parser sees it.

const LF = 10, CR = 13, OPEN = 0x7b, CLOSE = 0x7d, STAR = 0x2a;

export class ScanFramer {
  constructor({ collect = null } = {}) {
    this.collect = collect; // (response: Buffer) => void
    this.carry = null; // bytes of the current line seen in earlier chunks
    this.parts = collect ? [] : null; // pieces of the current response
    this.literalLeft = 0;
    this.untagged = 0;
    this.tagged = 0;
    this.literals = 0;
    this.literalBytes = 0;
    this.firstByte = -1; // first byte of the current response
  }

  push(chunk) {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.literalLeft > 0) {
        const n = Math.min(this.literalLeft, len - pos);
        if (this.parts) this.parts.push(chunk.subarray(pos, pos + n));
        this.literalLeft -= n;
        pos += n;
        continue;
      }
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) {
        const rest = chunk.subarray(pos);
        this.carry = this.carry ? Buffer.concat([this.carry, rest]) : rest;
        if (this.firstByte < 0) this.firstByte = this.carry[0];
        return;
      }
      let line = chunk.subarray(pos, lf + 1);
      if (this.carry) {
        line = Buffer.concat([this.carry, line]);
        this.carry = null;
      }
      pos = lf + 1;
      if (this.firstByte < 0) this.firstByte = line[0];
      if (this.parts) this.parts.push(line);
      const size = literalMarker(line);
      if (size >= 0) {
        this.literalLeft = size;
        this.literals++;
        this.literalBytes += size;
        continue;
      }
      if (this.firstByte === STAR) this.untagged++;
      else this.tagged++;
      this.firstByte = -1;
      if (this.parts) {
        this.collect(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts));
        this.parts = [];
      }
    }
  }
}

/** The n of a trailing `{n}\r\n` (or `{n+}`), else -1. */
function literalMarker(line) {
  let i = line.length - 2;
  if (i < 0 || line[i] !== CR) i++;
  i--;
  if (i < 2 || line[i] !== CLOSE) return -1;
  let end = i;
  if (line[i - 1] === 0x2b) end = --i; // LITERAL+
  let n = 0, mul = 1;
  for (i--; i >= 0; i--) {
    const c = line[i];
    if (c === OPEN) return i < end - 1 ? n : -1;
    if (c < 0x30 || c > 0x39) return -1;
    n += (c - 0x30) * mul;
    mul *= 10;
  }
  return -1;
}
