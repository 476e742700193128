/**
 * mailbox-data and the other untagged data responses (RFC 9051 §7.2-§7.4, §9; RFC 3501 §7.2;
 * LIST-EXTENDED RFC 5258 §9, SPECIAL-USE RFC 6154, ESEARCH RFC 4731 §3, CONDSTORE/QRESYNC
 * RFC 7162 §3.1.5/§3.2.10, ENABLE RFC 5161, ID RFC 2971, NAMESPACE RFC 2342).
 *
 *   mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
 *                  [SP mbox-list-extended]
 *   status-att-list = status-att-val *(SP status-att-val)
 *   esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
 *
 * Each reader starts just past the response name and its SP (where one is required) and
 * returns the typed response. Mailbox names are decoded from modified UTF-7 unless the
 * session enabled UTF8=ACCEPT; the name as sent is kept in `rawName`.
 */
import { type ImapReader, readGenericValue } from '@mailwire/wire';
import type { ImapResponse, ListEntry, MailboxStatus, NamespaceDescriptor } from '../types.js';
import type { ImapQuirks } from '../quirks.js';
import { decodeModifiedUtf7 } from '../utf7.js';
import { readFlagList, readSequenceSet, expectSequenceSet } from './resp-text.js';

/** Decodes a mailbox name as sent; an undecodable name is kept as sent. */
export function mailboxName(raw: string, utf8: boolean): string {
  if (utf8) return raw;
  try {
    return decodeModifiedUtf7(raw);
  } catch {
    return raw;
  }
}

/** mailbox = "INBOX" / astring */
function readMailbox(r: ImapReader): string {
  return r.expectAString();
}

/** mailbox-list, after "LIST" SP (or "LSUB" SP). */
export function readMailboxList(r: ImapReader, utf8: boolean): ListEntry {
  const attributes = readFlagList(r);
  r.expectSP();
  let delimiter: string | null = null;
  const b = r.bytes;
  const p = r.pos;
  const c = b[p + 1];
  if (p + 2 < r.end && b[p] === 0x22 && b[p + 2] === 0x22 && c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
    // the usual DQUOTE QUOTED-CHAR DQUOTE, one printable ASCII character that needs no escape
    delimiter = String.fromCharCode(c);
    r.pos = p + 3;
  } else if (!r.nil()) {
    const d = r.quoted();
    if (d === undefined) throw r.error('a quoted hierarchy delimiter or NIL');
    delimiter = d;
  }
  r.expectSP();
  const rawName = readMailbox(r);
  // mbox-list-extended (RFC 5258): tolerated, not typed.
  if (r.sp()) readGenericValue(r);
  return { name: mailboxName(rawName, utf8), delimiter, attributes, rawName };
}

/** STATUS: mailbox SP "(" [status-att-list] ")" */
export function readMailboxStatus(r: ImapReader, utf8: boolean): ImapResponse {
  const mailbox = mailboxName(readMailbox(r), utf8);
  r.expectSP();
  r.expectListBegin();
  const status: MailboxStatus = {};
  while (!r.listEnd()) {
    if (!readStatusAttFast(r, status)) {
      const name = r.keyword();
      if (name === undefined) throw r.error('a status attribute');
      r.expectSP();
      switch (name) {
        case 'MESSAGES': status.messages = r.expectNumber(); break;
        case 'RECENT': status.recent = r.expectNumber(); break;
        case 'UIDNEXT': status.uidNext = r.expectNumber(); break;
        case 'UIDVALIDITY': status.uidValidity = r.expectNumber(); break;
        case 'UNSEEN': status.unseen = r.expectNumber(); break;
        case 'DELETED': status.deleted = r.expectNumber(); break;
        case 'SIZE': status.size = r.expectNumber(); break;
        case 'HIGHESTMODSEQ': status.highestModSeq = r.expectNumber64(); break;
        default: readGenericValue(r);
      }
    }
    r.sp();
  }
  return { kind: 'mailbox-status', mailbox, status };
}

const MESSAGES = 1;
const RECENT = 2;
const UIDNEXT = 3;
const UIDVALIDITY = 4;
const UNSEEN = 5;
const DELETED = 6;
const SIZE = 7;
const HIGHESTMODSEQ = 8;

/**
 * One status-att-val in the form servers send it, read on the bytes in one pass: a known
 * status-att (picked by its first letters, then compared byte by byte in any case), SP, and
 * 1 to 15 digits (exact as a double, far from any bound). Anything else returns false with
 * the position unchanged, and the loop above reads it the general way, so what is accepted
 * and every error stay exactly theirs.
 */
function readStatusAttFast(r: ImapReader, status: MailboxStatus): boolean {
  const b = r.bytes;
  const end = r.end;
  const start = r.pos;
  let att = 0;
  let name: string;
  switch (b[start] | 0x20) {
    case 0x6d /* m */: att = MESSAGES; name = 'messages'; break;
    case 0x75 /* u */:
      if ((b[start + 1] | 0x20) === 0x6e /* n */) {
        att = UNSEEN;
        name = 'unseen';
      } else if ((b[start + 3] | 0x20) === 0x6e /* uid n */) {
        att = UIDNEXT;
        name = 'uidnext';
      } else {
        att = UIDVALIDITY;
        name = 'uidvalidity';
      }
      break;
    case 0x68 /* h */: att = HIGHESTMODSEQ; name = 'highestmodseq'; break;
    case 0x72 /* r */: att = RECENT; name = 'recent'; break;
    case 0x64 /* d */: att = DELETED; name = 'deleted'; break;
    case 0x73 /* s */: att = SIZE; name = 'size'; break;
    default: return false;
  }
  const len = name.length;
  let p = start + len;
  // the name in any case (a byte ORed with 0x20 is a lower-case letter only if it is a letter), then SP
  if (p >= end || b[p] !== 0x20 /* SP */) return false;
  for (let i = 0; i < len; i++) if ((b[start + i] | 0x20) !== name.charCodeAt(i)) return false;
  p++;
  const digits = p;
  let n = 0;
  while (p < end && ((b[p] - 0x30) >>> 0) < 10) n = n * 10 + (b[p++] - 0x30);
  if (p === digits || p - digits > 15) return false;
  switch (att) {
    case MESSAGES: status.messages = n; break;
    case RECENT: status.recent = n; break;
    case UIDNEXT: status.uidNext = n; break;
    case UIDVALIDITY: status.uidValidity = n; break;
    case UNSEEN: status.unseen = n; break;
    case DELETED: status.deleted = n; break;
    case SIZE: status.size = n; break;
    default: status.highestModSeq = BigInt(n);
  }
  r.pos = p;
  return true;
}

/**
 * SEARCH: *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"] — after "SEARCH".
 * Quirk `trailingSpaceInSearch` (Yahoo): one SP before CRLF.
 */
export function readSearch(r: ImapReader, quirks: ImapQuirks): ImapResponse {
  const ids: number[] = [];
  let modSeq: bigint | undefined;
  while (r.sp()) {
    if (r.atEnd() && quirks.trailingSpaceInSearch) break;
    if (r.listBegin()) {
      if (r.keyword() !== 'MODSEQ') throw r.error('MODSEQ');
      r.expectSP();
      modSeq = r.expectNumber64();
      r.expectListEnd();
      continue;
    }
    ids.push(r.expectNumber());
  }
  return modSeq === undefined ? { kind: 'search', ids } : { kind: 'search', ids, modSeq };
}

/** ESEARCH, after "ESEARCH". */
/**
 * ESEARCH ALL's sequence-set of results (RFC 4731 §3.1): numbers and ranges only, never
 * `*`, so that callers can expand it. Anything else is a protocol error here, not a
 * failure later in a caller's expansion.
 */
const NUMBER_SET = /^[1-9]\d{0,9}(:[1-9]\d{0,9})?(,[1-9]\d{0,9}(:[1-9]\d{0,9})?)*$/;

function expectNumberSet(r: ImapReader): string {
  const start = r.pos;
  const set = expectSequenceSet(r);
  if (!NUMBER_SET.test(set)) {
    r.pos = start;
    throw r.error('a sequence-set of numbers');
  }
  return set;
}

export function readEsearch(r: ImapReader): ImapResponse {
  const out: ImapResponse & { kind: 'esearch' } = { kind: 'esearch', uid: false };
  if (r.peek() === 0x20 && r.bytes[r.pos + 1] === 0x28) {
    r.expectSP();
    r.expectListBegin();
    if (r.keyword() !== 'TAG') throw r.error('TAG');
    r.expectSP();
    out.tag = r.expectString();
    r.expectListEnd();
  }
  while (r.sp()) {
    if (r.atEnd()) break;
    const name = r.keyword();
    if (name === undefined) throw r.error('search-return-data');
    if (name === 'UID') {
      out.uid = true;
      continue;
    }
    r.expectSP();
    switch (name) {
      case 'MIN': out.min = r.expectNumber(); break;
      case 'MAX': out.max = r.expectNumber(); break;
      case 'COUNT': out.count = r.expectNumber(); break;
      case 'ALL': out.all = expectNumberSet(r); break;
      case 'MODSEQ': out.modSeq = r.expectNumber64(); break;
      default: if (readSequenceSet(r) === undefined) readGenericValue(r);
    }
  }
  return out;
}

/** NAMESPACE: namespace SP namespace SP namespace (RFC 2342 §5, RFC 9051 §7.3.5). */
export function readNamespace(r: ImapReader): ImapResponse {
  const one = (): NamespaceDescriptor[] | null => {
    if (r.nil()) return null;
    r.expectListBegin();
    const out: NamespaceDescriptor[] = [];
    while (r.listBegin()) {
      const prefix = r.expectString();
      r.expectSP();
      const delimiter = r.nil() ? null : r.quoted();
      if (delimiter === undefined) throw r.error('a namespace delimiter');
      while (r.sp()) readGenericValue(r); // namespace-response-extensions
      r.expectListEnd();
      out.push({ prefix, delimiter });
      r.sp();
    }
    r.expectListEnd();
    return out;
  };
  const personal = one();
  r.expectSP();
  const other = one();
  r.expectSP();
  const shared = one();
  return { kind: 'namespace', personal, other, shared };
}

/** ID: "(" string SP nstring *(SP string SP nstring) ")" / nil (RFC 2971 §3.2). */
export function readId(r: ImapReader): ImapResponse {
  if (r.nil()) return { kind: 'id', params: null };
  r.expectListBegin();
  const params: Record<string, string | null> = {};
  while (!r.listEnd()) {
    const key = r.expectString();
    r.expectSP();
    params[key] = r.expectNString();
    r.sp();
  }
  return { kind: 'id', params };
}

/** VANISHED: ["(EARLIER)" SP] known-uids (RFC 7162 §3.2.10). */
export function readVanished(r: ImapReader): ImapResponse {
  let earlier = false;
  if (r.listBegin()) {
    if (r.keyword() !== 'EARLIER') throw r.error('EARLIER');
    r.expectListEnd();
    r.expectSP();
    earlier = true;
  }
  return { kind: 'vanished', earlier, uids: expectSequenceSet(r) };
}

