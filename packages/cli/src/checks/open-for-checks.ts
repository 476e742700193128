/**
 * Brings a CheckConnection to where a behaviour check starts: the greeting read, TLS up
 * (implicit, or STARTTLS/STLS on the plaintext URLs), the capabilities read over TLS, and
 * with `login` the SASL exchange done with the caller's token — always in two steps (the
 * response after the server's go-ahead), which every server takes whatever the line rules.
 * Each step that goes wrong throws a SetupFailed naming the step and the server's line.
 */
import { createClientMechanism, encodeBase64 } from '@mailwire/sasl';

import { CheckConnection } from './check-connection.js';
import type { ConnectContext } from './context.js';

export class SetupFailed extends Error {
  constructor(
    readonly step: string,
    readonly serverLine: string | null,
  ) {
    super(`${step}: ${serverLine === null ? 'the server closed the connection' : `the server answered ${JSON.stringify(serverLine.slice(0, 200))}`}`);
  }
}

export interface OpenedForChecks {
  conn: CheckConnection;
  greeting: string[];
  /** IMAP CAPABILITY atoms, POP3 CAPA lines, or SMTP EHLO lines after the first (as sent). */
  capabilities: string[];
  /** Next IMAP tag of the check's own commands ("m1", "m2", ...). */
  tag(): string;
  /** IMAP with `login`: the server's lines answering the SASL response, up to its tagged OK. */
  loginLines?: string[];
}

/** An SMTP reply's lines: up to the first `ddd ` line. */
export const smtpLast = (line: string): boolean => /^\d{3}( |$)/.test(line);
const imapTagged = (tag: string) => (line: string) => line.startsWith(`${tag} `);

/** Why a check does not log in over a connection without TLS (--plaintext): mailwire never sends a token in the clear. */
export const NO_TOKEN_WITHOUT_TLS = '--plaintext: mailwire never sends a token without TLS';

/** A check asked to log in where there is no TLS: it is `not run`, and no byte of the token leaves. */
export class TokenWithoutTls extends Error {
  constructor() {
    super(NO_TOKEN_WITHOUT_TLS);
  }
}

export async function openForChecks(ctx: ConnectContext, options: { login?: boolean } = {}): Promise<OpenedForChecks> {
  if (options.login === true && ctx.endpoint.security === 'none') throw new TokenWithoutTls();
  const conn = await CheckConnection.open(ctx.endpoint, ctx.tls);
  let n = 0;
  const opened: OpenedForChecks = { conn, greeting: [], capabilities: [], tag: () => `m${++n}` };
  try {
    if (ctx.endpoint.protocol === 'imap') await openImap(ctx, opened, options.login === true);
    else if (ctx.endpoint.protocol === 'pop3') await openPop3(ctx, opened, options.login === true);
    else await openSmtp(ctx, opened, options.login === true);
  } catch (error) {
    conn.close();
    throw error;
  }
  return opened;
}

/** Opens a connection for one check, hands it to `use`, and closes it however `use` ends. */
export async function withSession<T>(ctx: ConnectContext, login: boolean, use: (opened: OpenedForChecks) => Promise<T>): Promise<T> {
  const opened = await openForChecks(ctx, { login });
  try {
    return await use(opened);
  } finally {
    opened.conn.close();
  }
}

async function expect(step: string, lines: Promise<string[] | null>, ok: (last: string) => boolean): Promise<string[]> {
  const got = await lines;
  const last = got?.at(-1) ?? null;
  if (got === null || last === null || !ok(last)) throw new SetupFailed(step, last);
  return got;
}

/** The base64 initial response of the caller's mechanism and token (for the two-step form and SASL-IR). */
export function saslResponse(ctx: ConnectContext): string {
  if (ctx.user === undefined || ctx.token === undefined) throw new SetupFailed('login needs --user and a token', null);
  // Every byte of the token a check sends comes from here.
  if (ctx.endpoint.security === 'none') throw new TokenWithoutTls();
  const mechanism = createClientMechanism(ctx.mechanism, { user: ctx.user, accessToken: ctx.token });
  return encodeBase64(mechanism.start() ?? new Uint8Array());
}

async function openImap(ctx: ConnectContext, o: OpenedForChecks, login: boolean): Promise<void> {
  const { conn } = o;
  o.greeting = await expect('greeting', conn.until(() => true), (l) => /^\* (OK|PREAUTH)\b/i.test(l));
  if (ctx.endpoint.security === 'starttls') {
    const t = o.tag();
    await conn.send(`${t} STARTTLS\r\n`);
    await expect('STARTTLS', conn.until(imapTagged(t)), (l) => /^\S+ OK\b/i.test(l));
    await conn.upgrade(ctx.tls);
  }
  const capability = async () => {
    const t = o.tag();
    await conn.send(`${t} CAPABILITY\r\n`);
    const lines = await expect('CAPABILITY', conn.until(imapTagged(t)), (l) => /^\S+ OK\b/i.test(l));
    const listed = lines.find((l) => /^\* CAPABILITY /i.test(l));
    o.capabilities = listed ? listed.slice('* CAPABILITY '.length).split(' ').filter(Boolean) : [];
  };
  await capability();
  if (!login) return;
  const t = o.tag();
  await conn.send(`${t} AUTHENTICATE ${ctx.mechanism}\r\n`);
  await expect(`AUTHENTICATE ${ctx.mechanism}`, conn.until(() => true), (l) => l.startsWith('+'));
  await conn.send(`${saslResponse(ctx)}\r\n`, { secret: true });
  o.loginLines = await finishSasl(conn, ctx, `AUTHENTICATE ${ctx.mechanism}`, imapTagged(t), (l) => /^\S+ OK\b/i.test(l), '+');
  await capability();
}

async function openPop3(ctx: ConnectContext, o: OpenedForChecks, login: boolean): Promise<void> {
  const { conn } = o;
  o.greeting = await expect('greeting', conn.until(() => true), (l) => l.startsWith('+OK'));
  if (ctx.endpoint.security === 'starttls') {
    await conn.send('STLS\r\n');
    await expect('STLS', conn.until(() => true), (l) => l.startsWith('+OK'));
    await conn.upgrade(ctx.tls);
  }
  const capa = async () => {
    await conn.send('CAPA\r\n');
    const first = await expect('CAPA', conn.until(() => true), (l) => l.startsWith('+OK'));
    const lines = await expect('CAPA', conn.until((l) => l === '.'), () => true);
    o.capabilities = [...first.slice(1), ...lines.slice(0, -1)];
  };
  await capa();
  if (!login) return;
  await conn.send(`AUTH ${ctx.mechanism}\r\n`);
  await expect(`AUTH ${ctx.mechanism}`, conn.until(() => true), (l) => l.startsWith('+ ') || l === '+');
  await conn.send(`${saslResponse(ctx)}\r\n`, { secret: true });
  await finishSasl(conn, ctx, `AUTH ${ctx.mechanism}`, (l) => l.startsWith('+OK') || l.startsWith('-ERR'), (l) => l.startsWith('+OK'), '+ ');
}

async function openSmtp(ctx: ConnectContext, o: OpenedForChecks, login: boolean): Promise<void> {
  const { conn } = o;
  o.greeting = await expect('greeting', conn.until(smtpLast), (l) => l.startsWith('220'));
  const ehlo = async () => {
    await conn.send(`EHLO ${EHLO_NAME}\r\n`);
    const lines = await expect('EHLO', conn.until(smtpLast), (l) => l.startsWith('250'));
    o.capabilities = lines.slice(1).map((l) => l.slice(4));
  };
  await ehlo();
  if (ctx.endpoint.security === 'starttls') {
    await conn.send('STARTTLS\r\n');
    await expect('STARTTLS', conn.until(smtpLast), (l) => l.startsWith('220'));
    await conn.upgrade(ctx.tls);
    await ehlo();
  }
  if (!login) return;
  await conn.send(`AUTH ${ctx.mechanism}\r\n`);
  await expect(`AUTH ${ctx.mechanism}`, conn.until(smtpLast), (l) => l.startsWith('334'));
  await conn.send(`${saslResponse(ctx)}\r\n`, { secret: true });
  await finishSasl(conn, ctx, `AUTH ${ctx.mechanism}`, smtpLast, (l) => l.startsWith('235'), '334');
}

/**
 * The outcome of the response: success, or a refusal — after an error challenge (RFC 7628
 * §3.2.3), answered with the response that ends the exchange, as the clients do.
 */
async function finishSasl(conn: CheckConnection, ctx: ConnectContext, step: string, reply: (l: string) => boolean, ok: (l: string) => boolean, challenge: string): Promise<string[]> {
  const last = (l: string) => reply(l) || l.startsWith(challenge);
  let lines = await conn.until(last);
  if (lines !== null && lines.at(-1)!.startsWith(challenge)) {
    await conn.send(ctx.mechanism.toUpperCase() === 'OAUTHBEARER' ? 'AQ==\r\n' : '\r\n');
    lines = await conn.until(reply);
  }
  return expect(step, Promise.resolve(lines), ok);
}

/** The EHLO name of the checks: an address literal, which every server takes. */
export const EHLO_NAME = '[127.0.0.1]';
