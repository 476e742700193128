/**
 * Scripted IMAP servers for the behaviour checks: one transcript per connection `mailwire
 * check` opens, in the order it opens them, each the exchange a conforming server has with
 * that check. A test swaps one for a server that breaks its check.
 */
import { EVERY_TAG_CHAR, idOfLength } from './imap-check-commands.js';
import { IMAP_COMMAND_LINE } from './imap-behaviour.js';

export const USER = 'alice@example.com';
export const TOKEN = 'a-valid-token';
/** What the checks' connections list in CAPABILITY (before login). */
export const CAPS = 'IMAP4rev1 ID LITERAL+ SASL-IR AUTH=XOAUTH2';
export const AUTHED_CAPS = 'IMAP4rev1 ID LITERAL+ UIDPLUS MOVE';
/** The XOAUTH2 initial response for USER and TOKEN, as the checks send it. */
export const XOAUTH2_RESPONSE = Buffer.from(`user=${USER}\x01auth=Bearer ${TOKEN}\x01\x01`).toString('base64');

export interface Shape {
  /** imap:// with STARTTLS (else imaps://). */
  starttls?: boolean;
  /** imap:// with --plaintext: no TLS, so no check logs in, token or not. */
  plaintext?: boolean;
  /** --user and --token-env given: checks that need a session log in. */
  login?: boolean;
}

const script = (...lines: string[]) => ['# source: hand-written for mailwire check', '# protocol: imap', ...lines].join('\n');

/** What the look lists over TLS: XOAUTH2 on offer, so the checks that need a session log in with it. */
const LOOK_TLS_CAPS = 'IMAP4rev1 ID LITERAL+ SASL-IR AUTH=XOAUTH2';

/** The probe's look: the greeting (capabilities in it), STARTTLS, LOGOUT. No mechanism before TLS, none at all with --plaintext. */
export function look(shape: Shape): string {
  const greeting = `S: * OK [CAPABILITY ${shape.starttls ? 'IMAP4rev1 ID LITERAL+ STARTTLS LOGINDISABLED' : shape.plaintext ? 'IMAP4rev1 ID LITERAL+' : LOOK_TLS_CAPS}] ready`;
  const tls = shape.starttls ? ['C: A1 STARTTLS', 'S: A1 OK begin TLS', 'C: A2 CAPABILITY', `S: * CAPABILITY ${LOOK_TLS_CAPS}`, 'S: A2 OK done', 'C: A3 LOGOUT', 'S: * BYE bye', 'S: A3 OK done'] : ['C: A1 LOGOUT', 'S: * BYE bye', 'S: A1 OK done'];
  return script(greeting, ...tls);
}

/** The XOAUTH2 initial response of check's refused-token login (the token no server may take). */
const INVALID_RESPONSE = Buffer.from(`user=${USER}\x01auth=Bearer mailwire-check-invalid-token\x01\x01`).toString('base64');

/** With --user, check first logs in with a token that is not one: refused, as a server must. */
export function refusedLogin(shape: Shape): string {
  const greeting = `S: * OK [CAPABILITY ${shape.starttls ? 'IMAP4rev1 ID LITERAL+ STARTTLS LOGINDISABLED' : LOOK_TLS_CAPS}] ready`;
  const [tls, t] = shape.starttls ? [['C: A1 STARTTLS', 'S: A1 OK begin TLS', 'C: A2 CAPABILITY', `S: * CAPABILITY ${LOOK_TLS_CAPS}`, 'S: A2 OK done'], 'A3'] : [[], 'A1'];
  return script(greeting, ...tls, `C: ${t} AUTHENTICATE XOAUTH2 ${INVALID_RESPONSE}`, `S: ${t} NO [AUTHENTICATIONFAILED] Authentication failed.`);
}

export interface Opening {
  lines: string[];
  /** The next tag the check itself uses. */
  tag(): string;
}

/** A check connection up to where the check starts: the greeting, STARTTLS, CAPABILITY, and with `login` the two-step AUTHENTICATE and CAPABILITY again. */
export function opening(shape: Shape, options: { login?: boolean; caps?: string; tlsCaps?: string; authedCaps?: string; loginOk?: string } = {}): Opening {
  let n = 0;
  const tag = () => `m${++n}`;
  const lines = ['S: * OK ready'];
  if (shape.starttls) {
    const t = tag();
    lines.push(`C: ${t} STARTTLS`, `S: ${t} OK begin TLS`);
  }
  const c = tag();
  lines.push(`C: ${c} CAPABILITY`, `S: * CAPABILITY ${options.tlsCaps ?? options.caps ?? CAPS}`, `S: ${c} OK done`);
  if (options.login) {
    const a = tag();
    lines.push(`C: ${a} AUTHENTICATE XOAUTH2`, 'S= "+ \\r\\n"', `C: ${XOAUTH2_RESPONSE}`, `S: ${a} OK ${options.loginOk ?? 'Logged in'}`);
    const c2 = tag();
    lines.push(`C: ${c2} CAPABILITY`, `S: * CAPABILITY ${options.authedCaps ?? AUTHED_CAPS}`, `S: ${c2} OK done`);
  }
  return { lines, tag };
}

/** Each check's connection with a conforming server, by check id, in the order the checks run. */
export function conforming(shape: Shape): Map<string, string | null> {
  const login = shape.login === true && shape.plaintext !== true;
  const m = new Map<string, string | null>();
  m.set('tags-pipelined', script(...opening(shape).lines, 'C: mw.1 NOOP', 'C: mw!2 CAPABILITY', 'C: #mw~3 NOOP', 'S: mw.1 OK done', `S: * CAPABILITY ${CAPS}`, 'S: mw!2 OK done', 'S: #mw~3 OK done'));
  {
    const o = opening(shape);
    const t = o.tag();
    m.set('tag-syntax', script(...o.lines, `C: ${EVERY_TAG_CHAR} NOOP`, `C: ${t} NOOP`, `S: ${EVERY_TAG_CHAR} OK done`, `S: ${t} OK done`));
  }
  m.set('tag-reuse', script(...opening(shape).lines, 'C: mw.1 NOOP', 'S: mw.1 OK done', 'C: mw.1 NOOP', 'S: mw.1 OK done'));
  {
    const o = opening(shape);
    const [t, u] = [o.tag(), o.tag()];
    m.set('unknown-command', script(...o.lines, `C: ${t} MAILWIRECHECK`, `S: ${t} BAD unknown command`, `C: ${u} NOOP`, `S: ${u} OK done`));
  }
  {
    const o = opening(shape, { login });
    const t = o.tag();
    m.set('literal-sync', script(...o.lines, `C: ${t} ID ("name" {8}`, 'S: + go ahead', 'C: mailwire)', 'S: * ID NIL', `S: ${t} OK done`));
  }
  {
    const o = opening(shape, { login });
    const t = o.tag();
    m.set('literal-nonsync', script(...o.lines, `C: ${t} ID ("name" {8+}`, 'C: mailwire)', 'S: * ID NIL', `S: ${t} OK done`));
  }
  // LITERAL+ is offered: the check opens its connection, sees no LITERAL- limit, and closes.
  m.set('literal-minus-limit', script(...opening(shape, { login }).lines));
  {
    const o = opening(shape, { login });
    const t = o.tag();
    m.set('line-length', script(...o.lines, `C: ${idOfLength(t, IMAP_COMMAND_LINE)!.slice(0, -2)}`, 'S: * ID NIL', `S: ${t} OK done`));
  }
  m.set('capability-after-starttls', shape.starttls ? script(...opening(shape).lines) : null);
  if (shape.plaintext) m.set('starttls-over-tls', null);
  else {
    const o = opening(shape);
    const t = o.tag();
    m.set('starttls-over-tls', script(...o.lines, `C: ${t} STARTTLS`, `S: ${t} BAD TLS is already active`));
  }
  m.set('capability-after-login', login ? script(...opening(shape, { login }).lines) : null);
  m.set('sasl-two-step', login ? script(...opening(shape, { login }).lines) : null);
  if (login) {
    const o = opening(shape);
    const t = o.tag();
    m.set('sasl-ir-one-line', script(...o.lines, `C: ${t} AUTHENTICATE XOAUTH2 ${XOAUTH2_RESPONSE}`, `S: ${t} OK Logged in`));
  } else m.set('sasl-ir-one-line', null);
  return m;
}

/** The transcripts for `checkAgainstScript`: the look, then every check's connection, with `replace` swapped in by id. */
export function connections(shape: Shape, replace: Record<string, string> = {}): string[] {
  const m = conforming(shape);
  for (const [id, text] of Object.entries(replace)) {
    if (!m.has(id)) throw new Error(`no check ${id}`);
    m.set(id, text);
  }
  const refused = shape.login && !shape.plaintext ? [refusedLogin(shape)] : [];
  return [look(shape), ...refused, ...[...m.values()].filter((t): t is string => t !== null)];
}

export { script };
