/**
 * Strict base64 (RFC 4648 §4) for SASL, and the UTF-8 helpers every mechanism shares.
 *
 * SASL framings carry base64 of the mechanism's bytes (RFC 4422 §5, RFC 9051 §6.2.2,
 * RFC 5034 §4, RFC 4954 §4). A peer's base64 is checked, not repaired: only the standard
 * alphabet, a length that is a multiple of four, at most two `=` and only at the end,
 * and zero bits where the last character has bits to spare (the canonical form). Node's
 * own decoder skips bad characters and missing padding, which is how a truncated token
 * becomes a different one; this one refuses instead.
 */
import { SaslError } from './sasl-error.js';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A 128-entry table: the 6-bit value of a base64 character, or -1. */
const VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Encodes bytes as standard, padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Returns the reason `text` is not strict canonical base64, or null when it is. */
export function base64Problem(text: string): string | null {
  const n = text.length;
  if (n % 4 !== 0) return 'length is not a multiple of 4';
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 0x3d) pad = text.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  for (let i = 0; i < n - pad; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || VALUES[c] === -1) return `bad character at offset ${i}`;
  }
  if (pad > 0) {
    // The character before the padding must not carry bits past the last whole byte.
    const last = VALUES[text.charCodeAt(n - pad - 1)]!;
    if ((pad === 1 && (last & 0x03) !== 0) || (pad === 2 && (last & 0x0f) !== 0)) return 'non-canonical final character';
  }
  return null;
}

/**
 * Decodes strict base64; throws SaslError ESASLDECODE (reason 'bad-base64') otherwise.
 * The empty string is zero bytes.
 */
export function decodeBase64Strict(text: string, mechanism?: string): Uint8Array {
  const problem = base64Problem(text);
  if (problem !== null) {
    throw new SaslError('ESASLDECODE', `${mechanism ? `${mechanism}: ` : ''}not base64 (${problem})`, {
      reason: 'bad-base64',
      ...(mechanism === undefined ? {} : { mechanism }),
    });
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 strictly; returns null for invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

