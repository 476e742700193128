/**
 * "User not local" (RFC 5321 §3.4, §4.2.2): the SMTP form of a referral. A 251 "will
 * forward to <forward-path>" is an acceptance — the server takes the message and forwards
 * it itself — so the recipient counts as accepted. A 551 "please try <forward-path>" is a
 * refusal that names somewhere else; mailwire never sends to the forward-path a server
 * suggests (a hostile server could redirect mail, or the credentials of a new connection,
 * anywhere), so a 551 is a refused recipient like any 5xx. Errors describe a 551 in
 * mailwire's words instead of repeating the server's "please try ..." as advice; the
 * server's own text stays in `serverText` and in the refused recipient's reply.
 */
import { replyLine, type SmtpReply } from './reply.js';

export const USER_NOT_LOCAL_TRY = 551;

/** The reply as error messages show it: the server's line, or for a 551, what was not done. */
export function replyForMessage(reply: SmtpReply): string {
  if (reply.code !== USER_NOT_LOCAL_TRY) return replyLine(reply);
  const code = reply.enhancedCode === undefined ? '551' : `551 ${reply.enhancedCode}`;
  return `${code} user not local: the server suggests another address, and mailwire does not follow referrals (it sends nothing to an address or host on a server's word)`;
}
