/**
 * The text of a POP3 status line ("+OK text" / "-ERR text", framed by the wire
 * Pop3ResponseDecoder), with its RFC 2449 §8 extended response code split off:
 *
 *   resp-code  = "[" resp-level *("/" resp-level) "]"
 *   resp-level = 1*<any CHAR except "/" and "]">
 *
 * Known codes: IN-USE, LOGIN-DELAY (RFC 2449), SYS/TEMP, SYS/PERM (RFC 3206), AUTH
 * (RFC 3206). Unknown codes are kept as they are, upper-cased; a "[" that does not close
 * on a valid code is ordinary text (Exchange's greeting ends in "[base64]", which is not
 * at the start, so it is text too).
 */

/** A status line's text with its response code, if any. */
export interface Pop3Status {
  ok: boolean;
  /** The RFC 2449 response code, upper-cased, e.g. "IN-USE", "SYS/TEMP". */
  code?: string;
  /** The human-readable text after the code. */
  text: string;
  /** The whole text after "+OK "/"-ERR ", code included. */
  line: string;
}

const RESP_CODE = /^\[([\x21-\x2e\x30-\x5c\x5e-\x7e]+(?:\/[\x21-\x2e\x30-\x5c\x5e-\x7e]+)*)\](?: |$)/;

/** The well-known response codes (RFC 2449, RFC 3206). */
export const KNOWN_RESP_CODES: ReadonlySet<string> = new Set(['IN-USE', 'LOGIN-DELAY', 'SYS/TEMP', 'SYS/PERM', 'AUTH']);

/** Splits the response code off a status line's text. */
export function parseStatus(ok: boolean, text: string): Pop3Status {
  const m = RESP_CODE.exec(text);
  if (m === null) return { ok, text, line: text };
  return { ok, code: m[1]!.toUpperCase(), text: text.slice(m[0].length), line: text };
}
