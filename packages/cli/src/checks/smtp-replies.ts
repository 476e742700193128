/**
 * SMTP replies as the checks read them: raw lines off a CheckConnection, judged against
 * the reply grammar of RFC 5321 §4.2 — every line carries the same three-digit code,
 * "-" after it on all lines but the last, which has a space (or nothing) there.
 */
import type { CheckConnection } from './check-connection.js';
import { smtpLast } from './open-for-checks.js';

/** One reply's lines (up to the first "ddd " line); null when the connection closed first. */
export function readReply(conn: CheckConnection): Promise<string[] | null> {
  return conn.until(smtpLast);
}

/** The reply's code, from its last line ("" when that line has none). */
export function replyCode(lines: readonly string[]): string {
  return /^\d{3}/.exec(lines.at(-1) ?? '')?.[0] ?? '';
}

/** What is wrong with a reply's lines by RFC 5321 §4.2.1, or null when nothing is. */
export function replyProblem(lines: readonly string[]): string | null {
  const code = replyCode(lines);
  for (const [i, line] of lines.slice(0, -1).entries()) {
    if (!/^\d{3}-/.test(line)) return `line ${i + 1} of ${lines.length}, ${JSON.stringify(line.slice(0, 80))}, is not "${code}-" followed by text`;
    if (!line.startsWith(code)) return `line ${i + 1} carries ${line.slice(0, 3)} but the reply ends with ${code}: a reply has one code on every line`;
  }
  return null;
}

/** "250 ×6": a reply in a few characters, for details. */
export function replyShape(lines: readonly string[]): string {
  return lines.length === 1 ? JSON.stringify(lines[0]!.slice(0, 80)) : `${replyCode(lines)} in ${lines.length} lines`;
}
