/**
 * Encodes POP3 commands (RFC 1939 §3): a keyword, arguments separated by single spaces,
 * CRLF. Arguments are the caller's data, so CR, LF and NUL in any of them — the bytes
 * that would end the command early and smuggle in another (command injection) — are
 * refused with a UsageError before anything is written. A keyword is 3-4 letters; an
 * argument may hold spaces only for PASS (RFC 1939 §7: the password is the rest of the line).
 */
import { UsageError } from '@mailwire/errors';

const encoder = new TextEncoder();
const FORBIDDEN = /[\r\n\0]/;
const KEYWORD = /^[A-Za-z]{3,4}$/;

/** One command as a line without CRLF; throws UsageError on a bad keyword or argument. */
export function commandLine(keyword: string, args: readonly (string | number)[] = []): string {
  if (!KEYWORD.test(keyword)) throw new UsageError(`"${keyword}" is not a POP3 command keyword`, { protocol: 'pop3' });
  const parts = [keyword.toUpperCase()];
  for (const arg of args) {
    const s = String(arg);
    if (FORBIDDEN.test(s)) {
      throw new UsageError(`A ${keyword.toUpperCase()} argument holds CR, LF or NUL; refusing to send it (it would inject a command)`, { protocol: 'pop3' });
    }
    if (s === '') throw new UsageError(`A ${keyword.toUpperCase()} argument is empty`, { protocol: 'pop3' });
    parts.push(s);
  }
  return parts.join(' ');
}

/** A line (a command or a SASL response) with its CRLF, as bytes; throws UsageError on CR/LF/NUL. */
export function encodeLine(line: string): Uint8Array {
  if (FORBIDDEN.test(line)) throw new UsageError('A POP3 line holds CR, LF or NUL; refusing to send it', { protocol: 'pop3' });
  return encoder.encode(`${line}\r\n`);
}

/** The command's bytes, CRLF included. */
export function encodeCommand(keyword: string, args: readonly (string | number)[] = []): Uint8Array {
  return encodeLine(commandLine(keyword, args));
}
