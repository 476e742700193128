/**
 * SMTP behaviour checks: what the server does with commands a client may send, tested on
 * the wire (not read from EHLO). Each check opens its own connection, so one that leaves
 * the server confused cannot spoil the next. Only harmless commands are sent (NOOP, RSET,
 * HELP, EHLO, an unknown verb, MAIL/RCPT without DATA); the one check that delivers a
 * message (dot-stuffing, to --user itself) runs only with --send-test-message.
 */
import type { BehaviourCheck } from './behaviour.js';
import type { CheckConnection } from './check-connection.js';
import type { ConnectContext } from './context.js';
import type { LineProbe } from './longest-line.js';
import { EHLO_NAME, openForChecks, withSession, smtpLast } from './open-for-checks.js';
import { SMTP_DOT_STUFFING } from './smtp-dot-stuffing.js';
import { readReply, replyCode, replyProblem, replyShape } from './smtp-replies.js';

/** RFC 5321 §4.5.3.1.4: a command line of 512 octets, CRLF included, must be accepted. */
export const SMTP_COMMAND_LINE = 512;

/** "NOOP xxx...\r\n", exactly `octets` long with its CRLF. */
export function noopOfLength(octets: number): string {
  return `NOOP ${'x'.repeat(octets - 'NOOP \r\n'.length)}\r\n`;
}

/** A verb no server knows: its reply (5xx) tells one reply from the next in a group. */
export const UNKNOWN_VERB = 'XMAILWIRE';

/** NOOP takes a string argument (RFC 5321 §4.1.1.9), so a 512-octet NOOP is a legal command the server must answer 250. */
const lineLength: BehaviourCheck = {
  id: 'line-length',
  rfc: 'RFC 5321 §4.5.3.1.4',
  async run(ctx, verdict) {
    return withSession(ctx, false, async ({ conn }) => {
      await conn.send(noopOfLength(SMTP_COMMAND_LINE));
      const last = (await conn.until(smtpLast))?.at(-1);
      if (last?.startsWith('250')) verdict('pass', `a ${SMTP_COMMAND_LINE}-octet command line is answered 250`);
      else verdict('fail', `a ${SMTP_COMMAND_LINE}-octet NOOP (the length servers must take) got ${last === undefined ? 'no reply: the connection closed' : JSON.stringify(last)}`);
    });
  },
};

/**
 * Multi-line replies (RFC 5321 §4.2.1): the greeting, EHLO's reply and HELP's (multi-line
 * where the server has help text) each carry one code on every line, "-" on all but the
 * last. A reply that went on past a line with a space shows up as the next command's
 * reply: HELP's must not be 250 (it is 211, 214 or a refusal), NOOP's must be 250.
 */
const multiLineReplies: BehaviourCheck = {
  id: 'multiline-replies',
  rfc: 'RFC 5321 §4.2.1',
  async run(ctx, verdict) {
    return withSession(ctx, false, async ({ conn, greeting }) => {
      const greetingProblem = replyProblem(greeting);
      if (greetingProblem) return verdict('fail', `the greeting: ${greetingProblem}`);
      const asked: [string, string[]][] = [];
      for (const command of [`EHLO ${EHLO_NAME}`, 'HELP', 'NOOP']) {
        await conn.send(`${command}\r\n`);
        const reply = await readReply(conn);
        if (reply === null) return verdict('fail', `the connection closed before the reply to ${command}`);
        const verb = command.split(' ')[0]!;
        const problem = replyProblem(reply);
        if (problem) return verdict('fail', `the reply to ${verb}: ${problem}`);
        const code = replyCode(reply);
        const previous = asked.at(-1);
        if ((verb === 'EHLO' || verb === 'NOOP') && code !== '250') {
          return verdict('fail', `${verb} was answered ${replyShape(reply)}${previous ? `: lines left over from the ${previous[0]} reply, which went on past a line without "-"` : ''}`);
        }
        if (verb === 'HELP' && code === '250') return verdict('fail', `HELP was answered ${replyShape(reply)}: lines left over from the EHLO reply, which went on past a line without "-"`);
        asked.push([verb, reply]);
      }
      const multi = asked.filter(([, r]) => r.length > 1).map(([v, r]) => `${v} (${r.length} lines)`);
      if (greeting.length > 1) multi.unshift(`the greeting (${greeting.length} lines)`);
      verdict(
        'pass',
        multi.length === 0
          ? 'every reply came in one line: no multi-line reply to judge, and none went on past its last line'
          : `${multi.join(', ')}: one code on every line, "-" on all but the last; the next reply was the next command's`,
      );
    });
  },
};

/**
 * RFC 2920 §3.1: with PIPELINING the server answers a group of commands sent in one
 * write, one reply per command, in order. RSET, an unknown verb and NOOP must come back
 * 250, 5xx, 250 — the middle reply shows the order.
 */
const pipeliningInOrder: BehaviourCheck = {
  id: 'pipelining-in-order',
  rfc: 'RFC 2920 §3.1',
  async run(ctx, verdict) {
    return withSession(ctx, false, async ({ conn, capabilities }) => {
      if (!capabilities.some((c) => /^PIPELINING( |$)/i.test(c))) return verdict('not offered', 'EHLO over TLS does not list PIPELINING');
      const group = ['RSET', UNKNOWN_VERB, 'NOOP'];
      verdict(...(await pipelinedReplies(conn, group, ['2', '5', '2'])));
    });
  },
};

/** With a session: MAIL FROM, RCPT TO and RSET in one write (no DATA: nothing is sent), each answered 2xx in order. */
const pipeliningTransaction: BehaviourCheck = {
  id: 'pipelining-transaction',
  rfc: 'RFC 2920 §3.1',
  needs: 'login',
  async run(ctx, verdict) {
    return withSession(ctx, true, async ({ conn, capabilities }) => {
      if (!capabilities.some((c) => /^PIPELINING( |$)/i.test(c))) return verdict('not offered', 'EHLO over TLS does not list PIPELINING');
      const group = [`MAIL FROM:<${ctx.user}>`, `RCPT TO:<${ctx.user}>`, 'RSET', UNKNOWN_VERB];
      verdict(...(await pipelinedReplies(conn, group, ['2', '2', '2', '5'])));
    });
  },
};

/** Sends `group` in one write and reads one reply per command; each code must start with its class ("2", "5"). */
async function pipelinedReplies(conn: CheckConnection, group: string[], classes: string[]): Promise<['pass' | 'fail', string]> {
  await conn.send(group.map((c) => `${c}\r\n`).join(''));
  const codes: string[] = [];
  while (codes.length < group.length) {
    const reply = await readReply(conn);
    if (reply === null) return ['fail', `${group.join(', ')} in one write: the connection closed after ${codes.length} replies (${codes.join(', ') || 'none'})`];
    codes.push(replyCode(reply));
  }
  const wanted = classes.map((c) => `${c}xx`).join(', ');
  const inOrder = codes.every((code, i) => code.startsWith(classes[i]!));
  return inOrder
    ? ['pass', `${group.join(', ')} in one write were answered ${codes.join(', ')}: one reply per command, in order`]
    : ['fail', `${group.join(', ')} in one write were answered ${codes.join(', ')}, not ${wanted}: the replies are not one per command in order`];
}

/** RFC 3207 §4.2: the EHLO over TLS must not list STARTTLS again; the capabilities are read afresh. */
const starttlsEhlo: BehaviourCheck = {
  id: 'starttls-ehlo',
  rfc: 'RFC 3207 §4.2',
  async run(ctx, verdict) {
    if (ctx.endpoint.security !== 'starttls') return verdict('not offered', ctx.endpoint.security === 'tls' ? 'implicit TLS: no STARTTLS to check' : 'a plaintext connection (--plaintext): STARTTLS not used');
    return withSession(ctx, false, async ({ conn, capabilities }) => {
      const listed = capabilities.some((c) => /^STARTTLS( |$)/i.test(c));
      if (listed) verdict('fail', 'the EHLO after STARTTLS lists STARTTLS again');
      else verdict('pass', `the EHLO after STARTTLS lists ${capabilities.length} keywords, STARTTLS not among them`);
    });
  },
};

/**
 * RFC 4954 §4: AUTH without an initial response gets an empty 334 challenge (the
 * mechanisms are client-first, RFC 4422 §5), the response goes on its own line, 235.
 * After that, a second AUTH must be refused with 503.
 */
const authTwoStep: BehaviourCheck = {
  id: 'auth-two-step',
  rfc: 'RFC 4954 §4',
  needs: 'login',
  async run(ctx, verdict) {
    return withSession(ctx, true, async ({ conn }) => {
      const at = conn.lines.lastIndexOf(`C: AUTH ${ctx.mechanism}`);
      const goAhead = conn.lines[at + 1]?.slice('S: '.length) ?? '';
      if (!/^334 ?$/.test(goAhead)) return verdict('fail', `AUTH ${ctx.mechanism} without an initial response got ${JSON.stringify(goAhead.slice(0, 80))}, not the empty challenge "334 "`);
      await conn.send(`AUTH ${ctx.mechanism}\r\n`);
      const again = await readReply(conn);
      if (again === null) return verdict('fail', 'a second AUTH after logging in: the connection closed');
      if (replyCode(again) !== '503') return verdict('fail', `a second AUTH after logging in got ${replyShape(again)}, not 503`);
      verdict('pass', `AUTH ${ctx.mechanism}, the empty 334, the response on its own line: 235; a second AUTH is refused 503`);
    });
  },
};

/** Whether a NOOP of exactly `octets` octets is answered 250 (any other reply, a close or a stall is no). */
async function noopAccepted(ctx: ConnectContext, octets: number): Promise<boolean> {
  const { conn } = await openForChecks(ctx);
  try {
    await conn.send(noopOfLength(octets));
    return (await conn.until(smtpLast))?.at(-1)?.startsWith('250') === true;
  } catch {
    return false;
  } finally {
    conn.close();
  }
}

export const SMTP_LINE_PROBE: LineProbe = { floor: SMTP_COMMAND_LINE, accepts: noopAccepted };

export const SMTP_BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [
  lineLength,
  multiLineReplies,
  pipeliningInOrder,
  starttlsEhlo,
  authTwoStep,
  pipeliningTransaction,
  SMTP_DOT_STUFFING,
];
