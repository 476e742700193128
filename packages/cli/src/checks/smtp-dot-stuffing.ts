/**
 * SMTP dot-stuffing (RFC 5321 §4.5.2), tried by sending one real message: to --user
 * itself, after logging in, and only with --send-test-message (a conformance check should
 * not deliver mail unasked). Its body has lines that begin with "." — one that is just
 * "." and one that is just ".." before stuffing — so the data end ("." alone on a line)
 * is preceded by lines that end the data early on a server that unstuffs first and looks
 * for the end after, or looks for "." anywhere. Such a server answers the rest of the body
 * as commands; the check sees it in the reply to the NOOP that follows the message.
 */
import { dotStuff } from '@mailwire/wire';

import type { BehaviourCheck } from './behaviour.js';
import { openForChecks, withSession } from './open-for-checks.js';
import { readReply, replyCode, replyShape } from './smtp-replies.js';

/** The body lines that begin with "." (before stuffing), in the order sent. */
export const DOT_LINES = ['.a line that begins with a dot', '.', '..', '.. and one with two'];

/** The test message: plain ASCII, addressed to `user`, with the dot lines in its body; its Message-ID is made of the time it was sent. */
export function dotStuffingMessage(user: string, date: Date = new Date()): string {
  return [
    `From: <${user}>`,
    `To: <${user}>`,
    'Subject: mailwire check: dot-stuffing test (RFC 5321 section 4.5.2)',
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <mailwire-check-${date.getTime().toString(36)}@mailwire.invalid>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'mailwire check sent this message to you to see how the server reads lines that begin',
    'with a dot. The next lines must arrive exactly as written:',
    ...DOT_LINES,
    'The last line.',
    '',
  ].join('\r\n');
}

export const SMTP_DOT_STUFFING: BehaviourCheck = {
  id: 'dot-stuffing',
  rfc: 'RFC 5321 §4.5.2',
  needs: 'login',
  async run(ctx, verdict) {
    if (!ctx.sendTestMessage) return verdict('not run', 'sends one message to USER: give --send-test-message to run it');
    const user = ctx.user!;
    return withSession(ctx, true, async ({ conn }) => {
      for (const [command, code] of [[`MAIL FROM:<${user}>`, '250'], [`RCPT TO:<${user}>`, '25'], ['DATA', '354']] as const) {
        await conn.send(`${command}\r\n`);
        const reply = await readReply(conn);
        if (reply === null || !replyCode(reply).startsWith(code)) {
          return verdict('fail', `could not get to the check: ${command} got ${reply === null ? 'no reply: the connection closed' : replyShape(reply)}`);
        }
      }
      await conn.send(Buffer.from(dotStuff(Buffer.from(dotStuffingMessage(user), 'latin1'))).toString('latin1'));
      const accepted = await readReply(conn);
      if (accepted === null) return verdict('fail', 'the connection closed after the message instead of a reply');
      if (replyCode(accepted) !== '250') return verdict('fail', `the message (body lines beginning with "." stuffed as "..") got ${replyShape(accepted)}, not 250`);
      await conn.send('NOOP\r\n');
      const noop = await readReply(conn);
      if (noop === null || replyCode(noop) !== '250') {
        return verdict('fail', `the server ended the data before the lone ".": after its 250 it answered ${noop === null ? 'nothing and closed' : replyShape(noop)} where the NOOP's 250 belonged — the rest of the body was read as commands`);
      }
      verdict('pass', `one message sent to ${user} with lines beginning "." (stuffed, one of them "..", one "..."): one 250 after the lone ".", then the NOOP's`);
    });
  },
};
