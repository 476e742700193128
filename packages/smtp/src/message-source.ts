/**
 * The message a caller hands to send(): bytes, a string (sent as UTF-8), or an async
 * iterable of chunks that is read as it is sent, so a message of any size passes through
 * with flat memory.
 */
export type MessageSource = Uint8Array | string | AsyncIterable<Uint8Array>;

/** The whole message when it is already in memory, else null. */
export function inMemory(message: MessageSource): Uint8Array | null {
  if (typeof message === 'string') return Buffer.from(message, 'utf8');
  if (message instanceof Uint8Array) return message;
  return null;
}

/** True when any byte has the high bit set (BODY=8BITMIME is needed, RFC 6152). */
export function hasEightBit(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return true;
  return false;
}

/** True when the address needs SMTPUTF8 (RFC 6531). */
export function needsSmtpUtf8(address: string): boolean {
  return /[^\x00-\x7f]/.test(address);
}
