/**
 * The `--set` of fetch for POP3, in IMAP's sequence-set form (RFC 9051 §9 sequence-set):
 * numbers and ranges separated by commas, `*` for the last message, so that the same
 * option means the same on imap:// and pop3:// URLs. POP3 numbers messages 1..count.
 */
import { ArgvError } from './args.js';

/** The message numbers `set` names among 1..count, ascending, each once. */
export function messageNumbers(set: string, count: number): number[] {
  const chosen = new Set<number>();
  for (const part of set.split(',')) {
    const m = /^(\d+|\*)(?::(\d+|\*))?$/.exec(part);
    if (!m) throw new ArgvError(`--set ${JSON.stringify(set)} is not a sequence set (like 1:*, 3, 2:5,9)`);
    if ([m[1], m[2]].some((n) => n?.startsWith('0'))) throw new ArgvError('--set: messages are numbered from 1');
    const at = (s: string) => (s === '*' ? count : Number(s));
    const a = at(m[1]!);
    const b = m[2] === undefined ? a : at(m[2]);
    for (let n = Math.max(1, Math.min(a, b)); n <= Math.min(Math.max(a, b), count); n++) chosen.add(n);
  }
  return [...chosen].sort((x, y) => x - y);
}
