/**
 * IMAP mailbox commands (RFC 9051 §6.3): SELECT, EXAMINE, CREATE, DELETE, RENAME,
 * SUBSCRIBE, UNSUBSCRIBE, LIST/LSUB (and Gmail's XLIST) with special-use attributes
 * (RFC 6154), STATUS, APPEND with APPENDUID (RFC 4315), and CLOSE/UNSELECT (RFC 3691).
 */
import type { Mailbox } from '../store/mail-store.js';
import { mailboxName } from './format.js';
import { AUTHED, SELECTED, type Handler } from './handler.js';
import type { ImapSession } from './session.js';
import { astring, type Token } from './tokenizer.js';

const FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

function findBox(s: ImapSession, name: string | undefined): Mailbox | undefined {
  return name === undefined ? undefined : s.ctx.store.find(s.user!, name);
}

async function noMailbox(s: ImapSession, tag: string, name = ''): Promise<void> {
  await s.send(`${tag} NO ${s.texts.noMailbox}${s.texts.noMailbox.endsWith(': ') ? name : ''}`);
}

async function select(s: ImapSession, tag: string, args: Token[], name: string): Promise<void> {
  const box = findBox(s, astring(args[0]));
  if (!box) {
    s.select(null, false);
    return noMailbox(s, tag, astring(args[0]));
  }
  const readOnly = name === 'EXAMINE';
  s.select(box, readOnly);
  const unseen = box.messages.findIndex((m) => !m.flags.has('\\Seen'));
  await s.send(
    `* FLAGS (${FLAGS})`,
    `* OK [PERMANENTFLAGS (${readOnly ? '' : `${FLAGS} \\*`})] Flags permitted.`,
    `* ${box.messages.length} EXISTS`,
    '* 0 RECENT',
    ...(unseen >= 0 ? [`* OK [UNSEEN ${unseen + 1}] First unseen.`] : []),
    `* OK [UIDVALIDITY ${box.uidValidity}] UIDs valid`,
    `* OK [UIDNEXT ${box.uidNext}] Predicted next UID`,
  );
  await s.send(`${tag} OK ${s.texts.selectOk(readOnly, name)}`);
}

/**
 * LIST pattern matching (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the
 * delimiter. The positions of the name a pattern prefix can reach, one pattern character at
 * a time: linear in the pattern, so a client's megabyte-long pattern costs no more than its
 * reading (a regular expression built from it was too large for the engine).
 */
function patternMatcher(reference: string, pattern: string): (name: string) => boolean {
  const full = reference + pattern;
  const fold = /^inbox$/i.test(full);
  const pat = fold ? full.toUpperCase() : full;
  return (mailbox) => {
    const name = fold ? mailbox.toUpperCase() : mailbox;
    let reach = new Set([0]);
    for (const c of pat) {
      const next = new Set<number>();
      for (const at of reach) {
        if (c === '*' || c === '%') {
          for (let end = at; end <= name.length; end++) {
            next.add(end);
            if (c === '%' && name[end] === '/') break;
          }
        } else if (name[at] === c) next.add(at + 1);
      }
      if (next.size === 0) return false;
      reach = next;
    }
    return reach.has(name.length);
  };
}

async function list(s: ImapSession, tag: string, args: Token[], name: string): Promise<void> {
  const reference = astring(args[0]);
  const pattern = astring(args[1]);
  if (reference === undefined || pattern === undefined) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
  const verb = name === 'XLIST' ? 'XLIST' : name;
  if (pattern === '') {
    await s.send(`* ${verb} (\\Noselect) "/" ""`);
    return s.ok(tag, name);
  }
  const matches = patternMatcher(reference, pattern);
  const boxes = [...s.ctx.store.mailboxes(s.user!).values()];
  const lines: string[] = [];
  for (const box of boxes) {
    if (!matches(box.name) || (name === 'LSUB' && !box.subscribed)) continue;
    const children = boxes.some((b) => b.name.startsWith(`${box.name}/`));
    const attrs = [children ? '\\HasChildren' : '\\HasNoChildren'];
    if (box.specialUse && name !== 'LSUB') attrs.push(box.specialUse);
    lines.push(`* ${verb} (${attrs.join(' ')}) "/" ${mailboxName(box.name)}`);
  }
  if (lines.length) await s.send(...lines);
  await s.ok(tag, name);
}

async function status(s: ImapSession, tag: string, args: Token[]): Promise<void> {
  const box = findBox(s, astring(args[0]));
  const items = args[1]?.t === 'list' ? args[1].v.map((t) => astring(t)?.toUpperCase() ?? '') : null;
  if (!items) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
  if (!box) return noMailbox(s, tag, astring(args[0]));
  const values: Record<string, number> = {
    MESSAGES: box.messages.length,
    RECENT: 0,
    UIDNEXT: box.uidNext,
    UIDVALIDITY: box.uidValidity,
    UNSEEN: box.messages.filter((m) => !m.flags.has('\\Seen')).length,
    SIZE: box.messages.reduce((n, m) => n + m.raw.length, 0),
  };
  const out: string[] = [];
  for (const item of items) {
    if (!(item in values)) return s.send(`${tag} BAD ${s.texts.bad(`Unknown STATUS item ${item}.`)}`);
    out.push(`${item} ${values[item]}`);
  }
  await s.send(`* STATUS ${mailboxName(box.name)} (${out.join(' ')})`);
  await s.ok(tag, 'STATUS');
}

async function append(s: ImapSession, tag: string, args: Token[]): Promise<void> {
  const box = findBox(s, astring(args[0]));
  let i = 1;
  let flags: string[] = [];
  if (args[i]?.t === 'list') flags = (args[i++] as { v: Token[] }).v.map((t) => astring(t) ?? '');
  let date = s.ctx.store.now();
  if (args[i]?.t === 'string' && args[i + 1] !== undefined) {
    const parsed = new Date(String(astring(args[i++])).replace(/^(\d+)-(\w+)-(\d+) /, '$2 $1 $3 '));
    if (!Number.isNaN(parsed.getTime())) date = parsed;
  }
  const literal = args[i];
  if (literal?.t !== 'string' || args.length !== i + 1) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
  if (!box) return s.send(`${tag} NO [TRYCREATE] ${s.texts.noMailbox}`);
  if (literal.v.length > s.ctx.limits.maxMessageBytes) return s.send(`${tag} NO [TOOBIG] Message too large.`);
  const uid = box.append(literal.v, flags.filter((f) => f !== '\\Recent'), date);
  await s.sync();
  await s.ok(tag, 'APPEND', `APPENDUID ${box.uidValidity} ${uid}`);
}

function simple(fn: (s: ImapSession, name: string, arg2?: string) => boolean, command: string): Handler {
  return {
    states: AUTHED,
    async run(s, tag, args) {
      const name = astring(args[0]);
      if (name === undefined) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
      if (!fn(s, name, astring(args[1]))) return s.send(`${tag} NO ${s.texts.noMailbox}${s.texts.noMailbox.endsWith(': ') ? name : ''}`);
      await s.ok(tag, command);
    },
  };
}

export const mailboxCommands: Record<string, Handler> = {
  SELECT: { states: AUTHED, run: select },
  EXAMINE: { states: AUTHED, run: select },
  LIST: { states: AUTHED, run: list },
  LSUB: { states: AUTHED, run: list },
  XLIST: { states: AUTHED, run: list },
  STATUS: { states: AUTHED, run: status },
  APPEND: { states: AUTHED, run: append },
  CREATE: simple((s, n) => s.ctx.store.create(s.user!, n.replace(/\/$/, '')) !== null, 'CREATE'),
  DELETE: simple((s, n) => s.ctx.store.delete(s.user!, n), 'DELETE'),
  RENAME: simple((s, from, to) => to !== undefined && s.ctx.store.rename(s.user!, from, to), 'RENAME'),
  SUBSCRIBE: simple((s, n) => { const b = findBox(s, n); if (b) b.subscribed = true; return !!b; }, 'SUBSCRIBE'),
  UNSUBSCRIBE: simple((s, n) => { const b = findBox(s, n); if (b) b.subscribed = false; return !!b; }, 'UNSUBSCRIBE'),
  CLOSE: {
    states: SELECTED,
    async run(s, tag) {
      const box = s.mailbox!;
      if (!s.readOnly) box.remove(new Set(box.messages.filter((m) => m.flags.has('\\Deleted')).map((m) => m.uid)));
      s.select(null, false);
      await s.ok(tag, 'CLOSE');
    },
  },
  UNSELECT: {
    states: SELECTED,
    async run(s, tag) {
      s.select(null, false);
      await s.ok(tag, 'UNSELECT');
    },
  },
};
