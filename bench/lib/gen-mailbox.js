// The mailbox stream: what a server sends for `A1 LIST "" "*" RETURN (STATUS (MESSAGES UIDNEXT
// UIDVALIDITY UNSEEN))` (RFC 5819) over 20,000 mailboxes: a LIST and a STATUS response for
// each, about 3.7 MB. Names are hierarchies under "/" of 1–5 levels, some with spaces (quoted),
// some with a `"` or `\` (quoted with escapes), some modified UTF-7 (`&AOQ-`), now and then
// one as a literal; attributes from \HasChildren, \HasNoChildren, \Noselect, \Marked, \Unmarked
// and the special-use ones; STATUS with four or five items. Deterministic from the seed.
import { createRng } from './prng.js';

export const MAILBOX_SEED = 20261204;
export const MAILBOX_COUNT = 20_000;

const WORDS = ['Projects', 'Clients', 'Archive', 'Invoices', 'Receipts', 'Travel', 'Team', 'Reports', 'Q1', 'Q2', 'Q3', 'Q4',
  '2023', '2024', '2025', 'Alpha', 'Beta', 'Gamma', 'Newsletters', 'Lists', 'linux-kernel', 'rust-lang', 'Family', 'Receipts old',
  'Follow up', 'Waiting for', 'Read later', 'Caf&AOk-', 'M&APw-nchen', 'B&APY-rse', 'Z&APw-rich', '&ZeVnLIqe-', 'Dev "ops"', 'a\\b'];
const SPECIAL = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\Flagged', '\\All'];

function quote(name) {
  if (/^[A-Za-z0-9&/._-]+$/.test(name) && name.toUpperCase() !== 'NIL') return name;
  return '"' + name.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

export function generateMailboxStream({ count = MAILBOX_COUNT, seed = MAILBOX_SEED, sampleEvery = 397 } = {}) {
  const rng = createRng(seed);
  const parts = [];
  const samples = {};
  let literals = 0;
  for (let i = 1; i <= count; i++) {
    const depth = rng.int(1, 5);
    const path = [];
    for (let d = 0; d < depth; d++) path.push(rng.pick(WORDS));
    path.push(String(i)); // every name is unique
    const name = path.join('/');
    const attrs = [rng.chance(0.3) ? '\\HasChildren' : '\\HasNoChildren'];
    if (rng.chance(0.05)) attrs.push('\\Noselect');
    if (rng.chance(0.1)) attrs.push(rng.chance(0.5) ? '\\Marked' : '\\Unmarked');
    if (rng.chance(0.02)) attrs.push(rng.pick(SPECIAL));
    let wireName = quote(name);
    if (rng.chance(0.01)) { wireName = `{${Buffer.byteLength(name)}}\r\n${name}`; literals++; }
    const messages = rng.int(0, 20000);
    const uidNext = messages + rng.int(1, 5000);
    const unseen = rng.int(0, Math.min(messages, 300));
    const items = [`MESSAGES ${messages}`, `UIDNEXT ${uidNext}`, `UIDVALIDITY ${1600000000 + i}`, `UNSEEN ${unseen}`];
    if (rng.chance(0.5)) items.push(`HIGHESTMODSEQ ${rng.int(1, 2 ** 40)}`);
    parts.push(`* LIST (${attrs.join(' ')}) "/" ${wireName}\r\n`);
    parts.push(`* STATUS ${wireName} (${items.join(' ')})\r\n`);
    if (i % sampleEvery === 0) samples[i] = { attributes: attrs.length, messages, unseen };
  }
  parts.push('A1 OK LIST completed (0.012 + 0.000 + 0.011 secs).\r\n');
  const buffer = Buffer.from(parts.join(''), 'latin1');
  return { buffer, expected: { count: count * 2, mailboxes: count, bytes: buffer.length, literals, tag: 'A1', samples } };
}
