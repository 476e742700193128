/**
 * The `--set` of fetch for POP3, in IMAP's sequence-set form (checked by the IMAP
 * package's isSequenceSet): numbers and ranges separated by commas, `*` for the last
 * message, so that the same option means the same on imap:// and pop3:// URLs. POP3
 * numbers messages 1..count.
 */
import { isSequenceSet } from '@mailwire/imap';

import { ArgvError } from './args.js';

/** The message numbers `set` names among 1..count, ascending, each once. */
export function messageNumbers(set: string, count: number): number[] {
  if (set === '$' || !isSequenceSet(set)) throw new ArgvError(`--set ${JSON.stringify(set)} is not a sequence set (like 1:*, 3, 2:5,9)`);
  const chosen = new Set<number>();
  for (const item of set.split(',')) {
    const [a, b = a] = item.split(':').map((n) => (n === '*' ? count : Number(n))) as [number, number?];
    for (let n = Math.max(1, Math.min(a, b)); n <= Math.min(Math.max(a, b), count); n++) chosen.add(n);
  }
  return [...chosen].sort((x, y) => x - y);
}
