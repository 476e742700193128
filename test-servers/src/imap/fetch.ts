/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2): UID, FLAGS, INTERNALDATE, RFC822.SIZE,
 * ENVELOPE, BODYSTRUCTURE, BODY, RFC822, RFC822.HEADER, RFC822.TEXT, BODY[section]<o.n>
 * and BODY.PEEK (BODY[] sets \Seen unless peeking or read-only), the macros ALL, FAST,
 * FULL, and with Gmail's X-GM-EXT-1 X-GM-MSGID, X-GM-THRID and X-GM-LABELS. The
 * oversizedLiteral fault answers the first body fetch with a literal that big.
 */
import { parseMime, type MimePart } from '../store/mime.js';
import type { StoredMessage } from '../store/mail-store.js';
import { bodyStructure, envelope } from '../store/imap-structure.js';
import { imapDateTime } from './format.js';
import { SELECTED, type Handler } from './handler.js';
import { parseSectionItem, sectionBytes } from './sections.js';
import { resolveSequenceSet } from './sequence-set.js';
import type { ImapSession } from './session.js';
import type { Token } from './tokenizer.js';

const parsed = new WeakMap<StoredMessage, MimePart>();

export function mimeOf(msg: StoredMessage): MimePart {
  let p = parsed.get(msg);
  if (!p) {
    p = parseMime(msg.raw);
    parsed.set(msg, p);
  }
  return p;
}

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SIMPLE = new Set(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT']);
const GMAIL = new Set(['X-GM-MSGID', 'X-GM-THRID', 'X-GM-LABELS']);

/** The fetch items of the command, upper-cased and with macros expanded; null when one is unknown. */
function fetchItems(s: ImapSession, tok: Token | undefined): string[] | null {
  if (!tok) return null;
  const raw = tok.t === 'list' ? tok.v : [tok];
  const items: string[] = [];
  for (const t of raw) {
    if (t.t !== 'atom') return null;
    const up = t.v.toUpperCase();
    if (tok.t !== 'list' && MACROS[up]) return MACROS[up]!;
    if (SIMPLE.has(up) || (s.texts.gmailExtensions && GMAIL.has(up)) || parseSectionItem(t.v)) items.push(up.startsWith('BODY') ? t.v : up);
    else return null;
  }
  return items;
}

function flagList(msg: StoredMessage): string {
  return `(${[...msg.flags].join(' ')})`;
}

function literal(bytes: Buffer): string {
  return `{${bytes.length}}\r\n${bytes.toString('latin1')}`;
}

/** Runs FETCH over the given messages. */
export async function fetch(s: ImapSession, tag: string, args: Token[], byUid: boolean): Promise<void> {
  const set = args[0]?.t === 'atom' ? args[0].v : undefined;
  const items = fetchItems(s, args[1]);
  const visible = s.visible();
  const indexes = set === undefined ? null : resolveSequenceSet(set, visible.map((v) => (byUid ? v.msg.uid : v.seq)), byUid);
  if (!items || indexes === null || args.length !== 2) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
  if (byUid && !items.includes('UID')) items.unshift('UID');
  const box = s.mailbox!;
  for (const i of indexes) {
    const { seq, msg } = visible[i]!;
    const out: string[] = [];
    let setSeen = false;
    for (const item of items) {
      const section = parseSectionItem(item);
      if (section) {
        if (s.ctx.faults.oversizedLiteral !== undefined && !s.oversizedSent) {
          s.oversizedSent = true;
          return oversized(s, seq, s.ctx.faults.oversizedLiteral);
        }
        let bytes = sectionBytes(mimeOf(msg), msg.raw, section.name) ?? Buffer.alloc(0);
        let key = `BODY[${section.name}]`;
        if (section.partial) {
          bytes = bytes.subarray(section.partial.offset, section.partial.offset + section.partial.length);
          key += `<${section.partial.offset}>`;
        }
        out.push(`${key} ${literal(bytes)}`);
        if (!section.peek) setSeen = true;
        continue;
      }
      switch (item) {
        case 'UID': out.push(`UID ${msg.uid}`); break;
        case 'FLAGS': out.push(`FLAGS ${flagList(msg)}`); break;
        case 'INTERNALDATE': out.push(`INTERNALDATE ${imapDateTime(msg.internalDate)}`); break;
        case 'RFC822.SIZE': out.push(`RFC822.SIZE ${msg.raw.length}`); break;
        case 'ENVELOPE': out.push(`ENVELOPE ${envelope(mimeOf(msg))}`); break;
        case 'BODYSTRUCTURE': out.push(`BODYSTRUCTURE ${bodyStructure(mimeOf(msg), true)}`); break;
        case 'BODY': out.push(`BODY ${bodyStructure(mimeOf(msg), false)}`); break;
        case 'RFC822': out.push(`RFC822 ${literal(msg.raw)}`); setSeen = true; break;
        case 'RFC822.HEADER': out.push(`RFC822.HEADER ${literal(mimeOf(msg).header)}`); break;
        case 'RFC822.TEXT': out.push(`RFC822.TEXT ${literal(mimeOf(msg).body)}`); setSeen = true; break;
        case 'X-GM-MSGID': out.push(`X-GM-MSGID ${1_700_000_000_000_000_000n + BigInt(box.uidValidity) * 1_000_000n + BigInt(msg.uid)}`); break;
        case 'X-GM-THRID': out.push(`X-GM-THRID ${1_700_000_000_000_000_000n + BigInt(box.uidValidity) * 1_000_000n + BigInt(msg.uid)}`); break;
        case 'X-GM-LABELS': out.push(`X-GM-LABELS (${box.name === 'INBOX' ? '"\\\\Inbox"' : box.specialUse ? `"\\\\${box.specialUse.slice(1)}"` : `"${box.name}"`})`); break;
      }
    }
    if (setSeen && !s.readOnly && !msg.flags.has('\\Seen')) {
      msg.flags.add('\\Seen');
      if (!items.includes('FLAGS')) out.push(`FLAGS ${flagList(msg)}`);
    }
    await s.conn.write(`* ${seq} FETCH (${out.join(' ')})\r\n`);
  }
  await s.sync();
  await s.ok(tag, byUid ? 'UID FETCH' : 'FETCH');
}

/** The oversizedLiteral fault: announce `size` bytes, stream filler while the client reads, then close. */
async function oversized(s: ImapSession, seq: number, size: number): Promise<void> {
  await s.conn.write(`* ${seq} FETCH (BODY[] {${size}}\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < size && !s.conn.ended; sent += chunk.length) {
    await s.conn.write(chunk.subarray(0, Math.min(chunk.length, size - sent)));
  }
  s.conn.destroy();
  s.state = 'logout';
}

export const fetchCommand: Handler = { states: SELECTED, run: (s, tag, args) => fetch(s, tag, args, false) };
