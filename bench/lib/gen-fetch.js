// The FETCH stream: what a server sends for
//   A1 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)
// on a mailbox of `count` messages, built deterministically from a seed. Each response
// carries a realistic envelope (RFC 2047 encoded-words, quoted strings with escapes, NIL
// fields, several To/Cc, In-Reply-To, Message-ID) and a nested body structure (single
// parts, alternative inside mixed, related, attachments, message/rfc822 now and then, with
// the extension data: md5, disposition, language, location). A few strings go as literals
// ({n} with quotes, CR/LF or 8-bit bytes inside), the way servers send them.

import { createRng } from './prng.js';

export const FETCH_SEED = 20261123;
export const FETCH_COUNT = 50_000;
export const FETCH_TAG = 'A1';

const FIRST = ['John', 'Mary', 'Ahmed', 'Priya', 'Wei', 'Olga', 'Carlos', 'Fatima', 'Lars', 'Aiko',
  'Noah', 'Emma', 'Liam', 'Sofia', 'Lucas', 'Chloé', 'Jörg', 'Zoë', 'Łukasz', 'Søren', 'Ana', 'Dmitri'];
const LAST = ['Smith', 'García', 'Müller', 'Nguyen', 'Kowalski', 'Okafor', 'Rossi', 'Johansson',
  'Tanaka', 'Dubois', 'Brown', 'Schäfer', 'Ivanova', 'Patel', "O'Brien", 'Van der Berg', 'Ørsted'];
const CJK = ['张伟', '李娜', '田中太郎', '김민준', 'Иван Петров', 'Αλέξανδρος'];
const DOMAINS = ['example.com', 'mail.example.org', 'contoso.onmicrosoft.com', 'fabrikam.co.uk',
  'lists.example.net', 'gmail.com', 'outlook.com', 'students.uni-example.de', 'corp.example.jp'];
const LISTS = ['announce', 'dev', 'users', 'noreply', 'notifications', 'billing', 'support', 'team'];
const WORDS = ['quarterly', 'report', 'meeting', 'update', 'invoice', 'project', 'review', 'draft',
  'agenda', 'budget', 'release', 'notes', 'schedule', 'proposal', 'contract', 'feedback', 'roadmap',
  'deadline', 'summary', 'minutes', 'travel', 'expenses', 'onboarding', 'migration', 'incident',
  'security', 'newsletter', 'weekly', 'digest', 'your', 'the', 'for', 'about', 'and', 'new', 'final'];
const UNICODE_SUBJECTS = ['Café meeting tomorrow', 'Grüße aus München', 'Résumé – final version',
  'Ελληνικά θέματα', 'Новый отчёт за квартал', '会議の議事録', '周报：第三季度', 'Ünïcødé ✓ done',
  'Señor García’s invoice', '회의 일정 변경'];
const FLAGSETS = ['(\\Seen)', '(\\Seen \\Answered)', '()', '(\\Seen $NotJunk NonJunk)', '(\\Flagged \\Seen)',
  '(\\Seen $Forwarded)', '($Junk)', '(\\Seen \\Answered $Label1)', '(\\Draft)', '(\\Recent)'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const ZONES = ['+0000', '+0100', '-0500', '+0530', '+0900', '-0800', '+0200'];
const ATTACH = [
  ['APPLICATION', 'PDF', 'report.pdf'], ['APPLICATION', 'VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT', 'proposal.docx'],
  ['APPLICATION', 'ZIP', 'archive.zip'], ['IMAGE', 'PNG', 'screenshot.png'], ['IMAGE', 'JPEG', 'IMG_2041.JPG'],
  ['TEXT', 'CALENDAR', 'invite.ics'], ['APPLICATION', 'OCTET-STREAM', 'data.bin'], ['TEXT', 'CSV', 'export.csv'],
];

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const qEncode = (s, charset = 'utf8') => {
  let out = '';
  for (const byte of Buffer.from(s, charset)) {
    if (byte === 0x20) out += '_';
    else if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) out += String.fromCharCode(byte);
    else out += '=' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
};
const ascii = (s) => s.normalize('NFD').toLowerCase().replace(/[^a-z]/g, '');
const pad2 = (n) => (n < 10 ? '0' + n : '' + n);

/** Leaf parts of a body structure, not descending into an attached message. */
export function leafCount(bs) {
  if (!bs) return 0;
  if (Array.isArray(bs.parts)) return bs.parts.reduce((n, p) => n + leafCount(p), 0);
  return 1;
}

export function generateFetchStream({ count = FETCH_COUNT, seed = FETCH_SEED, sampleEvery = 997 } = {}) {
  const rng = createRng(seed);
  const parts = [];
  const samples = {};
  const hardSeen = {};
  let pending = [];
  let pendingLen = 0;
  const flush = () => {
    if (pending.length) parts.push(Buffer.from(pending.join(''), 'utf8'));
    pending = [];
    pendingLen = 0;
  };

  /** An IMAP string for a value (null -> NIL): quoted with escapes, or a literal where it must be. */
  const str = (s, literalChance = 0) => {
    if (s === null) return 'NIL';
    // eslint-disable-next-line no-control-regex
    if (/[\r\n\u0080-\uffff]/.test(s) || (literalChance && rng.chance(literalChance))) {
      return '{' + Buffer.byteLength(s, 'utf8') + '}\r\n' + s;
    }
    return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  };

  const words = (lo, hi) => {
    const n = rng.int(lo, hi);
    const w = [];
    for (let i = 0; i < n; i++) w.push(rng.pick(WORDS));
    w[0] = w[0][0].toUpperCase() + w[0].slice(1);
    return w.join(' ');
  };
  const encodedWord = (text) => {
    const r = rng.float();
    if (r < 0.45) return '=?UTF-8?B?' + b64(text) + '?=';
    if (r < 0.9) return '=?utf-8?Q?' + qEncode(text) + '?=';
    // Latin-1 where the text fits it, as older clients send it
    if (/^[\x00-\xff]*$/.test(text)) return '=?ISO-8859-1?Q?' + qEncode(text, 'latin1') + '?=';
    return '=?UTF-8?Q?' + qEncode(text) + '?=';
  };

  const personName = () => {
    const r = rng.float();
    if (r < 0.18) return null;
    const first = rng.pick(FIRST), last = rng.pick(LAST);
    const plain = first + ' ' + last;
    if (r < 0.25) return encodedWord(rng.pick(CJK));
    if (/[^\x00-\x7f]/.test(plain)) return encodedWord(plain);
    if (r < 0.33) return last + ', ' + first;
    if (r < 0.37) return '"' + first + '" ' + last; // quotes inside the quoted string
    if (r < 0.39) return 'CORP\\' + first.toLowerCase(); // a backslash inside
    return plain;
  };
  const mailbox = () => (rng.chance(0.7)
    ? ascii(rng.pick(FIRST)) + '.' + ascii(rng.pick(LAST))
    : rng.pick(LISTS));
  const address = () => '(' + str(personName(), 0.01) + ' NIL ' + str(mailbox()) + ' ' + str(rng.pick(DOMAINS)) + ')';
  const addressList = (lo, hi) => {
    const n = rng.int(lo, hi);
    if (n === 0) return 'NIL';
    if (rng.chance(0.01)) return '((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))'; // a group
    let s = '(';
    for (let i = 0; i < n; i++) s += address();
    return s + ')';
  };
  const msgId = () => '<' + rng.int(1e8, 4e9).toString(36) + '.' + rng.int(1e6, 9e8).toString(16) + '@' + rng.pick(DOMAINS) + '>';
  const rfc822Date = () => {
    if (rng.chance(0.01)) return null;
    const d = DAYS[rng.int(0, 6)] + ', ' + rng.int(1, 28) + ' ' + rng.pick(MONTHS) + ' ' + rng.int(2015, 2026) + ' ' +
      pad2(rng.int(0, 23)) + ':' + pad2(rng.int(0, 59)) + ':' + pad2(rng.int(0, 59)) + ' ' + rng.pick(ZONES);
    return rng.chance(0.1) ? d + ' (UTC)' : d;
  };
  const subject = () => {
    const r = rng.float();
    if (r < 0.02) return null;
    let s;
    if (r < 0.25) s = encodedWord(rng.pick(UNICODE_SUBJECTS));
    else if (r < 0.3) s = words(1, 3) + ' "' + words(1, 2) + '" ' + words(1, 3);
    else if (r < 0.31) s = 'Path C:\\Users\\' + rng.pick(FIRST) + '\\Documents';
    else if (r < 0.33) s = words(3, 8) + '\r\n ' + words(2, 6); // a folded header the server kept raw
    else if (r < 0.34) s = rng.pick(UNICODE_SUBJECTS); // raw 8-bit UTF-8 in the header
    else s = words(2, 9);
    if (rng.chance(0.3)) s = (rng.chance(0.8) ? 'Re: ' : 'Fwd: ') + s;
    return s;
  };
  const envelope = (sample) => {
    const date = rfc822Date();
    const subj = subject();
    const from = addressList(1, 1);
    const sender = rng.chance(0.9) ? from : addressList(1, 1);
    const replyTo = rng.chance(0.85) ? from : addressList(1, 1);
    const to = addressList(1, 7);
    const cc = rng.chance(0.45) ? addressList(1, 5) : 'NIL';
    const bcc = rng.chance(0.03) ? addressList(1, 2) : 'NIL';
    const inReplyTo = rng.chance(0.4) ? msgId() : null;
    const messageId = rng.chance(0.97) ? msgId() : null;
    if (sample) Object.assign(sample, { subject: subj, messageId, inReplyTo, date });
    return '(' + str(date) + ' ' + str(subj, 0.02) + ' ' + from + ' ' + sender + ' ' + replyTo + ' ' + to + ' ' + cc + ' ' + bcc +
      ' ' + str(inReplyTo) + ' ' + str(messageId) + ')';
  };

  const language = () => {
    const r = rng.float();
    if (r < 0.8) return 'NIL';
    if (r < 0.93) return '"' + rng.pick(['en', 'EN-US', 'de', 'fr', 'ja']) + '"';
    return '("en" "de")';
  };
  const location = () => (rng.chance(0.03) ? '"http://www.example.com/parts/' + rng.int(1, 99999) + '"' : 'NIL');
  const boundary = () => '("BOUNDARY" "' + rng.pick(['----=_Part_', '_000_', 'Apple-Mail=_', '==boundary_']) +
    rng.int(1e6, 9e9).toString(16) + '"' + (rng.chance(0.2) ? ' "CHARSET" "UTF-8"' : '') + ')';

  // Each returns [text, leaves].
  const textPart = (subtype) => {
    const size = rng.logInt(200, 120_000);
    const lines = Math.max(1, Math.round(size / rng.int(40, 76)));
    const enc = rng.pick(['7BIT', 'QUOTED-PRINTABLE', '8BIT', 'BASE64']);
    const charset = rng.pick(['utf-8', 'UTF-8', 'iso-8859-1', 'us-ascii', 'windows-1252']);
    const params = rng.chance(0.1) ? '("CHARSET" "' + charset + '" "FORMAT" "flowed")' : '("CHARSET" "' + charset + '")';
    const disp = rng.chance(0.15) ? '("inline" NIL)' : 'NIL';
    return ['("TEXT" "' + subtype + '" ' + params + ' NIL NIL "' + enc + '" ' + size + ' ' + lines + ' NIL ' + disp + ' ' +
      language() + ' ' + location() + ')', 1];
  };
  const attachment = () => {
    const [type, subtype, file] = rng.pick(ATTACH);
    const size = rng.logInt(800, 8_000_000);
    const name = rng.chance(0.15) ? encodedWord('Überblick ' + file) : file;
    const fileParam = rng.chance(0.08)
      ? '"FILENAME*" "utf-8\'\'r%C3%A9sum%C3%A9%20' + file + '"'
      : '"FILENAME" ' + str(name);
    const md5 = rng.chance(0.05) ? '"' + b64(String(rng.int(1, 1e9))).slice(0, 22) + '=="' : 'NIL';
    const lines = type === 'TEXT' ? ' ' + Math.round(size / 60) : '';
    const id = type === 'IMAGE' && rng.chance(0.4) ? '"<' + file + '@01DA' + rng.int(1e6, 9e6) + '>"' : 'NIL';
    return ['("' + type + '" "' + subtype + '" ("NAME" ' + str(name) + ') ' + id + ' NIL "BASE64" ' + size + lines + ' ' + md5 +
      ' ("attachment" (' + fileParam + ' "SIZE" "' + Math.round(size * 0.74) + '")) ' + language() + ' ' + location() + ')', 1];
  };
  const inlineImage = () => {
    const size = rng.logInt(2000, 400_000);
    const file = 'image' + pad2(rng.int(1, 20)) + '.' + rng.pick(['png', 'jpg', 'gif']);
    return ['("IMAGE" "' + rng.pick(['PNG', 'JPEG', 'GIF']) + '" ("NAME" "' + file + '") "<' + file + '@01DA' + rng.int(1e6, 9e6) +
      '.' + rng.int(1e6, 9e6) + '>" "' + file + '" "BASE64" ' + size + ' NIL ("inline" ("FILENAME" "' + file + '")) NIL NIL)', 1];
  };
  const multipart = (subtype, children) => {
    let text = '(';
    let leaves = 0;
    for (const [t, n] of children) { text += t; leaves += n; }
    return [text + ' "' + subtype + '" ' + boundary() + ' NIL ' + language() + ' ' + location() + ')', leaves];
  };
  const alternative = () => multipart('ALTERNATIVE', [textPart('PLAIN'), textPart('HTML')]);
  const related = () => {
    const kids = [textPart('HTML')];
    for (let i = rng.int(1, 3); i > 0; i--) kids.push(inlineImage());
    return multipart('RELATED', kids);
  };
  const rfc822 = (depth) => {
    const inner = body(depth + 1);
    const size = rng.logInt(2000, 3_000_000);
    return ['("MESSAGE" "RFC822" ' + (rng.chance(0.3) ? '("NAME" "forwarded.eml")' : 'NIL') + ' NIL NIL "7BIT" ' + size + ' ' +
      envelope(null) + ' ' + inner[0] + ' ' + Math.round(size / 70) + ' NIL ' +
      (rng.chance(0.5) ? '("attachment" NIL)' : 'NIL') + ' NIL NIL)', 1];
  };
  const body = (depth = 0) => {
    const r = rng.float();
    if (r < 0.33) return textPart('PLAIN');
    if (r < 0.42) return textPart('HTML');
    if (r < 0.66) return alternative();
    if (r < 0.88 || depth > 1) {
      const kids = [rng.chance(0.7) ? alternative() : textPart('PLAIN')];
      for (let i = rng.int(1, 3); i > 0; i--) kids.push(attachment());
      return multipart('MIXED', kids);
    }
    if (r < 0.95) {
      const kids = [multipart('ALTERNATIVE', [textPart('PLAIN'), related()])];
      if (rng.chance(0.5)) kids.push(attachment());
      return multipart('MIXED', kids);
    }
    return multipart('MIXED', [textPart('PLAIN'), rfc822(depth)]);
  };

  let uid = rng.int(1, 400);
  for (let seq = 1; seq <= count; seq++) {
    uid += rng.chance(0.9) ? 1 : rng.int(2, 40);
    const sample = { uid }; // every message's source data; the samples are chosen below
    const size = rng.logInt(900, 12_000_000);
    const internal = pad2(rng.int(1, 28)) + '-' + rng.pick(MONTHS) + '-' + rng.int(2015, 2026) + ' ' + pad2(rng.int(0, 23)) + ':' +
      pad2(rng.int(0, 59)) + ':' + pad2(rng.int(0, 59)) + ' ' + rng.pick(ZONES);
    const flags = rng.pick(FLAGSETS);
    const env = envelope(sample);
    const [bs, leaves] = body(0);
    const line = '* ' + seq + ' FETCH (UID ' + uid + ' FLAGS ' + flags + ' INTERNALDATE "' + internal + '" RFC822.SIZE ' + size +
      ' ENVELOPE ' + env + ' BODYSTRUCTURE ' + bs + ')\r\n';
    Object.assign(sample, { seq, size, internalDate: internal, leaves, flagCount: flags === '()' ? 0 : flags.split(' ').length });
    // Checked: every sampleEvery-th message, the first and last, and the first few of each
    // hard case (a subject sent as a literal, with CR LF, with an escaped quote or backslash,
    // with raw 8-bit bytes, NIL).
    const subj = sample.subject;
    const hard = subj === null ? 'nil' : /\r\n/.test(subj) ? 'crlf' : /"/.test(subj) ? 'quote' : /\\/.test(subj) ? 'backslash' :
      /[^\x00-\x7f]/.test(subj) ? '8bit' : null;
    if (seq === 1 || seq === count || seq % sampleEvery === 0 || (hard && (hardSeen[hard] = (hardSeen[hard] ?? 0) + 1) <= 5)) {
      samples[seq] = sample;
    }
    pending.push(line);
    pendingLen += line.length;
    if (pendingLen > 1 << 20) flush();
  }
  pending.push(FETCH_TAG + ' OK Fetch completed (0.412 + 0.000 + 0.411 secs).\r\n');
  flush();
  const buffer = Buffer.concat(parts);
  return { buffer, expected: { count, bytes: buffer.length, tag: FETCH_TAG, samples } };
}

/** Cuts a buffer into fixed-size chunks (views, no copies), as a socket would deliver it. */
export function toChunks(buffer, size = 64 * 1024) {
  const chunks = [];
  for (let i = 0; i < buffer.length; i += size) chunks.push(buffer.subarray(i, Math.min(i + size, buffer.length)));
  return chunks;
}
