/**
 * `authenticate` logs a POP3 session in: SASL through the shared exchange driver (AUTH,
 * RFC 5034) for a token (XOAUTH2, OAUTHBEARER) or a password (SCRAM-SHA-256, PLAIN, ...);
 * USER/PASS (RFC 1939 §7) for a password when no SASL mechanism fits; APOP when asked for,
 * and only over TLS. Never over
 * plaintext unless the caller allowed it. The initial response rides on the AUTH line
 * only where the line fits 255 octets (RFC 5034 §4); otherwise it goes after the "+".
 */
import { createHash } from 'node:crypto';

import { AuthenticationError, SecurityError } from '@mailwire/errors';
import type { ClientAuth } from '@mailwire/net';
import { chooseMechanism, createClientMechanism, failureHint, SaslExchange } from '@mailwire/sasl';

import type { Pop3Status } from '../codec/status.js';

/** What authenticate needs from the client: write a line, read the next answer. */
export interface AuthChannel {
  /** Sends a command line; resolves with the next event that is not a body. */
  command(line: string, secret?: boolean): Promise<void>;
  /** Sends a SASL response line (secret). */
  saslLine(line: string): Promise<void>;
  /** The next challenge ("+ text") or status. */
  reply(): Promise<{ kind: 'challenge'; text: string } | { kind: 'status'; status: Pop3Status }>;
}

export interface AuthenticateOptions {
  auth: ClientAuth;
  token?: string;
  secure: boolean;
  allowInsecureAuth: boolean;
  capabilities: ReadonlySet<string>;
  authMechanisms: ReadonlySet<string>;
  host: string;
  port: number;
  /** The greeting's text: APOP needs its <timestamp> (RFC 1939 §7). */
  greeting?: string;
}

export async function authenticate(ch: AuthChannel, o: AuthenticateOptions): Promise<void> {
  const { auth, token } = o;
  if (!o.secure && !o.allowInsecureAuth) {
    throw new SecurityError('EINSECURE', 'Refusing to send credentials over an unencrypted connection: use security "tls" or "starttls", or set allowInsecureAuth for a test server', { protocol: 'pop3' });
  }
  const password = auth.password;
  if (auth.mechanism?.toUpperCase() === 'APOP') return apop(ch, auth.user, password, o);
  const wantsUserPass = token === undefined && password !== undefined && (auth.mechanism === undefined || auth.mechanism.toUpperCase() === 'USER');
  let mechanism: string | null = null;
  if (auth.mechanism?.toUpperCase() !== 'USER') {
    try {
      mechanism = chooseMechanism(o.authMechanisms, {
        ...(token !== undefined ? { accessToken: token } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(auth.mechanism !== undefined ? { mechanism: auth.mechanism } : {}),
      });
    } catch (err) {
      if (!(wantsUserPass && err instanceof AuthenticationError && err.code === 'ENOAUTHMECH')) {
        if (err instanceof AuthenticationError) throw new AuthenticationError(err.code as 'ENOAUTHMECH', err.message, { protocol: 'pop3', ...(err.hint ? { hint: err.hint } : {}), ...(err.mechanism ? { mechanism: err.mechanism } : {}) });
        throw err;
      }
    }
  }
  if (mechanism === null) return userPass(ch, auth.user, password!);

  const exchange = new SaslExchange({
    protocol: 'pop3',
    mechanism: createClientMechanism(mechanism, {
      user: auth.user,
      ...(password !== undefined ? { password } : {}),
      ...(token !== undefined ? { accessToken: token } : {}),
      host: o.host,
      port: o.port,
    }),
    initialResponse: auth.initialResponse ?? 'auto',
  });
  await ch.command(exchange.command());
  for (;;) {
    const r = await ch.reply();
    if (r.kind === 'challenge') {
      await ch.saslLine(exchange.onChallenge(r.text));
      continue;
    }
    if (r.status.ok) {
      exchange.onSuccess();
      return;
    }
    throw exchange.onFailure({ serverText: r.status.line, ...(r.status.code ? { responseCode: r.status.code } : {}) });
  }
}

/**
 * APOP (RFC 1939 §7): the MD5 of the greeting's timestamp and the password. MD5 and a
 * shared secret are weak, so APOP goes only over TLS, whatever allowInsecureAuth says.
 */
async function apop(ch: AuthChannel, user: string, password: string | undefined, o: AuthenticateOptions): Promise<void> {
  if (!o.secure) {
    throw new SecurityError('EINSECURE', 'APOP is only used over TLS (its MD5 digest can be attacked offline): use security "tls" or "starttls"', { protocol: 'pop3' });
  }
  const timestamp = /<[^<>\s]*@[^<>\s]*>/.exec(o.greeting ?? '')?.[0];
  if (password === undefined || timestamp === undefined) {
    throw new AuthenticationError('ENOAUTHMECH', password === undefined ? 'APOP needs a password' : 'The server greeting has no APOP timestamp, so it does not offer APOP', { protocol: 'pop3', mechanism: 'APOP' });
  }
  const digest = createHash('md5').update(timestamp + password, 'utf8').digest('hex');
  await ch.command(`APOP ${user} ${digest}`, true);
  const r = await ch.reply();
  if (r.kind === 'status' && r.status.ok) return;
  const serverText = r.kind === 'status' ? r.status.line : `+ ${r.text}`;
  const hint = failureHint({ protocol: 'pop3', mechanism: 'APOP', serverText });
  throw new AuthenticationError('EAUTH', `POP3 APOP failed: the server said: ${serverText}`, {
    protocol: 'pop3',
    command: 'APOP [redacted]',
    serverText,
    mechanism: 'APOP',
    ...(r.kind === 'status' && r.status.code ? { responseCode: r.status.code } : {}),
    ...(hint ? { hint } : {}),
  });
}

async function userPass(ch: AuthChannel, user: string, password: string): Promise<void> {
  for (const [keyword, arg] of [['USER', user], ['PASS', password]] as const) {
    await ch.command(`${keyword} ${arg}`);
    const r = await ch.reply();
    if (r.kind === 'status' && r.status.ok) continue;
    const serverText = r.kind === 'status' ? r.status.line : `+ ${r.text}`;
    const hint = failureHint({ protocol: 'pop3', mechanism: 'USER', serverText });
    throw new AuthenticationError('EAUTH', `POP3 ${keyword} failed: the server said: ${serverText}`, {
      protocol: 'pop3',
      command: keyword === 'PASS' ? 'PASS [redacted]' : `USER ${user}`,
      serverText,
      mechanism: 'USER',
      ...(r.kind === 'status' && r.status.code ? { responseCode: r.status.code } : {}),
      ...(hint ? { hint } : {}),
    });
  }
}
