/**
 * A SequenceSet is a validated IMAP sequence-set (RFC 9051 §9, RFC 3501 §9):
 *
 *   sequence-set = (seq-number / seq-range) ["," sequence-set] / "$"   ; "$": RFC 5182 SEARCHRES
 *   seq-range    = seq-number ":" seq-number
 *   seq-number   = nz-number / "*"
 *   nz-number    = digit-nz *DIGIT   ; 1 .. 4,294,967,295 (RFC 9051 §4.1)
 *
 * It is a branded string: once made by `sequenceSet()`, it can go onto the wire as it is.
 */
import { UsageError } from '@mailwire/errors';

export type SequenceSet = string & { readonly __sequenceSet: true };

/** One element of a sequence set given as data: a number, `'*'`, or an inclusive range. */
export type SequenceItem = number | '*' | readonly [number | '*', number | '*'];

const MAX_NZ = 4294967295;

function isNzNumber(text: string): boolean {
  if (text.length === 0 || text.length > 10 || text[0] === '0') return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return Number(text) <= MAX_NZ;
}

function isSeqNumber(text: string): boolean {
  return text === '*' || isNzNumber(text);
}

/** True when `text` is a valid sequence-set. */
export function isSequenceSet(text: string): text is SequenceSet {
  if (text === '$') return true;
  if (text.length === 0) return false;
  for (const item of text.split(',')) {
    const colon = item.indexOf(':');
    if (colon < 0) {
      if (!isSeqNumber(item)) return false;
    } else if (!isSeqNumber(item.slice(0, colon)) || !isSeqNumber(item.slice(colon + 1))) {
      return false;
    }
  }
  return true;
}

function seqNumber(value: number | '*'): string {
  if (value === '*') return '*';
  if (!Number.isInteger(value) || value < 1 || value > MAX_NZ) {
    throw new UsageError(`Not a message number or UID: ${String(value)} (1..${MAX_NZ} or '*')`, { protocol: 'imap' });
  }
  return String(value);
}

/**
 * Makes a SequenceSet from text (`'1:5,7,*'`), one number, or a list of numbers and
 * ranges. Throws UsageError on anything that is not a sequence-set.
 */
export function sequenceSet(input: string | number | readonly SequenceItem[]): SequenceSet {
  if (typeof input === 'string') {
    if (!isSequenceSet(input)) throw new UsageError(`Not a sequence set: ${JSON.stringify(input.slice(0, 60))}`, { protocol: 'imap' });
    return input;
  }
  if (typeof input === 'number') return seqNumber(input) as SequenceSet;
  if (input.length === 0) throw new UsageError('A sequence set needs at least one number', { protocol: 'imap' });
  const parts = input.map((item) =>
    Array.isArray(item) ? `${seqNumber(item[0])}:${seqNumber(item[1])}` : seqNumber(item as number | '*'),
  );
  return parts.join(',') as SequenceSet;
}

/** Compacts numbers into a sequence set of ranges: [1,2,3,5] -> '1:3,5'. */
export function compactSequenceSet(numbers: Iterable<number>): SequenceSet {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new UsageError('A sequence set needs at least one number', { protocol: 'imap' });
  const parts: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (let i = 1; i <= sorted.length; i++) {
    const n = sorted[i];
    if (n === prev + 1) {
      prev = n;
      continue;
    }
    parts.push(start === prev ? seqNumber(start) : `${seqNumber(start)}:${seqNumber(prev)}`);
    if (n !== undefined) start = prev = n;
  }
  return parts.join(',') as SequenceSet;
}

/** Expands a sequence set without `*` into numbers (for results such as COPYUID); bounded by `limit`. */
export function expandSequenceSet(set: string, limit = 100_000): number[] {
  const out: number[] = [];
  for (const item of set.split(',')) {
    const [a, b] = item.split(':');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < 1) {
      throw new UsageError(`Cannot expand ${JSON.stringify(set.slice(0, 60))}`, { protocol: 'imap' });
    }
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    if (out.length + (hi - lo + 1) > limit) throw new UsageError(`Sequence set expands past ${limit} numbers`, { protocol: 'imap' });
    for (let n = lo; n <= hi; n++) out.push(n);
  }
  return out;
}

/** How many numbers a sequence set without `*` names, without expanding it (`*` counts as one). */
export function sequenceSetSize(set: string): number {
  let n = 0;
  for (const item of set.split(',')) {
    const colon = item.indexOf(':');
    if (colon < 0) {
      n++;
      continue;
    }
    const a = Number(item.slice(0, colon));
    const b = Number(item.slice(colon + 1));
    n += Number.isFinite(a) && Number.isFinite(b) ? Math.abs(b - a) + 1 : 1;
  }
  return n;
}
