/**
 * POP3 responses as the checks read them off a CheckConnection: a status line, and for a
 * multi-line response the lines up to the "." that ends it (RFC 1939 §3), kept as sent —
 * still dot-stuffed — so a check can judge the stuffing itself.
 */
import type { CheckConnection } from './check-connection.js';

export type MultiLine = { status: string; lines: string[] } | { status: string; closed: true; lines: string[] };

/** The status line, and when it is +OK the lines before the lone "." (closed: the connection ended first). */
export async function readMultiLine(conn: CheckConnection): Promise<MultiLine | null> {
  const status = await conn.line();
  if (status === null) return null;
  if (!status.startsWith('+OK')) return { status, lines: [] };
  const lines: string[] = [];
  for (;;) {
    const line = await conn.line();
    if (line === null) return { status, closed: true, lines };
    if (line === '.') return { status, lines };
    lines.push(line);
  }
}

/** A multi-line response's problem in words, or null: refused, or cut off before its ".". */
export function multiLineProblem(command: string, r: MultiLine | null): string | null {
  if (r === null) return `the connection closed before the answer to ${command}`;
  if (!r.status.startsWith('+OK')) return `${command} was answered ${JSON.stringify(r.status.slice(0, 80))}`;
  if ('closed' in r) return `the connection closed after ${r.lines.length} lines of the ${command} response, before the lone "." that ends it`;
  return null;
}

/** RFC 2449 §5: capa-tag 1*cchar, then parameters separated by single spaces. */
export const CAPA_LINE = /^[\x21-\x7e]+( [\x21-\x7e]+)*$/;
/** RFC 1939 §5: a scan listing, "msg octets" (further information discouraged, allowed). */
export const SCAN_LISTING = /^[1-9]\d* \d+( .*)?$/;
/** RFC 1939 §7: a unique-id listing, "msg uid" with 1-70 characters 0x21-0x7E. */
export const UNIQUE_ID_LISTING = /^[1-9]\d* [\x21-\x7e]{1,70}$/;
