/**
 * The arithmetic and message syntax SCRAM-SHA-256 shares between client and server
 * (RFC 5802 §3 and §7, with SHA-256 per RFC 7677).
 *
 *   SaltedPassword  := Hi(password, salt, i)              ; PBKDF2-HMAC-SHA-256
 *   ClientKey       := HMAC(SaltedPassword, "Client Key")
 *   StoredKey       := H(ClientKey)
 *   AuthMessage     := client-first-bare "," server-first "," client-final-without-proof
 *   ClientSignature := HMAC(StoredKey, AuthMessage)
 *   ClientProof     := ClientKey XOR ClientSignature
 *   ServerKey       := HMAC(SaltedPassword, "Server Key")
 *   ServerSignature := HMAC(ServerKey, AuthMessage)
 *
 * Passwords and names are used as UTF-8 without SASLprep (RFC 4013); both sides of this
 * library agree, and ASCII credentials are unaffected.
 */
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { utf8 } from './base64.js';

export const SCRAM_NAME = 'SCRAM-SHA-256';

/** The iteration count the server side uses (RFC 7677 §4 asks for at least 4096). */
export const SCRAM_SERVER_ITERATIONS = 4096;

/** The highest iteration count a client accepts, so a hostile server cannot burn its CPU. */
export const SCRAM_MAX_ITERATIONS = 600_000;

export interface ScramKeys {
  storedKey: Buffer;
  serverKey: Buffer;
  clientKey: Buffer;
}

/** Derives the SCRAM keys from a password, salt and iteration count. */
export function scramKeys(password: string, salt: Uint8Array, iterations: number): ScramKeys {
  const salted = pbkdf2Sync(utf8(password), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

export function hmac(key: Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(typeof data === 'string' ? utf8(data) : data).digest();
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Compares two byte strings in constant time for equal lengths. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Splits `k=v,k=v` SCRAM attributes into an ordered list; null when an attribute is not
 * a single letter followed by `=`.
 */
export function parseAttributes(text: string): { key: string; value: string }[] | null {
  const out: { key: string; value: string }[] = [];
  for (const part of text.split(',')) {
    if (part.length < 2 || part[1] !== '=' || !/^[A-Za-z]$/.test(part[0]!)) return null;
    out.push({ key: part[0]!, value: part.slice(2) });
  }
  return out;
}

/** A printable nonce: `c-nonce = printable` without ",", RFC 5802 §7. */
export function isValidNonce(nonce: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce);
}
