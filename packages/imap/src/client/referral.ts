/**
 * Referrals: `[REFERRAL imap-url]` on the greeting, LOGIN or AUTHENTICATE (RFC 2221
 * LOGIN-REFERRALS) or on a mailbox command (RFC 2193 MAILBOX-REFERRALS) names another
 * server for this account or mailbox. mailwire never follows one: a server that can send
 * the client elsewhere can send it, and its credentials, to a host of its choosing (the
 * referred-to URL even says which user and mechanism to present). So a NO or BYE with a
 * referral becomes the usual typed error, in words that say the referral was not followed
 * and do not repeat the server's "try ..." as advice; the URL is only in the hint, with the
 * warning. An OK with a referral is an ordinary success on this server.
 */
import type { ResponseCode } from '../types.js';

/** The referred-to URL of a `[REFERRAL url]` code, or undefined when the code is another. */
export function referralOf(code: ResponseCode | undefined): string | undefined {
  if (code?.name !== 'REFERRAL') return undefined;
  return typeof code.value === 'string' ? code.value : '';
}

/** What mailwire says about a referral it did not follow, for an error's message. */
export function referralMessage(what: string, spec: 'RFC 2221' | 'RFC 2193'): string {
  return `${what}: the server refers the client to another server (a ${spec} referral); mailwire does not follow referrals`;
}

/** The hint for a referral: where the server pointed, and why that is not reason enough to go. */
export function referralHint(url: string): string {
  const where = url === '' ? 'another server' : url;
  return `The server named ${where} instead. Any server can name any host, so mailwire does not follow referrals on a server's word; if that host is known to serve this account, configure it as the host yourself.`;
}
