/**
 * IMAP output atoms (RFC 9051 §4): nstring as NIL, a quoted string, or a literal where
 * quoting cannot carry the bytes; parenthesized lists. Server-side only.
 */

/** A string as `"quoted"` when it can be, else as a literal `{n}\r\n` + bytes (RFC 9051 §4.3). */
export function imapString(value: string | Buffer): string {
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (/^[\x20-\x7e]*$/.test(text) && text.length < 1000) return `"${text.replace(/(["\\])/g, '\\$1')}"`;
  return `{${Buffer.byteLength(text, 'latin1')}}\r\n${text}`;
}

/** nstring: NIL for null/undefined. */
export function nstring(value: string | Buffer | null | undefined): string {
  return value === null || value === undefined ? 'NIL' : imapString(value);
}

/** A parenthesized list of already-formatted items, or NIL when empty and `nilIfEmpty`. */
export function list(items: string[], nilIfEmpty = false): string {
  return items.length === 0 && nilIfEmpty ? 'NIL' : `(${items.join(' ')})`;
}

/** A mailbox name as an astring: an atom when it is one, else quoted (RFC 9051 §9 astring). */
export function mailboxName(name: string): string {
  return /^[A-Za-z0-9._\-/]+$/.test(name) ? name : imapString(name);
}

/** The date-time of INTERNALDATE: "dd-Mon-yyyy hh:mm:ss +0000" (RFC 9051 §9 date-time). */
export function imapDateTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `"${p(d.getUTCDate())}-${months[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}
