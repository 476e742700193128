/**
 * Claims say which untagged responses belong to which command (RFC 9051 §2.2.2: the
 * server sends data as untagged responses, and the client must know what asked for
 * them). The session hands an untagged response to the oldest in-flight command that
 * claims its kind, and never pipelines two
 * commands that claim a kind in common; what nobody claims is a mailbox update or a
 * status to report.
 *
 * An untagged OK/NO/BAD with a response code goes to the oldest in-flight MOVE for a
 * [COPYUID], else to the oldest in-flight command of any kind (SELECT's [UIDVALIDITY]);
 * without a command it is reported.
 * What no command claims and changes the selected mailbox becomes a MailboxUpdate
 * (`toUpdate`: RFC 9051 §7.4 EXISTS/EXPUNGE/FETCH, §7.3 FLAGS, RFC 7162 §3.2.10 VANISHED).
 */
import { sequenceSetSize } from '../command/sequence-set.js';
import type { FetchResult, ImapResponse, MailboxUpdate } from '../types.js';

type Kind = ImapResponse['kind'];

const FETCH: Kind[] = ['fetch', 'literal-begin', 'literal-chunk', 'vanished'];

const CLAIMS: Record<string, readonly Kind[]> = {
  CAPABILITY: ['capability'],
  SELECT: ['flags', 'exists', 'recent', 'vanished', 'fetch'],
  EXAMINE: ['flags', 'exists', 'recent', 'vanished', 'fetch'],
  LIST: ['list', 'mailbox-status'],
  LSUB: ['lsub', 'list'],
  XLIST: ['list', 'unknown'],
  STATUS: ['mailbox-status'],
  FETCH,
  'UID FETCH': FETCH,
  STORE: ['fetch', 'vanished'],
  'UID STORE': ['fetch', 'vanished'],
  SEARCH: ['search', 'esearch'],
  'UID SEARCH': ['search', 'esearch'],
  SORT: ['search', 'esearch', 'unknown'],
  'UID SORT': ['search', 'esearch', 'unknown'],
  ID: ['id'],
  NAMESPACE: ['namespace'],
  ENABLE: ['enabled'],
};

/**
 * True when a command named `name` claims `response`. A VANISHED without (EARLIER) is never
 * claimed: it is the server reporting expunges (RFC 7162 §3.2.10), not an answer to the
 * FETCH or SELECT in flight, and must reach the caller as a mailbox update.
 */
export function claims(name: string, response: ImapResponse): boolean {
  if (response.kind === 'vanished' && !(response as { earlier: boolean }).earlier) return false;
  return CLAIMS[name]?.includes(response.kind) ?? false;
}

/**
 * Response codes that answer a particular command when they come in an untagged OK: MOVE
 * reports COPYUID that way (RFC 6851 §4.3). Other untagged codes go to the oldest command
 * in flight.
 */
const CODE_CLAIMS: Record<string, readonly string[]> = {
  MOVE: ['COPYUID'],
  'UID MOVE': ['COPYUID'],
};

/** True when a command named `name` claims an untagged status with the code `code`. */
export function claimsCode(name: string, code: string): boolean {
  return CODE_CLAIMS[name]?.includes(code) ?? false;
}

/**
 * True when commands `a` and `b` claim a kind in common. Such commands are never in flight
 * together: untagged data carries no tag, so two pipelined STATUS, SEARCH or LIST, or a
 * FETCH and a STORE, could not tell whose responses are whose (RFC 9051 §5.5).
 */
export function sharesClaims(a: string, b: string): boolean {
  const overlap = (table: Record<string, readonly string[]>) => {
    const mine = table[a];
    return mine !== undefined && (table[b]?.some((x) => mine.includes(x)) ?? false);
  };
  return overlap(CLAIMS) || overlap(CODE_CLAIMS);
}

/**
 * How many items a response held for a command counts towards the session's
 * `maxResponsesPerCommand`: one, or the numbers a SEARCH or ESEARCH ALL carries (a single
 * line of `* SEARCH` or `ALL 1:4294967295` can stand for millions of results).
 */
export function heldItems(response: ImapResponse): number {
  if (response.kind === 'search') return Math.max(1, (response as { ids: number[] }).ids.length);
  if (response.kind === 'esearch') {
    const all = (response as { all?: string }).all;
    return all === undefined ? 1 : Math.max(1, sequenceSetSize(all));
  }
  return 1;
}

/** Commands that run alone: nothing is pipelined before or after them until they complete. */
const EXCLUSIVE = new Set([
  'AUTHENTICATE', 'LOGIN', 'STARTTLS', 'COMPRESS', 'IDLE', 'LOGOUT', 'SELECT', 'EXAMINE', 'CLOSE', 'UNSELECT', 'ENABLE',
]);

export function isExclusive(name: string): boolean {
  return EXCLUSIVE.has(name);
}

/** Commands after whose OK the server switches the byte stream (TLS, DEFLATE): bytes past the OK are not IMAP. */
const STREAM_SWITCH = new Set(['STARTTLS', 'COMPRESS']);

export function switchesStream(name: string): boolean {
  return STREAM_SWITCH.has(name);
}

/** The MailboxUpdate an unclaimed untagged response means, if any. */
export function toUpdate(response: ImapResponse): MailboxUpdate | null {
  switch (response.kind) {
    case 'exists':
      return { type: 'exists', count: (response as { count: number }).count };
    case 'recent':
      return { type: 'recent', count: (response as { count: number }).count };
    case 'expunge':
      return { type: 'expunge', seq: (response as { seq: number }).seq };
    case 'vanished': {
      const v = response as { uids: string; earlier: boolean };
      return { type: 'vanished', uids: v.uids, earlier: v.earlier };
    }
    case 'flags':
      return { type: 'flags', flags: (response as { flags: string[] }).flags };
    case 'fetch': {
      const f = (response as { fetch: FetchResult }).fetch;
      const update: MailboxUpdate = { type: 'fetch', seq: f.seq };
      if (f.flags) update.flags = f.flags;
      if (f.uid !== undefined) update.uid = f.uid;
      if (f.modSeq !== undefined) update.modSeq = f.modSeq;
      return update;
    }
    default:
      return null;
  }
}
