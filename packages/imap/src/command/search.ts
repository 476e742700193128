/**
 * SearchQuery is a SEARCH criteria tree as data, and `searchArgs` its command arguments
 * (RFC 9051 §6.4.4, RFC 3501 §6.4.4; MODSEQ from RFC 7162 §3.1.5; X-GM-RAW from Gmail's
 * X-GM-EXT-1). Every string goes through the encoder as an astring, so a search string
 * can never inject a command; keys without a value are atoms.
 *
 *   search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / ... /
 *                "NOT" SP search-key / "OR" SP search-key SP search-key / "(" search-key *(SP search-key) ")"
 *   date       = day "-" month "-" year     ; e.g. 1-Feb-2024
 */
import { UsageError } from '@mailwire/errors';

import type { CommandArg } from './arguments.js';
import { atom, list, num, seq, str } from './arguments.js';
import { sequenceSet } from './sequence-set.js';

export interface SearchQuery {
  all?: boolean;
  seen?: boolean;
  answered?: boolean;
  flagged?: boolean;
  deleted?: boolean;
  draft?: boolean;
  /** \Recent (IMAP4rev1 only). */
  recent?: boolean;
  new?: boolean;
  from?: string;
  to?: string;
  cc?: string;
  bcc?: string;
  subject?: string;
  body?: string;
  text?: string;
  /** HEADER field-name string, each pair ANDed. */
  header?: [name: string, value: string][];
  keyword?: string;
  unkeyword?: string;
  since?: Date;
  before?: Date;
  on?: Date;
  sentSince?: Date;
  sentBefore?: Date;
  sentOn?: Date;
  larger?: number;
  smaller?: number;
  /** Messages by UID: a sequence set. */
  uid?: string;
  /** Messages by sequence number: a sequence set. */
  seq?: string;
  /** RFC 7162 MODSEQ: messages changed after this mod-sequence. */
  modSeq?: bigint;
  /** Gmail X-GM-RAW: Gmail's own search syntax. */
  gmailRaw?: string;
  not?: SearchQuery;
  or?: [SearchQuery, SearchQuery];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An IMAP date (RFC 9051 §9 `date-text`) in UTC: 1-Feb-2024. */
export function imapDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new UsageError('Invalid Date in a search', { protocol: 'imap' });
  return `${date.getUTCDate()}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()}`;
}

/** True when any string in the query is not ASCII (then CHARSET UTF-8 is needed without UTF8=ACCEPT). */
export function searchNeedsUtf8(query: SearchQuery): boolean {
  const strings: (string | undefined)[] = [query.from, query.to, query.cc, query.bcc, query.subject, query.body, query.text, query.gmailRaw];
  for (const [n, v] of query.header ?? []) strings.push(n, v);
  if (strings.some((s) => s !== undefined && /[^\x00-\x7f]/.test(s))) return true;
  if (query.not && searchNeedsUtf8(query.not)) return true;
  return query.or !== undefined && (searchNeedsUtf8(query.or[0]) || searchNeedsUtf8(query.or[1]));
}

/** The search keys for a query; an empty query is ALL. */
export function searchArgs(query: SearchQuery): CommandArg[] {
  const out: CommandArg[] = [];
  const flag = (value: boolean | undefined, yes: string, no: string) => {
    if (value === true) out.push(atom(yes));
    else if (value === false) out.push(atom(no));
  };
  const text = (key: string, value: string | undefined) => {
    if (value !== undefined) out.push(atom(key), str(value, { preferQuoted: true }));
  };
  const date = (key: string, value: Date | undefined) => {
    if (value !== undefined) out.push(atom(key), atom(imapDate(value)));
  };
  if (query.all) out.push(atom('ALL'));
  flag(query.seen, 'SEEN', 'UNSEEN');
  flag(query.answered, 'ANSWERED', 'UNANSWERED');
  flag(query.flagged, 'FLAGGED', 'UNFLAGGED');
  flag(query.deleted, 'DELETED', 'UNDELETED');
  flag(query.draft, 'DRAFT', 'UNDRAFT');
  flag(query.recent, 'RECENT', 'OLD');
  if (query.new) out.push(atom('NEW'));
  text('FROM', query.from);
  text('TO', query.to);
  text('CC', query.cc);
  text('BCC', query.bcc);
  text('SUBJECT', query.subject);
  text('BODY', query.body);
  text('TEXT', query.text);
  for (const [name, value] of query.header ?? []) out.push(atom('HEADER'), str(name), str(value, { preferQuoted: true }));
  if (query.keyword !== undefined) out.push(atom('KEYWORD'), atom(query.keyword));
  if (query.unkeyword !== undefined) out.push(atom('UNKEYWORD'), atom(query.unkeyword));
  date('SINCE', query.since);
  date('BEFORE', query.before);
  date('ON', query.on);
  date('SENTSINCE', query.sentSince);
  date('SENTBEFORE', query.sentBefore);
  date('SENTON', query.sentOn);
  if (query.larger !== undefined) out.push(atom('LARGER'), num(query.larger));
  if (query.smaller !== undefined) out.push(atom('SMALLER'), num(query.smaller));
  if (query.uid !== undefined) out.push(atom('UID'), seq(sequenceSet(query.uid)));
  if (query.seq !== undefined) out.push(seq(sequenceSet(query.seq)));
  if (query.modSeq !== undefined) out.push(atom('MODSEQ'), num(query.modSeq));
  text('X-GM-RAW', query.gmailRaw);
  if (query.not) out.push(atom('NOT'), group(searchArgs(query.not)));
  if (query.or) out.push(atom('OR'), group(searchArgs(query.or[0])), group(searchArgs(query.or[1])));
  if (out.length === 0) out.push(atom('ALL'));
  return out;
}

function group(args: CommandArg[]): CommandArg {
  return args.length === 1 ? args[0]! : list(args);
}
