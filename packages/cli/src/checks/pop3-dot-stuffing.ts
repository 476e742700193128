/**
 * POP3 dot-stuffing (RFC 1939 §3): in a multi-line response every line that begins with
 * "." is sent with one more "." in front, so only the terminator is a lone ".". The check
 * reads (never deletes) up to a few of the newest small messages — TOP n with more lines
 * than any of them has where TOP is offered, else RETR — and fails any line that begins
 * with a single "." before the terminator. A body line "." the server did not stuff ends
 * the response early; the rest of the message then stands where the answer to the NOOP
 * that follows each message belongs, and the check sees it there.
 */
import type { BehaviourCheck } from './behaviour.js';
import { openForChecks, withSession } from './open-for-checks.js';
import { SCAN_LISTING, multiLineProblem, readMultiLine } from './pop3-responses.js';

/** Messages read at most, newest first. */
export const MESSAGES_READ = 5;
/** Larger messages are not read. */
export const MAX_MESSAGE_OCTETS = 256 * 1024;
/** TOP's line count: more body lines than a message under MAX_MESSAGE_OCTETS can have. */
const ALL_LINES = MAX_MESSAGE_OCTETS;

export const POP3_DOT_STUFFING: BehaviourCheck = {
  id: 'dot-stuffing',
  rfc: 'RFC 1939 §3',
  needs: 'login',
  async run(ctx, verdict) {
    return withSession(ctx, true, async ({ conn, capabilities }) => {
      await conn.send('LIST\r\n');
      const list = await readMultiLine(conn);
      const problem = multiLineProblem('LIST', list);
      if (problem) return verdict('fail', `could not get to the check: ${problem}`);
      const listings = list!.lines.filter((l) => SCAN_LISTING.test(l)).map((l) => l.split(' ').map(Number) as [number, number]);
      if (listings.length === 0) return verdict('not run', 'the mailbox is empty: no message to read');
      const chosen = listings.filter(([, size]) => size <= MAX_MESSAGE_OCTETS).sort((a, b) => b[0] - a[0]).slice(0, MESSAGES_READ).map(([n]) => n);
      if (chosen.length === 0) return verdict('not run', `all ${listings.length} messages are over ${MAX_MESSAGE_OCTETS / 1024} KiB: none read`);
      const top = capabilities.some((c) => c.split(' ')[0]!.toUpperCase() === 'TOP');
      const command = (n: number) => (top ? `TOP ${n} ${ALL_LINES}` : `RETR ${n}`);
      let stuffed = 0;
      for (const n of chosen) {
        await conn.send(`${command(n)}\r\n`);
        const r = await readMultiLine(conn);
        const wrong = multiLineProblem(command(n), r);
        if (wrong) return verdict('fail', wrong);
        const lone = r!.lines.findIndex((l) => l.startsWith('.') && !l.startsWith('..'));
        if (lone >= 0) return verdict('fail', `line ${lone + 1} of message ${n}, ${JSON.stringify(r!.lines[lone]!.slice(0, 80))}, begins with a single "." but is not the terminator: it was not dot-stuffed`);
        stuffed += r!.lines.filter((l) => l.startsWith('..')).length;
        await conn.send('NOOP\r\n');
        const noop = await conn.line();
        if (noop === null || !noop.startsWith('+OK')) {
          return verdict('fail', `after the "." that ended message ${n} the server sent ${noop === null ? 'nothing and closed' : JSON.stringify(noop.slice(0, 80))} where the NOOP's +OK belonged: a body line "." was not stuffed, and the message went on past it`);
        }
      }
      const looked = `read message${chosen.length > 1 ? 's' : ''} ${chosen.join(', ')} with ${top ? `TOP n ${ALL_LINES}` : 'RETR'}`;
      if (stuffed === 0) verdict('not run', `${looked}: none has a line beginning with ".", so nothing needed stuffing`);
      else verdict('pass', `${looked}: ${stuffed} line${stuffed > 1 ? 's' : ''} beginning with "." came stuffed as "..", each response ended by the lone "."`);
    });
  },
};
