/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4), a useful subset: ALL, sequence sets, UID,
 * ANSWERED/DELETED/DRAFT/FLAGGED/SEEN and their UN- forms, NEW, OLD, RECENT, KEYWORD,
 * UNKEYWORD, FROM/TO/CC/BCC/SUBJECT/BODY/TEXT/HEADER (case-insensitive substring),
 * LARGER, SMALLER, BEFORE/ON/SINCE (internal date), NOT, OR, and parenthesized groups,
 * after an optional CHARSET, and RETURN (MIN MAX ALL COUNT) answered with ESEARCH
 * (RFC 4731). An unknown key is BAD.
 */
import { field } from '../store/mime.js';
import type { StoredMessage } from '../store/mail-store.js';
import { mimeOf } from './fetch.js';
import { SELECTED, type Handler } from './handler.js';
import { resolveSequenceSet } from './sequence-set.js';
import type { ImapSession } from './session.js';
import { astring, type Token } from './tokenizer.js';

type Pred = (m: StoredMessage, seq: number) => boolean;

class SearchError extends Error {}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true], UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true], UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true], UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true], UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true], UNSEEN: ['\\Seen', false],
};

function day(text: string | undefined): number {
  const d = new Date(String(text).replace(/^(\d+)-(\w+)-(\d+)$/, '$2 $1 $3 UTC'));
  if (Number.isNaN(d.getTime())) throw new SearchError('bad date');
  return Math.floor(d.getTime() / 86_400_000);
}

function contains(haystack: string | undefined, needle: string): boolean {
  return (haystack ?? '').toLowerCase().includes(needle.toLowerCase());
}

/** How deep NOT, OR and parenthesized keys may nest: deeper would overflow the stack, compiling or matching. */
const MAX_SEARCH_DEPTH = 64;

/** Compiles one search key (with its arguments) into a predicate. */
function compile(tokens: Token[], at: { i: number }, uids: number[], seqCount: number, depth = 0): Pred {
  if (depth > MAX_SEARCH_DEPTH) throw new SearchError('search keys nested too deeply');
  const tok = tokens[at.i++];
  if (!tok) throw new SearchError('missing search key');
  const sub = () => compile(tokens, at, uids, seqCount, depth + 1);
  if (tok.t === 'list') {
    const inner = { i: 0 };
    const preds: Pred[] = [];
    while (inner.i < tok.v.length) preds.push(compile(tok.v, inner, uids, seqCount, depth + 1));
    return (m, n) => preds.every((p) => p(m, n));
  }
  const key = astring(tok)!.toUpperCase();
  const str = () => {
    const v = astring(tokens[at.i++]);
    if (v === undefined) throw new SearchError(`${key} needs an argument`);
    return v;
  };
  if (FLAG_KEYS[key]) {
    const [flag, want] = FLAG_KEYS[key]!;
    return (m) => m.flags.has(flag) === want;
  }
  switch (key) {
    case 'ALL': case 'OLD': return () => true;
    case 'NEW': case 'RECENT': return () => false;
    case 'KEYWORD': { const f = str(); return (m) => m.flags.has(f); }
    case 'UNKEYWORD': { const f = str(); return (m) => !m.flags.has(f); }
    case 'FROM': case 'TO': case 'CC': case 'BCC': case 'SUBJECT': {
      const v = str();
      return (m) => contains(field(mimeOf(m), key.toLowerCase()), v);
    }
    case 'HEADER': { const name = str().toLowerCase(); const v = str(); return (m) => mimeOf(m).fields.some(([n, x]) => n === name && contains(x, v)); }
    case 'BODY': { const v = str(); return (m) => contains(mimeOf(m).body.toString('latin1'), v); }
    case 'TEXT': { const v = str(); return (m) => contains(m.raw.toString('latin1'), v); }
    case 'LARGER': { const n = Number(str()); return (m) => m.raw.length > n; }
    case 'SMALLER': { const n = Number(str()); return (m) => m.raw.length < n; }
    case 'BEFORE': { const d = day(str()); return (m) => Math.floor(m.internalDate.getTime() / 86_400_000) < d; }
    case 'ON': { const d = day(str()); return (m) => Math.floor(m.internalDate.getTime() / 86_400_000) === d; }
    case 'SINCE': { const d = day(str()); return (m) => Math.floor(m.internalDate.getTime() / 86_400_000) >= d; }
    case 'NOT': { const p = sub(); return (m, n) => !p(m, n); }
    case 'OR': { const a = sub(); const b = sub(); return (m, n) => a(m, n) || b(m, n); }
    case 'UID': {
      const set = str();
      const idx = resolveSequenceSet(set, uids, true);
      if (idx === null) throw new SearchError('bad UID set');
      const wanted = new Set(idx.map((i) => uids[i]));
      return (m) => wanted.has(m.uid);
    }
    default: {
      const idx = resolveSequenceSet(key, Array.from({ length: seqCount }, (_, i) => i + 1), false);
      if (idx === null) throw new SearchError(`unknown search key ${key}`);
      const wanted = new Set(idx.map((i) => i + 1));
      return (_m, n) => wanted.has(n);
    }
  }
}

export async function search(s: ImapSession, tag: string, args: Token[], byUid: boolean): Promise<void> {
  const visible = s.visible();
  let keys = args;
  // RFC 4731 ESEARCH: SEARCH RETURN (ALL / MIN / MAX / COUNT ...) answers with * ESEARCH.
  let returns: string[] | null = null;
  const first = keys[0];
  if (first?.t === 'atom' && first.v.toUpperCase() === 'RETURN' && keys[1]?.t === 'list') {
    returns = keys[1].v.map((o) => (o.t === 'atom' ? o.v.toUpperCase() : ''));
    if (returns.length === 0) returns = ['ALL'];
    keys = keys.slice(2);
  }
  if (astring(keys[0])?.toUpperCase() === 'CHARSET') keys = keys.slice(2);
  if (keys.length === 0) return s.send(`${tag} BAD ${s.texts.bad('Missing search keys.')}`);
  let pred: Pred;
  try {
    const at = { i: 0 };
    const preds: Pred[] = [];
    while (at.i < keys.length) preds.push(compile(keys, at, visible.map((v) => v.msg.uid), visible.length));
    pred = (m, n) => preds.every((p) => p(m, n));
  } catch (e) {
    if (!(e instanceof SearchError)) throw e;
    return s.send(`${tag} BAD ${s.texts.bad(e.message)}`);
  }
  const hits = visible.filter((v) => pred(v.msg, v.seq)).map((v) => (byUid ? v.msg.uid : v.seq));
  if (returns !== null) {
    let out = `* ESEARCH (TAG "${tag}")${byUid ? ' UID' : ''}`;
    if (hits.length > 0 && returns.includes('MIN')) out += ` MIN ${Math.min(...hits)}`;
    if (hits.length > 0 && returns.includes('MAX')) out += ` MAX ${Math.max(...hits)}`;
    if (hits.length > 0 && returns.includes('ALL')) out += ` ALL ${hits.join(',')}`;
    if (returns.includes('COUNT')) out += ` COUNT ${hits.length}`;
    await s.send(out);
    return s.ok(tag, byUid ? 'UID SEARCH' : 'SEARCH');
  }
  await s.send(`* SEARCH${hits.map((h) => ` ${h}`).join('')}`);
  await s.ok(tag, byUid ? 'UID SEARCH' : 'SEARCH');
}

export const searchCommand: Handler = { states: SELECTED, run: (s, tag, args) => search(s, tag, args, false) };
