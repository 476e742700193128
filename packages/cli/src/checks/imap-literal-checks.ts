/**
 * IMAP literal checks: a synchronizing literal waits for "+" (RFC 9051 §4.3), a
 * non-synchronizing one is read without it (RFC 7888 §3), and a LITERAL- server refuses
 * one over 4,096 octets without running its octets as commands (RFC 7888 §4). ID carries
 * the literal before login, STATUS INBOX after login where ID is not offered.
 */
import type { BehaviourCheck } from './behaviour.js';
import type { ConnectContext } from './context.js';
import { ID_CARRIER, INJECTED_TAG, LITERAL_MINUS_MAX, STATUS_CARRIER, overLimitLiteral, statusOf, tagged, type LiteralCarrier } from './imap-check-commands.js';
import { has, loggable, replyTo, said } from './imap-check-session.js';
import { openForChecks, type OpenedForChecks } from './open-for-checks.js';

interface LiteralSession {
  opened: OpenedForChecks;
  carrier: LiteralCarrier;
  /** The capabilities where the literal is sent (after login when logged in). */
  caps: string[];
  where: string;
}

/**
 * Opens the session a literal check sends its literal in: logged in when there is a token
 * (capabilities such as Gmail's LITERAL+ appear only then), else before login with ID.
 * A string says why no command can carry a literal.
 */
async function literalSession(ctx: ConnectContext): Promise<LiteralSession | string> {
  const login = loggable(ctx);
  const opened = await openForChecks(ctx, { login });
  const caps = opened.capabilities;
  if (has(caps, 'ID')) return { opened, carrier: ID_CARRIER, caps, where: login ? 'ID after login' : 'ID before login' };
  if (login) return { opened, carrier: STATUS_CARRIER, caps, where: 'STATUS after login' };
  opened.conn.close();
  return 'the server does not offer ID (RFC 2971), the one command before login that takes a string: give --user and a token to send the literal after login';
}

async function withLiterals(ctx: ConnectContext, verdict: (v: 'not run', d: string) => void, use: (s: LiteralSession) => Promise<void>): Promise<void> {
  const session = await literalSession(ctx);
  if (typeof session === 'string') return verdict('not run', session);
  try {
    await use(session);
  } finally {
    session.opened.conn.close();
  }
}

export const literalSync: BehaviourCheck = {
  id: 'literal-sync',
  rfc: 'RFC 9051 §4.3',
  async run(ctx, verdict) {
    await withLiterals(ctx, verdict, async ({ opened, carrier, where }) => {
      const { conn } = opened;
      const t = opened.tag();
      const n = carrier.octets.length;
      await conn.send(`${carrier.before(t)}{${n}}\r\n`);
      // Untagged data may come first (RFC 9051 §2.2.1); the go-ahead or the command's refusal ends the wait.
      const first = (await conn.until((l) => l.startsWith('+') || tagged(t)(l)))?.at(-1) ?? null;
      if (first === null || !first.startsWith('+')) {
        verdict('fail', `a synchronizing literal {${n}} (${where}) must get a "+" go-ahead before its octets; got ${said(first)}`);
        return;
      }
      await conn.send(`${carrier.octets}${carrier.after}`);
      const last = (await replyTo(conn, t)).at(-1);
      if (last !== undefined && tagged(t)(last) && statusOf(last) === 'OK') verdict('pass', `{${n}} (${where}) got the go-ahead ${said(first)}, then the command was answered OK`);
      else verdict('fail', `after the go-ahead and the literal's ${n} octets (${where}), the command got ${said(last)}`);
    });
  },
};

export const literalNonSync: BehaviourCheck = {
  id: 'literal-nonsync',
  rfc: 'RFC 7888 §3',
  async run(ctx, verdict) {
    await withLiterals(ctx, verdict, async ({ opened, carrier, caps, where }) => {
      const offered = ['LITERAL+', 'LITERAL-', 'IMAP4REV2'].filter((c) => has(caps, c));
      if (offered.length === 0) {
        verdict('not offered', `neither LITERAL+ nor LITERAL- (nor IMAP4rev2) is offered ${loggable(ctx) ? 'after login' : 'before login'}`);
        return;
      }
      const { conn } = opened;
      const t = opened.tag();
      const n = carrier.octets.length;
      await conn.send(`${carrier.before(t)}{${n}+}\r\n${carrier.octets}${carrier.after}`);
      const lines = await replyTo(conn, t);
      const goAhead = lines.find((l) => l.startsWith('+'));
      const last = lines.at(-1);
      if (goAhead !== undefined) verdict('fail', `a non-synchronizing literal {${n}+} (${offered.join(' ')}; ${where}) must be read without a go-ahead, but the server sent ${said(goAhead)}`);
      else if (last !== undefined && tagged(t)(last) && statusOf(last) === 'OK') verdict('pass', `{${n}+} and its octets in one write (${offered.join(' ')}; ${where}): answered OK, no "+"`);
      else verdict('fail', `a non-synchronizing literal {${n}+} (${offered.join(' ')}; ${where}) got ${said(last)}`);
    });
  },
};

export const literalMinusLimit: BehaviourCheck = {
  id: 'literal-minus-limit',
  rfc: 'RFC 7888 §4',
  async run(ctx, verdict) {
    await withLiterals(ctx, verdict, async ({ opened, carrier, caps, where }) => {
      if (has(caps, 'LITERAL+')) return verdict('not offered', 'LITERAL+ is offered: non-synchronizing literals of any size, no LITERAL- limit');
      if (!has(caps, 'LITERAL-') && !has(caps, 'IMAP4REV2')) return verdict('not offered', 'neither LITERAL- nor IMAP4rev2 is offered');
      const { conn } = opened;
      const t = opened.tag();
      const end = opened.tag();
      const octets = overLimitLiteral();
      // After the literal, a NOOP the check reads up to: a server that read the literal past its refusal answers it.
      await conn.send(`${carrier.before(t)}{${octets.length}+}\r\n${octets}${carrier.after}${end} NOOP\r\n`);
      const lines = await replyTo(conn, end);
      const reply = lines.find(tagged(t));
      const injected = lines.find(tagged(INJECTED_TAG));
      const bye = lines.find((l) => /^\* BYE\b/i.test(l));
      const limit = `a non-synchronizing literal of ${octets.length} octets (over LITERAL-'s ${LITERAL_MINUS_MAX}; ${where})`;
      if (injected !== undefined) verdict('fail', `${limit}: the server ran the literal's octets as commands (${said(injected)})`);
      else if (reply !== undefined && statusOf(reply) === 'OK') verdict('fail', `${limit} was taken (${said(reply)}); a LITERAL- server refuses it`);
      else if ((reply !== undefined && ['BAD', 'NO'].includes(statusOf(reply))) || bye !== undefined || lines.at(-1) === undefined || !tagged(end)(lines.at(-1)!)) {
        verdict('pass', `${limit} was refused: ${said(reply ?? bye ?? null)}`);
      } else verdict('fail', `${limit}: no tagged refusal, the command after it got ${said(lines.at(-1))}`);
    });
  },
};
