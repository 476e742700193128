/**
 * IMAP behaviour checks: what the server does on the wire, each on its own connection —
 * tags (pipelined, reused, every legal character, an unknown command), literals (the
 * synchronizing go-ahead, LITERAL+/LITERAL-, the LITERAL- limit), the 8,192-octet line,
 * CAPABILITY after STARTTLS and after login, STARTTLS refused over TLS, and AUTHENTICATE
 * in two steps and with SASL-IR's initial response on its line. Commands are legal and harmless: NOOP, CAPABILITY, ID, STATUS, LIST.
 */
import type { BehaviourCheck } from './behaviour.js';
import type { CheckConnection } from './check-connection.js';
import type { ConnectContext } from './context.js';
import {
  EVERY_TAG_CHAR,
  ID_CARRIER,
  INJECTED_TAG,
  LITERAL_MINUS_MAX,
  STATUS_CARRIER,
  idOfLength,
  listOfLength,
  overLimitLiteral,
  statusOf,
  tagged,
  type LiteralCarrier,
} from './imap-check-commands.js';
import type { LineProbe } from './longest-line.js';
import { openForChecks, saslResponse, SetupFailed, type OpenedForChecks } from './open-for-checks.js';

/** RFC 7162 §4: a server SHOULD take command lines of at least 8,192 octets. */
export const IMAP_COMMAND_LINE = 8192;

const has = (caps: readonly string[], name: string) => caps.some((c) => c.toUpperCase() === name);
/** With a token, over TLS: a check that can go either way logs in (never without TLS). */
const loggable = (ctx: ConnectContext) => ctx.user !== undefined && ctx.token !== undefined && ctx.endpoint.security !== 'none';
const said = (line: string | null | undefined) => (line === null || line === undefined ? 'the connection closed' : JSON.stringify(line.slice(0, 200)));

async function withSession<T>(ctx: ConnectContext, login: boolean, use: (o: OpenedForChecks) => Promise<T>): Promise<T> {
  const opened = await openForChecks(ctx, { login });
  try {
    return await use(opened);
  } finally {
    opened.conn.close();
  }
}

/** Lines up to the tagged reply of `tag`; the last is that reply, or the list ends early where the connection closed. */
async function replyTo(conn: CheckConnection, tag: string): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const line = await conn.line();
    if (line === null) return got;
    got.push(line);
    if (tagged(tag)(line)) return got;
  }
}

/** Sends a NOOP and says whether it was answered OK: the connection still reads commands. */
async function stillAnswers(o: OpenedForChecks): Promise<boolean> {
  const t = o.tag();
  await o.conn.send(`${t} NOOP\r\n`);
  return statusOf((await replyTo(o.conn, t)).at(-1)) === 'OK';
}

const pipelined: BehaviourCheck = {
  id: 'tags-pipelined',
  rfc: 'RFC 9051 §5.5',
  async run(ctx, verdict) {
    // Legal tags with characters a sloppy tag reader trips on; one write, three commands.
    const tags = ['mw.1', 'mw!2', '#mw~3'];
    await withSession(ctx, false, async ({ conn }) => {
      await conn.send(`${tags[0]} NOOP\r\n${tags[1]} CAPABILITY\r\n${tags[2]} NOOP\r\n`);
      const seen: string[] = [];
      const wrong: string[] = [];
      // Each command ends in one completion: its tagged reply, a reply under a wrong tag, or the
      // untagged BAD of a tag the server could not read. §5.5 lets the server answer in any order.
      let completions = 0;
      while (completions < tags.length) {
        const line = await conn.line();
        if (line === null) break;
        const tag = line.split(' ')[0]!;
        if (tags.includes(tag)) {
          seen.push(tag);
          completions++;
          if (statusOf(line) !== 'OK') wrong.push(line);
        } else if (tag !== '*' && tag !== '+') {
          wrong.push(line);
          completions++;
        } else if (/^\* BAD\b/i.test(line)) {
          wrong.push(line);
          completions++;
        } else if (/^\* BYE\b/i.test(line)) wrong.push(line);
      }
      const missing = tags.filter((t) => !seen.includes(t));
      const twice = tags.filter((t) => seen.filter((s) => s === t).length > 1);
      if (wrong.length > 0 || missing.length > 0 || twice.length > 0) {
        const parts = [...wrong.map((l) => `answered ${said(l)}`), ...(missing.length ? [`no tagged reply for ${missing.join(', ')}`] : []), ...(twice.length ? [`two replies for ${twice.join(', ')}`] : [])];
        verdict('fail', `three commands in one write (tags ${tags.join(' ')}): ${parts.join('; ')}`);
      } else {
        const order = seen.join(' ') === tags.join(' ') ? 'in order' : `in the order ${seen.join(' ')} (§5.5 allows that)`;
        verdict('pass', `three commands in one write, each answered OK with its own tag, ${order}`);
      }
    });
  },
};

const tagCharacters: BehaviourCheck = {
  id: 'tag-syntax',
  rfc: 'RFC 9051 §9',
  async run(ctx, verdict) {
    await withSession(ctx, false, async (o) => {
      await o.conn.send(`${EVERY_TAG_CHAR} NOOP\r\n`);
      // A server that cannot read the tag answers with an untagged BAD; the NOOP after it tells when to stop.
      const t = o.tag();
      await o.conn.send(`${t} NOOP\r\n`);
      const lines = await replyTo(o.conn, t);
      const answer = lines.find(tagged(EVERY_TAG_CHAR)) ?? lines.find((l) => /^\* (BAD|BYE)\b/i.test(l)) ?? lines.at(-1);
      if (answer !== undefined && tagged(EVERY_TAG_CHAR)(answer) && statusOf(answer) === 'OK') verdict('pass', `a tag of every character the grammar allows (${EVERY_TAG_CHAR}) is answered OK with that tag`);
      else verdict('fail', `the tag ${EVERY_TAG_CHAR} (1*<any ASTRING-CHAR except "+">, "]" included) got ${said(answer)}`);
    });
  },
};

const tagReuse: BehaviourCheck = {
  id: 'tag-reuse',
  rfc: 'RFC 9051 §2.2.1',
  async run(ctx, verdict) {
    await withSession(ctx, false, async ({ conn }) => {
      const tag = 'mw.1';
      const answers: (string | undefined)[] = [];
      for (let i = 0; i < 2; i++) {
        await conn.send(`${tag} NOOP\r\n`);
        const last = (await replyTo(conn, tag)).at(-1);
        answers.push(last);
        if (!(last !== undefined && tagged(tag)(last) && statusOf(last) === 'OK')) break;
      }
      if (answers.length === 2 && statusOf(answers[1]) === 'OK') verdict('pass', `the tag ${tag} used twice, one command after the other: both answered OK (a server MUST accept tag reuse)`);
      else verdict('fail', `the tag ${tag} used ${answers.length === 1 ? 'once' : 'a second time'}: ${said(answers.at(-1))}`);
    });
  },
};

const unknownCommand: BehaviourCheck = {
  id: 'unknown-command',
  rfc: 'RFC 9051 §2.2.2',
  async run(ctx, verdict) {
    await withSession(ctx, false, async (o) => {
      const t = o.tag();
      await o.conn.send(`${t} MAILWIRECHECK\r\n`);
      const last = (await replyTo(o.conn, t)).at(-1);
      if (!(last !== undefined && tagged(t)(last) && statusOf(last) === 'BAD')) {
        verdict('fail', `an unknown command must get a tagged BAD; got ${said(last)}`);
        return;
      }
      if (await stillAnswers(o)) verdict('pass', `an unknown command gets a tagged BAD (${said(last)}) and the connection goes on`);
      else verdict('fail', `after the tagged BAD for an unknown command, a NOOP was not answered OK: a BAD must not change the connection's state (RFC 9051 §6)`);
    });
  },
};

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

const literalSync: BehaviourCheck = {
  id: 'literal-sync',
  rfc: 'RFC 9051 §4.3',
  async run(ctx, verdict) {
    await withLiterals(ctx, verdict, async ({ opened, carrier, where }) => {
      const { conn } = opened;
      const t = opened.tag();
      const n = carrier.octets.length;
      await conn.send(`${carrier.before(t)}{${n}}\r\n`);
      const first = await conn.line();
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

const literalNonSync: BehaviourCheck = {
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

const literalMinusLimit: BehaviourCheck = {
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

const lineLength: BehaviourCheck = {
  id: 'line-length',
  rfc: 'RFC 7162 §4',
  async run(ctx, verdict) {
    const login = loggable(ctx);
    await withSession(ctx, login, async (o) => {
      const t = o.tag();
      const line = has(o.capabilities, 'ID') ? idOfLength(t, IMAP_COMMAND_LINE)! : login ? listOfLength(t, IMAP_COMMAND_LINE) : undefined;
      if (line === undefined) return verdict('not run', 'the server does not offer ID, the one command before login that takes a long argument: give --user and a token to send a long LIST after login');
      const command = line.split(' ')[1];
      await o.conn.send(line);
      const last = (await replyTo(o.conn, t)).at(-1);
      const where = `${command} ${login ? 'after' : 'before'} login`;
      if (last !== undefined && tagged(t)(last) && ['OK', 'NO'].includes(statusOf(last))) verdict('pass', `an ${IMAP_COMMAND_LINE.toLocaleString('en-US')}-octet command line (${where}) was read whole and answered ${statusOf(last)}`);
      else verdict('fail', `an ${IMAP_COMMAND_LINE.toLocaleString('en-US')}-octet command line (${where}; servers SHOULD take 8,192) got ${said(last)}`);
    });
  },
};

const capabilityAfterStarttls: BehaviourCheck = {
  id: 'capability-after-starttls',
  rfc: 'RFC 9051 §6.2.1',
  async run(ctx, verdict) {
    if (ctx.endpoint.security !== 'starttls') return verdict('not offered', ctx.endpoint.security === 'tls' ? 'implicit TLS: no STARTTLS on this port' : '--plaintext: STARTTLS not used');
    await withSession(ctx, false, async ({ capabilities }) => {
      const version = capabilities.some((c) => /^IMAP4REV[12]$/i.test(c));
      if (!version) verdict('fail', `CAPABILITY over TLS must list IMAP4rev1 or IMAP4rev2; it listed ${JSON.stringify(capabilities.join(' '))}`);
      else if (has(capabilities, 'STARTTLS')) verdict('fail', 'after STARTTLS the capabilities still list STARTTLS (the server SHOULD NOT advertise it once TLS is up)');
      else verdict('pass', `re-read over TLS, without STARTTLS: ${capabilities.join(' ')}`);
    });
  },
};

const starttlsOverTls: BehaviourCheck = {
  id: 'starttls-over-tls',
  rfc: 'RFC 9051 §6.2.1',
  async run(ctx, verdict) {
    if (ctx.endpoint.security === 'none') return verdict('not run', '--plaintext: the connection has no TLS');
    await withSession(ctx, false, async (o) => {
      const t = o.tag();
      await o.conn.send(`${t} STARTTLS\r\n`);
      const last = (await replyTo(o.conn, t)).at(-1);
      const state = ctx.endpoint.security === 'tls' ? 'on the implicit TLS port' : 'after a successful STARTTLS';
      if (last !== undefined && tagged(t)(last) && statusOf(last) === 'BAD') verdict('pass', `STARTTLS ${state} gets a tagged BAD (${said(last)})`);
      else verdict('fail', `STARTTLS ${state} must get a tagged BAD; got ${said(last)}`);
    });
  },
};

const capabilityAfterLogin: BehaviourCheck = {
  id: 'capability-after-login',
  rfc: 'RFC 9051 §6.2.2',
  needs: 'login',
  async run(ctx, verdict) {
    await withSession(ctx, true, async ({ capabilities, loginLines }) => {
      const version = capabilities.some((c) => /^IMAP4REV[12]$/i.test(c));
      if (!version) return verdict('fail', `CAPABILITY after login must list IMAP4rev1 or IMAP4rev2 (RFC 9051 §6.1.1); it listed ${JSON.stringify(capabilities.join(' '))}`);
      if (has(capabilities, 'STARTTLS')) return verdict('fail', 'after login over TLS the capabilities still list STARTTLS, a command only valid before login (RFC 9051 §6.2.1)');
      // RFC 9051 §7.1: a CAPABILITY code (or untagged CAPABILITY) with the login's OK stands in for the command, so it must say the same.
      const sent = (loginLines ?? []).map((l) => /^\* CAPABILITY (.*)$/i.exec(l)?.[1] ?? /^\S+ OK \[CAPABILITY ([^\]]*)\]/i.exec(l)?.[1]).filter((c) => c !== undefined).at(-1);
      const norm = (list: readonly string[]) => [...new Set(list.map((c) => c.toUpperCase()))].sort().join(' ');
      if (sent !== undefined && norm(sent.split(' ').filter(Boolean)) !== norm(capabilities)) {
        return verdict('fail', `the capabilities sent with the login's OK (${sent}) differ from what CAPABILITY lists right after (${capabilities.join(' ')})`);
      }
      const before = new Set(ctx.capabilities.map((c) => c.toUpperCase()));
      const after = new Set(capabilities.map((c) => c.toUpperCase()));
      const added = capabilities.filter((c) => !before.has(c.toUpperCase()));
      const dropped = ctx.capabilities.filter((c) => !after.has(c.toUpperCase()));
      const change = added.length + dropped.length === 0 ? 'the same as before login' : `changed (${[...added.map((c) => `+${c}`), ...dropped.map((c) => `-${c}`)].join(' ')}; the server MAY)`;
      verdict('pass', `answered after login${sent !== undefined ? ', matching the list sent with the login\'s OK' : ''}: ${change}`);
    });
  },
};

const twoStep: BehaviourCheck = {
  id: 'sasl-two-step',
  rfc: 'RFC 9051 §6.2.2',
  needs: 'login',
  async run(ctx, verdict) {
    try {
      await withSession(ctx, true, async () => undefined);
    } catch (error) {
      if (!(error instanceof SetupFailed) || !error.step.startsWith('AUTHENTICATE')) throw error;
      return verdict('fail', `AUTHENTICATE ${ctx.mechanism} without an initial response, the response after the "+" (which servers MUST support): ${error.message}`);
    }
    verdict('pass', `AUTHENTICATE ${ctx.mechanism} without an initial response: "+", the response on its own line, OK`);
  },
};

const saslIrOneLine: BehaviourCheck = {
  id: 'sasl-ir-one-line',
  rfc: 'RFC 4959 §3',
  needs: 'login',
  async run(ctx, verdict) {
    // Made first: without TLS it throws, and no connection is opened.
    const response = saslResponse(ctx);
    await withSession(ctx, false, async (o) => {
      if (!has(o.capabilities, 'SASL-IR')) return verdict('not offered', 'SASL-IR is not offered: the initial response waits for the "+"');
      const t = o.tag();
      const line = `${t} AUTHENTICATE ${ctx.mechanism} ${response}\r\n`;
      await o.conn.send(line, { secret: true });
      const first = await o.conn.until((l) => tagged(t)(l) || l.startsWith('+'));
      const last = first?.at(-1);
      if (last !== undefined && last.startsWith('+')) {
        // An empty "+" asks again for what the line carried; a "+ <data>" is the error challenge of a refused token.
        await o.conn.send(ctx.mechanism.toUpperCase() === 'OAUTHBEARER' ? 'AQ==\r\n' : '\r\n');
        const end = (await replyTo(o.conn, t)).at(-1);
        return verdict('fail', `AUTHENTICATE ${ctx.mechanism} with the initial response on its line (${line.length} octets) got ${said(last)} instead of the outcome, then ${said(end)}`);
      }
      if (last !== undefined && statusOf(last) === 'OK') verdict('pass', `AUTHENTICATE ${ctx.mechanism} with the initial response on its line (${line.length} octets): OK, no "+"`);
      else verdict('fail', `AUTHENTICATE ${ctx.mechanism} with the initial response on its line (${line.length} octets; SASL-IR is offered) got ${said(last)}`);
    });
  },
};

/** Whether a command line of exactly `octets` octets is read whole and answered OK/NO with its tag (logged in: LIST, any length). */
async function lineAccepted(ctx: ConnectContext, octets: number): Promise<boolean> {
  if (!loggable(ctx)) return false;
  try {
    return await withSession(ctx, true, async (o) => {
      const t = o.tag();
      await o.conn.send(listOfLength(t, octets));
      const last = (await replyTo(o.conn, t)).at(-1);
      return last !== undefined && tagged(t)(last) && ['OK', 'NO'].includes(statusOf(last));
    });
  } catch {
    return false;
  }
}

/** How `probe --fingerprint` measures the longest IMAP command line the server takes (after login, with LIST). */
export const IMAP_LINE_PROBE: LineProbe = { floor: IMAP_COMMAND_LINE, needsLogin: true, accepts: lineAccepted };

export const IMAP_BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [
  pipelined,
  tagCharacters,
  tagReuse,
  unknownCommand,
  literalSync,
  literalNonSync,
  literalMinusLimit,
  lineLength,
  capabilityAfterStarttls,
  starttlsOverTls,
  capabilityAfterLogin,
  twoStep,
  saslIrOneLine,
];
