/**
 * ENVELOPE (RFC 9051 §7.5.2, §9; RFC 3501 §7.4.2).
 *
 *   envelope  = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
 *               env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
 *   env-from  = "(" 1*address ")" / nil            (the same for sender, reply-to, to, cc, bcc)
 *   address   = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
 *
 * Strings are kept as sent (RFC 2047 words are not decoded). Group syntax (RFC 9051
 * §7.5.2: a NIL host marks a group start or end) is kept as the addresses it is made of.
 * Quirks: `unescapedQuotesInEnvelope` (iCloud): a DQUOTE inside a quoted string that is
 * not followed by SP or ")" is data; `spaceBeforeAddressEnd` (Yahoo): one SP before the ")"
 * closing an address.
 */
import type { ImapReader } from '@mailwire/wire';
import type { Address, Envelope } from '../types.js';
import type { ImapQuirks } from '../quirks.js';

/** An nstring of ENVELOPE, with the iCloud quote quirk where enabled. */
function envString(r: ImapReader, quirks: ImapQuirks): string | null {
  if (r.scanQuoted(quirks.unescapedQuotesInEnvelope)) return r.quotedValue();
  return r.expectNString();
}

function readAddress(r: ImapReader, quirks: ImapQuirks): Address {
  r.expectListBegin();
  const name = envString(r, quirks);
  r.expectSP();
  const adl = envString(r, quirks);
  r.expectSP();
  const mailbox = envString(r, quirks);
  r.expectSP();
  const host = envString(r, quirks);
  if (quirks.spaceBeforeAddressEnd && r.peek() === 0x20 && r.bytes[r.pos + 1] === 0x29) r.pos++;
  r.expectListEnd();
  const a: Address = { name, mailbox, host };
  if (adl !== null) a.adl = adl;
  return a;
}

/** env-from and its kin: a list of addresses or NIL (read as []). */
export function readAddressList(r: ImapReader, quirks: ImapQuirks): Address[] {
  if (r.nil()) return [];
  r.expectListBegin();
  const out: Address[] = [];
  while (!r.listEnd()) {
    out.push(readAddress(r, quirks));
    r.sp(); // some servers separate addresses with SP; the grammar does not
  }
  return out;
}

/** envelope = "(" ... ")" */
export function readEnvelope(r: ImapReader, quirks: ImapQuirks): Envelope {
  r.expectListBegin();
  const date = envString(r, quirks);
  r.expectSP();
  const subject = envString(r, quirks);
  r.expectSP();
  const from = readAddressList(r, quirks);
  r.expectSP();
  const sender = readAddressList(r, quirks);
  r.expectSP();
  const replyTo = readAddressList(r, quirks);
  r.expectSP();
  const to = readAddressList(r, quirks);
  r.expectSP();
  const cc = readAddressList(r, quirks);
  r.expectSP();
  const bcc = readAddressList(r, quirks);
  r.expectSP();
  const inReplyTo = envString(r, quirks);
  r.expectSP();
  const messageId = envString(r, quirks);
  r.expectListEnd();
  return { date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo, messageId };
}
