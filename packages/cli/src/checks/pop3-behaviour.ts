/**
 * POP3 behaviour checks: what the server does on the wire, each on its own connection.
 * Only harmless commands are sent (CAPA, USER with a name no one has, an unknown verb,
 * and with a session STAT, LIST, UIDL, TOP/RETR, NOOP); never DELE, and the connections
 * end without QUIT, so no UPDATE state can remove anything (RFC 1939 §6).
 */
import type { BehaviourCheck } from './behaviour.js';
import type { ConnectContext } from './context.js';
import type { LineProbe } from './longest-line.js';
import { openForChecks, withSession, type OpenedForChecks } from './open-for-checks.js';
import { POP3_DOT_STUFFING } from './pop3-dot-stuffing.js';
import { CAPA_LINE, SCAN_LISTING, UNIQUE_ID_LISTING, multiLineProblem, readMultiLine } from './pop3-responses.js';

/** RFC 2449 §4: commands up to 255 octets, CRLF included, must be taken. */
export const POP3_COMMAND_LINE = 255;
/** A verb no server knows: its -ERR tells one response from the next in a group. */
export const UNKNOWN_VERB = 'XMAILWIRE';

/** "USER xxx...\r\n", exactly `octets` long with its CRLF: a name no mailbox has. */
export function userOfLength(octets: number): string {
  return `USER ${'x'.repeat(octets - 'USER \r\n'.length)}\r\n`;
}

const offers = (capabilities: readonly string[], tag: string) => capabilities.some((c) => c.split(' ')[0]!.toUpperCase() === tag);

/**
 * Whether a USER line of `octets` octets was read whole: answered +OK (any name is, until
 * PASS), and the CAPA after it answered +OK — a server that cut the line would answer its
 * rest as a second command, -ERR, in CAPA's place.
 */
async function userLineTaken(opened: OpenedForChecks, octets: number): Promise<[boolean, string]> {
  const { conn } = opened;
  await conn.send(userOfLength(octets));
  const user = await conn.line();
  if (user === null || !user.startsWith('+OK')) return [false, `a ${octets}-octet USER line got ${user === null ? 'no answer: the connection closed' : JSON.stringify(user.slice(0, 80))}`];
  await conn.send('CAPA\r\n');
  const capa = await readMultiLine(conn);
  if (capa === null || !capa.status.startsWith('+OK')) {
    return [false, `after the ${octets}-octet USER line's +OK, CAPA got ${capa === null ? 'no answer' : JSON.stringify(capa.status.slice(0, 80))}: the rest of the line was read as another command`];
  }
  return [true, `a ${octets}-octet USER line is answered +OK, and the CAPA after it +OK`];
}

const lineLength: BehaviourCheck = {
  id: 'line-length',
  rfc: 'RFC 2449 §4',
  async run(ctx, verdict) {
    return withSession(ctx, false, async (opened) => {
      if (!offers(opened.capabilities, 'USER')) return verdict('not offered', 'CAPA does not list USER, the command this check sends a long line with');
      const [taken, detail] = await userLineTaken(opened, POP3_COMMAND_LINE);
      verdict(taken ? 'pass' : 'fail', detail);
    });
  },
};

/**
 * Multi-line responses (RFC 1939 §3, RFC 2449 §5): CAPA's list ends with a lone "." and
 * each line is a capability; with a session also LIST's scan listings and UIDL's unique-id
 * listings, each ended by "." with the syntax RFC 1939 §5 and §7 give them.
 */
const multiLineResponses: BehaviourCheck = {
  id: 'multiline-responses',
  rfc: 'RFC 1939 §3',
  async run(ctx, verdict) {
    const session = ctx.user !== undefined && ctx.token !== undefined;
    return withSession(ctx, session, async ({ conn }) => {
      const done: string[] = [];
      const asked: [string, RegExp, string][] = [['CAPA', CAPA_LINE, 'a capability (RFC 2449 §5)']];
      if (session) asked.push(['LIST', SCAN_LISTING, 'a scan listing "msg octets" (RFC 1939 §5)'], ['UIDL', UNIQUE_ID_LISTING, 'a unique-id listing "msg uid" (RFC 1939 §7)']);
      for (const [command, syntax, what] of asked) {
        await conn.send(`${command}\r\n`);
        const r = await readMultiLine(conn);
        const problem = multiLineProblem(command, r);
        if (problem) return verdict('fail', problem);
        const bad = r!.lines.find((l) => !syntax.test(l));
        if (bad !== undefined) return verdict('fail', `a line of the ${command} response, ${JSON.stringify(bad.slice(0, 80))}, is not ${what}`);
        done.push(`${command} (${r!.lines.length} line${r!.lines.length === 1 ? '' : 's'})`);
      }
      verdict('pass', `${done.join(', ')}: each ended by a lone ".", every line well-formed${session ? '' : '; LIST and UIDL need a session: give --user and a token'}`);
    });
  },
};

/**
 * RFC 2449 §6.6: with PIPELINING the server answers commands sent in one write in order.
 * CAPA, an unknown verb and CAPA again must come back +OK (list), -ERR, +OK (list).
 */
const pipeliningInOrder: BehaviourCheck = {
  id: 'pipelining-in-order',
  rfc: 'RFC 2449 §6.6',
  async run(ctx, verdict) {
    return withSession(ctx, false, async ({ conn, capabilities }) => {
      if (!offers(capabilities, 'PIPELINING')) return verdict('not offered', 'CAPA does not list PIPELINING');
      await conn.send(`CAPA\r\n${UNKNOWN_VERB}\r\nCAPA\r\n`);
      const first = await readMultiLine(conn);
      const unknown = first === null ? null : await conn.line();
      const second = unknown === null ? null : await readMultiLine(conn);
      const seen = [first?.status, unknown ?? undefined, second?.status].filter((s) => s !== undefined).map((s) => s.split(' ')[0]);
      const inOrder = first?.status.startsWith('+OK') && !('closed' in first) && unknown?.startsWith('-ERR') && second?.status.startsWith('+OK') && !('closed' in second);
      if (inOrder) verdict('pass', `CAPA, ${UNKNOWN_VERB}, CAPA in one write were answered +OK (list), -ERR, +OK (list): in order`);
      else verdict('fail', `CAPA, ${UNKNOWN_VERB}, CAPA in one write were answered ${seen.join(', ') || 'nothing'}${second === null || (second && 'closed' in second) ? ' before the connection closed' : ''}, not +OK (list), -ERR, +OK (list)`);
    });
  },
};

/**
 * RFC 2595 §4: after STLS the client must forget what CAPA said and should ask again; the
 * server stays in AUTHORIZATION and answers CAPA over TLS with a list ended by ".". The
 * list over TLS should not offer STLS again (noted, not failed: RFC 2595 does not forbid it).
 */
const capaAfterStls: BehaviourCheck = {
  id: 'capa-after-stls',
  rfc: 'RFC 2595 §4',
  async run(ctx, verdict) {
    if (ctx.endpoint.security !== 'starttls') return verdict('not offered', ctx.endpoint.security === 'tls' ? 'implicit TLS: no STLS to check' : 'a plaintext connection (--plaintext): STLS not used');
    return withSession(ctx, false, async ({ conn, capabilities }) => {
      const again = offers(capabilities, 'STLS') ? '; it lists STLS again, which a client must not use over TLS' : ', STLS not among them';
      verdict('pass', `CAPA over TLS is answered with ${capabilities.length} capabilities ended by a lone "."${again}`);
    });
  },
};

/** Capabilities of the AUTHORIZATION state only: their commands are not valid after login. */
const AUTHORIZATION_ONLY = new Set(['STLS', 'USER', 'SASL']);

/**
 * RFC 2449 §5: CAPA works in the TRANSACTION state too, and the capabilities announced
 * before login are announced after it (the AUTHORIZATION-only STLS, USER and SASL aside,
 * which servers commonly drop). Parameters may differ (EXPIRE, LOGIN-DELAY).
 */
const capaAfterLogin: BehaviourCheck = {
  id: 'capa-after-login',
  rfc: 'RFC 2449 §5',
  needs: 'login',
  async run(ctx, verdict) {
    return withSession(ctx, true, async ({ conn, capabilities }) => {
      await conn.send('CAPA\r\n');
      const r = await readMultiLine(conn);
      const problem = multiLineProblem('CAPA after login', r);
      if (problem) return verdict('fail', problem);
      const after = new Set(r!.lines.map((l) => l.split(' ')[0]!.toUpperCase()));
      const before = capabilities.map((c) => c.split(' ')[0]!.toUpperCase()).filter((t) => !AUTHORIZATION_ONLY.has(t));
      const dropped = before.filter((t) => !after.has(t));
      if (dropped.length > 0) verdict('fail', `CAPA after login no longer lists ${dropped.join(', ')}, announced before login`);
      else verdict('pass', `CAPA after login lists again every capability announced before (${before.join(' ') || 'none but STLS, USER, SASL'})`);
    });
  },
};

/**
 * RFC 5034 §4: AUTH without an initial response gets the empty challenge "+ " (the
 * mechanisms are client-first), the response goes on its own line, +OK. After that, a
 * second AUTH is refused (AUTH is an AUTHORIZATION-state command).
 */
const authTwoStep: BehaviourCheck = {
  id: 'auth-two-step',
  rfc: 'RFC 5034 §4',
  needs: 'login',
  async run(ctx, verdict) {
    return withSession(ctx, true, async ({ conn }) => {
      const at = conn.lines.lastIndexOf(`C: AUTH ${ctx.mechanism}`);
      const goAhead = conn.lines[at + 1]?.slice('S: '.length) ?? '';
      if (!/^\+ ?$/.test(goAhead)) return verdict('fail', `AUTH ${ctx.mechanism} without an initial response got ${JSON.stringify(goAhead.slice(0, 80))}, not the empty challenge "+ "`);
      await conn.send(`AUTH ${ctx.mechanism}\r\n`);
      const again = await conn.line();
      if (again === null) return verdict('fail', 'a second AUTH after logging in: the connection closed');
      if (!again.startsWith('-ERR')) return verdict('fail', `a second AUTH after logging in got ${JSON.stringify(again.slice(0, 80))}, not -ERR`);
      verdict('pass', `AUTH ${ctx.mechanism}, the empty "+ ", the response on its own line: +OK; a second AUTH is refused -ERR`);
    });
  },
};

/** Whether a USER line of exactly `octets` octets is read whole (see userLineTaken); a refusal, a close or a stall is no. */
async function userLineAccepted(ctx: ConnectContext, octets: number): Promise<boolean> {
  let opened: OpenedForChecks | undefined;
  try {
    opened = await openForChecks(ctx);
    return (await userLineTaken(opened, octets))[0];
  } catch {
    return false;
  } finally {
    opened?.conn.close();
  }
}

/** How `probe --fingerprint` measures the longest POP3 command line the server takes. */
export const POP3_LINE_PROBE: LineProbe = { floor: POP3_COMMAND_LINE, accepts: userLineAccepted };

export const POP3_BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [
  lineLength,
  multiLineResponses,
  pipeliningInOrder,
  capaAfterStls,
  authTwoStep,
  capaAfterLogin,
  POP3_DOT_STUFFING,
];
