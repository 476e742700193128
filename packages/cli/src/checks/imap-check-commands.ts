/**
 * The IMAP command lines the behaviour checks send: each legal, harmless (nothing in a
 * mailbox changes) and exactly as long as asked. ID (RFC 2971) is the carrier before login,
 * the one pre-login command that takes strings; after login STATUS and LIST carry them too.
 */

/** RFC 2971 §3.3: field strings of at most 30 octets, values of at most 1024, at most 30 pairs. */
export const ID_VALUE_MAX = 1024;
export const ID_PAIRS_MAX = 30;

/** The tag of every character the grammar allows in one (RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">), "]" included. */
export const EVERY_TAG_CHAR = "mw!#$&',-./:;<=>?@[]^_`|}~9";

export const tagged = (tag: string) => (line: string): boolean => line.startsWith(`${tag} `);
/** The status word of a tagged line ("OK", "NO", "BAD"), upper-cased; '' when there is none. */
export function statusOf(line: string | undefined): string {
  return /^\S+ (OK|NO|BAD)\b/i.exec(line ?? '')?.[1]?.toUpperCase() ?? '';
}

/**
 * `TAG ID ("f1" "xxx" "f2" "xxx" ...)` CRLF, exactly `octets` long: the values spread over
 * as few pairs as RFC 2971's 1024-octet limit allows. Undefined when no legal ID line has
 * that length (longer than 30 pairs can carry, or too short for one pair).
 */
export function idOfLength(tag: string, octets: number): string | undefined {
  const head = `${tag} ID (`;
  const tail = ')\r\n';
  for (let pairs = 1; pairs <= ID_PAIRS_MAX; pairs++) {
    const fields = Array.from({ length: pairs }, (_, i) => `f${i + 1}`);
    const overhead = head.length + tail.length + fields.reduce((n, f) => n + f.length + 5, 0) + (pairs - 1);
    const values = octets - overhead;
    if (values < 0) return undefined;
    if (values > pairs * ID_VALUE_MAX) continue;
    const each = Math.floor(values / pairs);
    const first = values - each * (pairs - 1);
    const body = fields.map((f, i) => `"${f}" "${'x'.repeat(i === 0 ? first : each)}"`).join(' ');
    return `${head}${body}${tail}`;
  }
  return undefined;
}

/** `TAG LIST "" "xxx..."` CRLF, exactly `octets` long: a pattern no mailbox matches, answered OK with no LIST lines. */
export function listOfLength(tag: string, octets: number): string {
  const head = `${tag} LIST "" "mailwire-`;
  return `${head}${'x'.repeat(Math.max(0, octets - head.length - 3))}"\r\n`;
}

/**
 * A command with one string argument sent as a literal: its line up to the literal's
 * announcement, and what follows the literal's octets. ID before login; STATUS INBOX
 * (read-only) after login where ID is not offered.
 */
export interface LiteralCarrier {
  command: 'ID' | 'STATUS';
  /** The text before the literal ("TAG ID (\"name\" "). */
  before(tag: string): string;
  /** The octets of the literal (what the server reads as the string). */
  octets: string;
  /** The rest of the command after the literal, CRLF included. */
  after: string;
}

export const ID_CARRIER: LiteralCarrier = { command: 'ID', before: (tag) => `${tag} ID ("name" `, octets: 'mailwire', after: ')\r\n' };
export const STATUS_CARRIER: LiteralCarrier = { command: 'STATUS', before: (tag) => `${tag} STATUS `, octets: 'INBOX', after: ' (MESSAGES)\r\n' };

/** RFC 7888 §4: the largest non-synchronizing literal a LITERAL- server takes. */
export const LITERAL_MINUS_MAX = 4096;
/** A line inside the over-long literal: a server that runs the literal as commands answers it. */
export const INJECTED_TAG = 'mwlit';

/** 4,097 octets of `mwlit NOOP` lines: one over the LITERAL- limit, and visible if run as commands. */
export function overLimitLiteral(): string {
  const line = `${INJECTED_TAG} NOOP\r\n`;
  const octets = LITERAL_MINUS_MAX + 1;
  const whole = line.repeat(Math.floor(octets / line.length));
  return whole + 'x'.repeat(octets - whole.length);
}
