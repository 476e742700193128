/**
 * ENVELOPE and BODYSTRUCTURE of a MimePart, formatted as IMAP sends them (RFC 9051
 * §7.5.2: envelope, body, body-type-1part, body-type-mpart, body-ext-*). Header values
 * are sent as they are in the message (not RFC 2047 decoded), as servers do.
 */
import { imapString, list, nstring } from '../imap/format.js';
import { field, parseParams, type MimePart } from './mime.js';

interface Address {
  name: string | null;
  mailbox: string | null;
  host: string | null;
}

/** Splits an address list at commas outside quotes, angle brackets and comments (RFC 5322 §3.4). */
function splitList(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  let paren = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted) { cur += c + (text[++i] ?? ''); continue; }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle++;
    else if (!quoted && c === '>') angle = Math.max(0, angle - 1);
    else if (!quoted && c === '(') paren++;
    else if (!quoted && c === ')') paren = Math.max(0, paren - 1);
    if (c === ',' && !quoted && angle === 0 && paren === 0) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Parses an address header into IMAP addresses (groups flattened). */
export function parseAddresses(value: string | undefined): Address[] {
  if (!value) return [];
  return splitList(value.replace(/^[^"<]*?:(?=[^@]*[@<;])/, '').replace(/;\s*$/, '')).map((entry) => {
    const angle = /^(.*?)<([^>]*)>/.exec(entry);
    const addr = (angle ? angle[2]! : entry.replace(/\([^)]*\)/g, '')).trim();
    let name: string | null = angle ? angle[1]!.trim() : null;
    if (name !== null && name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name === '') name = null;
    const at = addr.lastIndexOf('@');
    return at < 0 ? { name, mailbox: addr || null, host: null } : { name, mailbox: addr.slice(0, at), host: addr.slice(at + 1) };
  });
}

function addressList(addrs: Address[]): string {
  // 1*address with no space between (RFC 9051 §9 env-to etc.).
  return addrs.length === 0 ? 'NIL' : `(${addrs.map((a) => `(${nstring(a.name)} NIL ${nstring(a.mailbox)} ${nstring(a.host)})`).join('')})`;
}

/** The ENVELOPE of a message (RFC 9051 §7.5.2; sender and reply-to default to from). */
export function envelope(part: MimePart): string {
  const from = parseAddresses(field(part, 'from'));
  const sender = parseAddresses(field(part, 'sender'));
  const replyTo = parseAddresses(field(part, 'reply-to'));
  return list([
    nstring(field(part, 'date')),
    nstring(field(part, 'subject')),
    addressList(from),
    addressList(sender.length ? sender : from),
    addressList(replyTo.length ? replyTo : from),
    addressList(parseAddresses(field(part, 'to'))),
    addressList(parseAddresses(field(part, 'cc'))),
    addressList(parseAddresses(field(part, 'bcc'))),
    nstring(field(part, 'in-reply-to')),
    nstring(field(part, 'message-id')),
  ]);
}

function paramList(params: Record<string, string>): string {
  const items = Object.entries(params).flatMap(([k, v]) => [imapString(k.toUpperCase()), imapString(v)]);
  return list(items, true);
}

function lineCount(body: Buffer): number {
  let n = 0;
  for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, i + 1)) n++;
  // A last line without its line end (before a boundary) still counts, as Dovecot does.
  return body.length > 0 && body[body.length - 1] !== 0x0a ? n + 1 : n;
}

function disposition(part: MimePart): string {
  const value = field(part, 'content-disposition');
  if (!value) return 'NIL';
  const { value: type, params } = parseParams(value);
  return `(${imapString(type.toUpperCase())} ${paramList(params)})`;
}

/** BODYSTRUCTURE (extensible = true) or BODY (false) of a part (RFC 9051 §7.5.2). */
export function bodyStructure(part: MimePart, extensible: boolean): string {
  if (part.type === 'multipart' && part.parts.length > 0) {
    const children = part.parts.map((p) => bodyStructure(p, extensible)).join('');
    const ext = extensible ? ` ${paramList(part.params)} ${disposition(part)} NIL NIL` : '';
    return `(${children} ${imapString(part.subtype.toUpperCase())}${ext})`;
  }
  const type = part.type === 'multipart' ? 'text' : part.type;
  const subtype = part.type === 'multipart' ? 'plain' : part.subtype;
  const items = [
    imapString(type.toUpperCase()),
    imapString(subtype.toUpperCase()),
    paramList(part.params),
    nstring(field(part, 'content-id')),
    nstring(field(part, 'content-description')),
    imapString((field(part, 'content-transfer-encoding') ?? '7BIT').toUpperCase()),
    String(part.body.length),
  ];
  if (part.message) items.push(envelope(part.message), bodyStructure(part.message, extensible), String(lineCount(part.body)));
  else if (type === 'text') items.push(String(lineCount(part.body)));
  if (extensible) items.push(nstring(field(part, 'content-md5')), disposition(part), 'NIL', 'NIL');
  return list(items);
}
