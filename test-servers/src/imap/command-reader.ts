/**
 * The CommandReader reads one whole IMAP command from a client: its first line, and for
 * each literal announced at a line's end (`{n}` synchronizing, `{n+}` non-synchronizing
 * with LITERAL+, RFC 7888) the literal's bytes and the line after it (RFC 9051 §4.3).
 * A synchronizing literal gets `+ Ready for literal data` first (or the personality's
 * text); one that would take the command's literals past the limit gets a tagged NO and
 * is not read. Limits: line length, literal bytes and literal count per command — so no
 * client can grow memory unbounded.
 */
import type { Connection } from '../net/connection.js';

export type ReadCommand =
  | { kind: 'command'; tag: string; text: string; literals: Buffer[] }
  | { kind: 'error'; tag: string; reply: string }
  | { kind: 'fatal'; reply: string }
  | { kind: 'closed' };

export interface CommandReaderOptions {
  maxLineBytes: number;
  /** The most literal bytes one command may carry, all its literals together. */
  maxLiteralBytes: number;
  maxLiterals?: number;
  continuation?: string;
}

/** Reads the next command. */
export async function readCommand(conn: Connection, o: CommandReaderOptions): Promise<ReadCommand> {
  const first = await conn.readLine(o.maxLineBytes);
  if (first === null) return { kind: 'closed' };
  if (first === 'too-long') return { kind: 'fatal', reply: '* BYE Command line too long.\r\n' };
  let text = first.toString('latin1');
  const tag = /^[^ ]*/.exec(text)![0] || '*';
  const literals: Buffer[] = [];
  let literalBytes = 0;
  for (let last = text; ; ) {
    const m = /~?\{(\d{1,12})(\+?)\}$/.exec(last);
    if (!m) return { kind: 'command', tag, text, literals };
    const size = Number(m[1]);
    const nonSync = m[2] === '+';
    if (literals.length >= (o.maxLiterals ?? 64)) return { kind: 'fatal', reply: '* BYE Too many literals.\r\n' };
    literalBytes += size;
    if (literalBytes > o.maxLiteralBytes) {
      if (nonSync) return { kind: 'fatal', reply: '* BYE [TOOBIG] Literal too large.\r\n' };
      return { kind: 'error', tag, reply: `${tag} NO [TOOBIG] Literal too large.\r\n` };
    }
    if (!nonSync) await conn.write(`+ ${o.continuation ?? 'Ready for literal data'}\r\n`);
    const bytes = await conn.readBytes(size);
    if (bytes === null) return { kind: 'closed' };
    literals.push(bytes);
    const next = await conn.readLine(o.maxLineBytes);
    if (next === null) return { kind: 'closed' };
    if (next === 'too-long') return { kind: 'fatal', reply: '* BYE Command line too long.\r\n' };
    last = next.toString('latin1');
    text += last;
  }
}
