/**
 * FETCH response data (RFC 9051 §7.5.2, RFC 3501 §7.4.2, BINARY RFC 3516 §4.2, CONDSTORE
 * RFC 7162 §3.1.4, Gmail X-GM-EXT-1), read straight into a FetchResult (go-imap v2 style: no
 * token tree in between).
 *
 *   message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
 *   msg-att      = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
 *   msg-att-static = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time /
 *                  "RFC822.SIZE" SP number64 / "BODY" ["STRUCTURE"] SP body /
 *                  "BODY" section ["<" number ">"] SP nstring / "BINARY" section-binary SP (nstring / literal8) /
 *                  "BINARY.SIZE" section-binary SP number / "UID" SP uniqueid / "RFC822" ... SP nstring
 *
 * Body sections are keyed by the name exactly as the server sent it ('BODY[HEADER]',
 * 'BODY[]<0>'); a streamed literal is listed in `streamed` with its size instead of `body`.
 * An item mailwire does not know is kept in `unknown` as a generic value.
 */
import { type ImapReader, LBRACKET, RBRACKET, SP, readGenericValue } from '@mailwire/wire';
import type { FetchResult } from '../types.js';
import type { ImapQuirks } from '../quirks.js';
import { readEnvelope } from './envelope.js';
import { readBody, readSize } from './body-structure.js';
import { readFlagList } from './resp-text.js';

/** The msg-att names mailwire reads, by length, so a name is matched without making a string. */
const KNOWN_NAMES: Map<number, string[]> = (() => {
  const names = ['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'BINARY', 'BINARY.SIZE',
    'MODSEQ', 'X-GM-MSGID', 'X-GM-THRID', 'X-GM-LABELS', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT'];
  const m = new Map<number, string[]>();
  for (const n of names) m.set(n.length, [...(m.get(n.length) ?? []), n]);
  return m;
})();

/** Reads the item name of a msg-att (letters, digits, ".", "-", "_"; stops at "[", SP, "("), upper-cased. */
function itemName(r: ImapReader): string {
  const b = r.bytes;
  const start = r.pos;
  let i = start;
  while (i < r.end) {
    const c = b[i] | 0x20;
    if ((c >= 0x61 && c <= 0x7a) || (b[i] >= 0x30 && b[i] <= 0x39) || b[i] === 0x2e || b[i] === 0x2d || b[i] === 0x5f) i++;
    else break;
  }
  if (i === start) throw r.error('a FETCH item name');
  r.pos = i;
  const candidates = KNOWN_NAMES.get(i - start);
  if (candidates) {
    next: for (const name of candidates) {
      for (let k = 0; k < name.length; k++) {
        const c = b[start + k];
        if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== name.charCodeAt(k)) continue next;
      }
      return name;
    }
  }
  return r.raw(start, i).toUpperCase();
}

/** section = "[" [section-spec] "]", then an optional partial "<" number ">"; returns raw. */
function readSectionSuffix(r: ImapReader): void {
  const b = r.bytes;
  let depth = 0;
  let i = r.pos;
  // Brackets do not nest in the grammar, but header lists do hold parentheses and strings.
  for (; i < r.end; i++) {
    const c = b[i];
    if (c === 0x22) {
      i++;
      while (i < r.end && b[i] !== 0x22) i += b[i] === 0x5c ? 2 : 1;
    } else if (c === 0x28) depth++;
    else if (c === 0x29) depth--;
    else if (c === RBRACKET && depth === 0) break;
  }
  if (i >= r.end) throw r.error('"]" closing a section');
  i++;
  if (b[i] === 0x3c /* < */) {
    const close = b.indexOf(0x3e /* > */, i);
    if (close < 0 || close >= r.end) throw r.error('">" closing a partial');
    i = close + 1;
  }
  r.pos = i;
}

/** Reads an nstring body value into result.body / result.streamed under `key`. */
function readSectionValue(r: ImapReader, result: FetchResult, key: string): void {
  if (r.nil()) {
    (result.body ??= {})[key] = new Uint8Array(0);
    return;
  }
  const v = r.stringBytes();
  if (v === undefined) throw r.error(`nstring for ${key}`);
  if (v instanceof Uint8Array) (result.body ??= {})[key] = v;
  else (result.streamed ??= {})[key] = v.size;
}

/** msg-att = "(" item *(SP item) ")"; the reader is just past "FETCH" SP. */
export function readMsgAtt(r: ImapReader, seq: number, quirks: ImapQuirks): FetchResult {
  const result: FetchResult = { seq };
  r.expectListBegin();
  if (r.listEnd()) return result;
  for (;;) {
    const nameStart = r.pos;
    const name = itemName(r);
    switch (name) {
      case 'UID':
        r.expectSP();
        result.uid = r.expectNumber();
        break;
      case 'FLAGS':
        r.expectSP();
        result.flags = readFlagList(r);
        break;
      case 'INTERNALDATE':
        r.expectSP();
        result.internalDate = r.expectString();
        break;
      case 'RFC822.SIZE': {
        r.expectSP();
        const size = readSize(r, quirks);
        if (size !== undefined) result.size = size;
        break;
      }
      case 'ENVELOPE':
        r.expectSP();
        result.envelope = readEnvelope(r, quirks);
        break;
      case 'BODYSTRUCTURE':
        r.expectSP();
        result.bodyStructure = readBody(r, quirks);
        break;
      case 'MODSEQ':
        r.expectSP();
        r.expectListBegin();
        result.modSeq = r.expectNumber64();
        r.expectListEnd();
        break;
      case 'X-GM-MSGID':
        r.expectSP();
        result.gmailMessageId = r.expectNumber64();
        break;
      case 'X-GM-THRID':
        r.expectSP();
        result.gmailThreadId = r.expectNumber64();
        break;
      case 'X-GM-LABELS': {
        r.expectSP();
        r.expectListBegin();
        const labels: string[] = [];
        while (!r.listEnd()) {
          const l = r.peek() === 0x5c ? r.flag() : r.astring();
          if (l === undefined) throw r.error('a Gmail label');
          labels.push(l);
          r.sp();
        }
        result.gmailLabels = labels;
        break;
      }
      case 'RFC822':
      case 'RFC822.HEADER':
      case 'RFC822.TEXT':
        r.expectSP();
        readSectionValue(r, result, name);
        break;
      case 'BODY':
      case 'BINARY':
      case 'BINARY.SIZE':
        if (r.peek() !== LBRACKET) {
          if (name !== 'BODY') throw r.error(`"[" after ${name}`);
          r.expectSP();
          result.bodyStructure = readBody(r, quirks);
          break;
        }
        readSectionSuffix(r);
        if (name === 'BINARY.SIZE') {
          const key = 'BINARY' + r.raw(nameStart + name.length, r.pos);
          r.expectSP();
          const n = readSize(r, quirks);
          if (n !== undefined) (result.binarySize ??= {})[key] = n;
        } else {
          const key = name + r.raw(nameStart + name.length, r.pos);
          r.expectSP();
          readSectionValue(r, result, key);
        }
        break;
      default: {
        let key = name;
        if (r.peek() === LBRACKET) {
          readSectionSuffix(r);
          key = r.raw(nameStart, r.pos).toUpperCase();
        }
        r.expectSP();
        (result.unknown ??= {})[key] = readGenericValue(r);
      }
    }
    if (r.listEnd()) return result;
    r.expectSP();
    if (r.peek() === 0x29 && r.listEnd()) return result; // a stray SP before ")"
    if (r.peek() === SP) throw r.error('a FETCH item');
  }
}
