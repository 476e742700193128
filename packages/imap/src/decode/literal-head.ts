/**
 * What a streamed literal belongs to, read from the message bytes before it (the `head` of
 * the framer's literal-begin event): the FETCH sequence number and the item name with its
 * section, keyed exactly as the final FetchResult keys it ('BODY[]', 'BINARY[1]<0>').
 *
 *   "*" SP nz-number SP "FETCH" SP "(" ... SP item-name [section ["<" number ">"]] SP literal
 *
 * Anything else (a huge literal in a response that is not FETCH) gives nulls.
 */
import { latin1 } from '@mailwire/wire';

export interface LiteralHead {
  seq: number | null;
  section: string | null;
}

const NONE: LiteralHead = { seq: null, section: null };

function isNameByte(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f;
}

/** Reads the sequence number and section of the literal that `head` ends by announcing. */
export function readLiteralHead(head: Buffer): LiteralHead {
  // "* 12 FETCH ("
  if (head[0] !== 0x2a || head[1] !== 0x20) return NONE;
  let i = 2;
  let seq = 0;
  while (head[i] >= 0x30 && head[i] <= 0x39 && i < 14) seq = seq * 10 + (head[i++] - 0x30);
  if (i === 2 || head[i] !== 0x20 || i + 7 > head.length) return NONE;
  if (latin1(head, i + 1, i + 7).toUpperCase() !== 'FETCH ') return NONE;
  // The item before the literal: back from "{" past SP, "<n>", "[...]", then the name.
  let k = head.lastIndexOf(0x7b /* { */);
  if (k > 0 && head[k - 1] === 0x7e /* ~ */) k--;
  if (k < i + 8 || head[k - 1] !== 0x20) return { seq, section: null };
  const end = k - 1;
  let j = end - 1;
  if (head[j] === 0x3e /* > */) {
    while (j > 0 && head[j] !== 0x3c /* < */) j--;
    j--;
  }
  if (head[j] === 0x5d /* ] */) {
    while (j > 0 && head[j] !== 0x5b /* [ */) j--;
    j--;
  }
  while (j > i && isNameByte(head[j])) j--;
  if (j >= end - 1) return { seq, section: null };
  const nameEnd = head.indexOf(0x5b, j + 1);
  const cut = nameEnd >= 0 && nameEnd < end ? nameEnd : end;
  const section = latin1(head, j + 1, cut).toUpperCase() + latin1(head, cut, end);
  return { seq, section: section === '' ? null : section };
}
