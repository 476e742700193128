/**
 * IMAP message commands of the selected state (RFC 9051 §6.4): STORE (with .SILENT),
 * COPY and MOVE (RFC 6851) with COPYUID (RFC 4315), EXPUNGE, and UID with FETCH,
 * SEARCH, STORE, COPY, MOVE and EXPUNGE (UIDPLUS).
 */
import type { Mailbox } from '../store/mail-store.js';
import { fetch, fetchCommand } from './fetch.js';
import { SELECTED, type Handler } from './handler.js';
import { search, searchCommand } from './search.js';
import { compactUidSet, resolveSequenceSet } from './sequence-set.js';
import type { ImapSession } from './session.js';
import { astring, type Token } from './tokenizer.js';

function targets(s: ImapSession, set: Token | undefined, byUid: boolean) {
  const visible = s.visible();
  if (set?.t !== 'atom') return null;
  const idx = resolveSequenceSet(set.v, visible.map((v) => (byUid ? v.msg.uid : v.seq)), byUid);
  return idx === null ? null : idx.map((i) => visible[i]!);
}

async function store(s: ImapSession, tag: string, args: Token[], byUid: boolean): Promise<void> {
  const msgs = targets(s, args[0], byUid);
  const op = astring(args[1])?.toUpperCase();
  const m = op === undefined ? null : /^([+-]?)FLAGS(\.SILENT)?$/.exec(op);
  const flagTok = args[2];
  const flags = flagTok?.t === 'list' ? flagTok.v.map((t) => astring(t) ?? '') : astring(flagTok) !== undefined ? [astring(flagTok)!] : null;
  if (!msgs || !m || !flags) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
  if (s.readOnly) return s.send(`${tag} NO Mailbox is read-only.`);
  const lines: string[] = [];
  for (const { seq, msg } of msgs) {
    if (m[1] === '') msg.flags = new Set(flags);
    else for (const f of flags) m[1] === '+' ? msg.flags.add(f) : msg.flags.delete(f);
    if (!m[2]) lines.push(`* ${seq} FETCH (${byUid ? `UID ${msg.uid} ` : ''}FLAGS (${[...msg.flags].join(' ')}))`);
  }
  if (lines.length) await s.send(...lines);
  await s.ok(tag, byUid ? 'UID STORE' : 'STORE');
}

async function copy(s: ImapSession, tag: string, args: Token[], byUid: boolean, move: boolean): Promise<void> {
  const msgs = targets(s, args[0], byUid);
  const name = astring(args[1]);
  if (!msgs || name === undefined) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
  const dest: Mailbox | undefined = s.ctx.store.find(s.user!, name);
  if (!dest) return s.send(`${tag} NO [TRYCREATE] ${s.texts.noMailbox}`);
  const from: number[] = [];
  const to: number[] = [];
  for (const { msg } of msgs) {
    from.push(msg.uid);
    to.push(dest.append(Buffer.from(msg.raw), msg.flags, msg.internalDate));
  }
  const code = from.length ? `COPYUID ${dest.uidValidity} ${compactUidSet(from)} ${compactUidSet(to)}` : undefined;
  const verb = `${byUid ? 'UID ' : ''}${move ? 'MOVE' : 'COPY'}`;
  if (!move) return s.ok(tag, verb, code);
  if (code) await s.send(`* OK [${code}] Moved.`);
  s.mailbox!.remove(new Set(from));
  await s.sync();
  await s.ok(tag, verb);
}

async function expunge(s: ImapSession, tag: string, args: Token[], byUid: boolean): Promise<void> {
  if (s.readOnly) return s.send(`${tag} NO Mailbox is read-only.`);
  let msgs = s.visible();
  if (byUid) {
    const chosen = targets(s, args[0], true);
    if (!chosen) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
    msgs = chosen;
  }
  s.mailbox!.remove(new Set(msgs.filter((v) => v.msg.flags.has('\\Deleted')).map((v) => v.msg.uid)));
  await s.sync();
  await s.ok(tag, byUid ? 'UID EXPUNGE' : 'EXPUNGE');
}

export const messageCommands: Record<string, Handler> = {
  FETCH: fetchCommand,
  SEARCH: searchCommand,
  STORE: { states: SELECTED, run: (s, tag, args) => store(s, tag, args, false) },
  COPY: { states: SELECTED, run: (s, tag, args) => copy(s, tag, args, false, false) },
  MOVE: { states: SELECTED, run: (s, tag, args) => copy(s, tag, args, false, true) },
  EXPUNGE: { states: SELECTED, run: (s, tag, args) => expunge(s, tag, args, false) },
  UID: {
    states: SELECTED,
    async run(s, tag, args) {
      const sub = astring(args[0])?.toUpperCase();
      const rest = args.slice(1);
      switch (sub) {
        case 'FETCH': return fetch(s, tag, rest, true);
        case 'SEARCH': return search(s, tag, rest, true);
        case 'STORE': return store(s, tag, rest, true);
        case 'COPY': return copy(s, tag, rest, true, false);
        case 'MOVE': return copy(s, tag, rest, true, true);
        case 'EXPUNGE': return expunge(s, tag, rest, true);
        default: return s.send(`${tag} BAD ${s.texts.bad('Unknown UID command.')}`);
      }
    },
  },
};
