/**
 * CommandArg is one argument of an IMAP command as data, before the encoder decides its
 * wire form (RFC 9051 §4.3): an atom, an astring (atom, quoted or literal by content), a
 * mailbox name, a literal, a parenthesised list, a number, a sequence set, or a raw
 * token the caller built from validated pieces.
 */
import { UsageError } from '@mailwire/errors';

import type { SequenceSet } from './sequence-set.js';

/** The bytes of a literal: known up front, or streamed from an async source of known size. */
export type LiteralSource = Uint8Array | { size: number; source: AsyncIterable<Uint8Array> };

export type CommandArg =
  /** Sent as is; must be ATOM-CHARs (a command name, a flag, a keyword, a FETCH item list). */
  | { type: 'atom'; value: string }
  /** An astring (RFC 9051 §9): atom, quoted or literal chosen by content. */
  | { type: 'string'; value: string | Uint8Array; secret?: boolean; preferQuoted?: boolean }
  /** A mailbox name: "INBOX" case-insensitively, modified UTF-7 unless UTF8=ACCEPT is on. */
  | { type: 'mailbox'; value: string; wildcards?: boolean }
  /** A literal (an APPEND message); `binary` makes it literal8 (RFC 3516) where BINARY is offered. */
  | { type: 'literal'; value: LiteralSource; binary?: boolean; secret?: boolean }
  | { type: 'list'; items: CommandArg[] }
  | { type: 'number'; value: number | bigint }
  | { type: 'sequence'; value: SequenceSet };

/** An atom: ATOM-CHARs only (RFC 9051 §9), checked now. */
export function atom(value: string): CommandArg {
  if (!isAtom(value, true)) throw new UsageError(`Not an IMAP atom: ${JSON.stringify(value.slice(0, 60))}`, { protocol: 'imap' });
  return { type: 'atom', value };
}

/** An astring: the encoder picks atom, quoted or literal. */
export function str(value: string | Uint8Array, options: { secret?: boolean; preferQuoted?: boolean } = {}): CommandArg {
  return { type: 'string', value, ...options };
}

/** A mailbox name (RFC 9051 §5.1); `wildcards` keeps `*` and `%` as LIST patterns. */
export function mailbox(value: string, wildcards = false): CommandArg {
  return { type: 'mailbox', value, wildcards };
}

export function literal(value: LiteralSource, options: { binary?: boolean; secret?: boolean } = {}): CommandArg {
  return { type: 'literal', value, ...options };
}

export function list(items: CommandArg[]): CommandArg {
  return { type: 'list', items };
}

export function num(value: number | bigint): CommandArg {
  if (typeof value === 'number' && (!Number.isInteger(value) || value < 0)) {
    throw new UsageError(`Not a non-negative integer: ${value}`, { protocol: 'imap' });
  }
  if (typeof value === 'bigint' && value < 0n) throw new UsageError(`Not a non-negative integer: ${value}`, { protocol: 'imap' });
  return { type: 'number', value };
}

export function seq(value: SequenceSet): CommandArg {
  return { type: 'sequence', value };
}

/**
 * True when `c` is an ATOM-CHAR (RFC 9051 §9):
 *
 *   ATOM-CHAR    = <any CHAR except atom-specials>
 *   atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
 */
export function isAtomChar(c: number): boolean {
  if (c <= 0x20 || c >= 0x7f) return false;
  return c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== 0x25 && c !== 0x2a && c !== 0x22 && c !== 0x5c && c !== 0x5d;
}

/**
 * True for a token safe to send bare: ATOM-CHARs only, or with `loose` also the specials a
 * caller legitimately puts in a bare token — a flag (`\Seen`), a FETCH item
 * (`BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>`), wildcards and spaces. Either way CTL
 * (CR, LF, NUL), 8-bit, `{` and `"` are refused, so a bare token can never end a command
 * line or open a literal.
 */
export function isAtom(value: string, loose = false): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (isAtomChar(c)) continue;
    if (!loose) return false;
    // loose: the specials a caller legitimately puts in a bare token
    if (c === 0x5c || c === 0x5d || c === 0x28 || c === 0x29 || c === 0x2a || c === 0x25 || c === 0x20) continue;
    return false;
  }
  return true;
}
