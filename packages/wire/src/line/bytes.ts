/**
 * Byte helpers shared by the line-based framers (POP3, SMTP): the CR, LF and "." octets,
 * a zero-copy Buffer view for `indexOf`, concatenation, and the one text decoding the
 * framers use.
 */

export const CR = 0x0d;
export const LF = 0x0a;
export const DOT = 0x2e;
export const SP = 0x20;

/** The bytes CR LF "." — the start of every line that needs dot handling (RFC 5321 §4.5.2). */
export const CRLF_DOT: Buffer = Buffer.from('\r\n.', 'latin1');
/** A lone CR, LF, "." and CR LF, shared (never mutated) so inserting them allocates nothing. */
export const CR_BYTES: Buffer = Buffer.from([CR]);
export const LF_BYTES: Buffer = Buffer.from([LF]);
export const DOT_BYTES: Buffer = Buffer.from([DOT]);
export const CRLF_BYTES: Buffer = Buffer.from([CR, LF]);
/** The end-of-data line ".CRLF" (RFC 5321 §4.1.1.4, RFC 1939 §3). */
export const DOT_CRLF_BYTES: Buffer = Buffer.from([DOT, CR, LF]);
export const EMPTY: Buffer = Buffer.alloc(0);

/**
 * A Buffer over the same memory as `bytes` (no copy), so the native `Buffer#indexOf`
 * (memchr for one byte, a substring search for a pattern) can be used on any Uint8Array.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Joins byte arrays into one; returns the only part itself when there is just one. */
export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  if (parts.length === 0) return EMPTY;
  return Buffer.concat(parts as Uint8Array[], total);
}

/**
 * Server text as a string: UTF-8, because SMTPUTF8 (RFC 6531) and POP3 UTF8 (RFC 6856)
 * servers send it, with every malformed sequence replaced by U+FFFD rather than failing —
 * the text is for people and logs, the framing never depends on it.
 */
export function decodeText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return asBuffer(bytes).toString('utf8', start, end);
}
