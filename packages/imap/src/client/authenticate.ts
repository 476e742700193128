/**
 * `authenticate` logs an IMAP session in (RFC 9051 §6.2.2, §6.2.3) through the shared
 * SASL layer: XOAUTH2 and OAUTHBEARER for a token, SCRAM-SHA-256 and PLAIN for a
 * password, and the LOGIN command as the last resort — never where the server says
 * LOGINDISABLED, never in plaintext unless the caller allowed it.
 *
 * The initial response follows RFC 4959: on the command line only where SASL-IR is
 * advertised, otherwise two-step after the server's "+" (Yahoo and Yandex advertise
 * AUTH=XOAUTH2 without SASL-IR; quirks.ts `xoauth2WithoutSaslIr`).
 */
import { AuthenticationError, SecurityError } from '@mailwire/errors';
import type { ClientAuth } from '@mailwire/net';
import { chooseMechanism, createClientMechanism, failureHint, SaslExchange } from '@mailwire/sasl';

import { str } from '../command/arguments.js';
import type { Connection } from './connection.js';
import { referralHint, referralMessage, referralOf } from './referral.js';

export interface AuthenticateOptions {
  auth: ClientAuth;
  /** The token already resolved from auth.accessToken. */
  token?: string;
  secure: boolean;
  allowInsecureAuth: boolean;
  host: string;
  port: number;
  /** quirks.ts twoStepWithoutSaslIr (default true). */
  twoStepWithoutSaslIr?: boolean;
}

/** The SASL mechanisms a capability list offers (AUTH=...), upper-cased. */
export function authMechanismsOf(capabilities: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const c of capabilities) if (c.startsWith('AUTH=')) out.add(c.slice(5));
  return out;
}

/** Authenticates; throws AuthenticationError (EAUTH, ENOAUTHMECH) or SecurityError (EINSECURE). */
export async function authenticate(conn: Connection, options: AuthenticateOptions): Promise<void> {
  const { auth, token } = options;
  if (!options.secure && !options.allowInsecureAuth) {
    throw new SecurityError('EINSECURE', 'Refusing to send credentials over an unencrypted connection: use security "tls" or "starttls", or set allowInsecureAuth for a test server', { protocol: 'imap' });
  }
  const caps = conn.session.capabilities;
  const offered = authMechanismsOf(caps);
  const password = auth.password;
  const wantsLoginCommand = auth.mechanism?.toUpperCase() === 'LOGIN' && !offered.has('LOGIN');
  let mechanism: string | null = null;
  if (!wantsLoginCommand) {
    try {
      mechanism = chooseMechanism(offered, {
        ...(token !== undefined ? { accessToken: token } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(auth.mechanism !== undefined ? { mechanism: auth.mechanism } : {}),
      });
    } catch (err) {
      const fallback = token === undefined && password !== undefined && err instanceof AuthenticationError && err.code === 'ENOAUTHMECH' && auth.mechanism === undefined;
      if (!fallback) throw err;
    }
  }
  if (mechanism === null) return loginCommand(conn, auth.user, password!, caps);

  const exchange = new SaslExchange({
    protocol: 'imap',
    mechanism: createClientMechanism(mechanism, {
      user: auth.user,
      ...(password !== undefined ? { password } : {}),
      ...(token !== undefined ? { accessToken: token } : {}),
      host: options.host,
      port: options.port,
    }),
    initialResponse: auth.initialResponse ?? 'auto',
    saslIr: caps.has('SASL-IR') || options.twoStepWithoutSaslIr === false,
  });
  const outcome = await conn.run({ name: 'AUTHENTICATE', sasl: exchange });
  if (outcome.ok) {
    exchange.onSuccess();
    return;
  }
  const { response } = outcome;
  const refused = exchange.onFailure({ serverText: response.text, ...(response.code ? { responseCode: response.code.name } : {}) });
  const referral = referralOf(response.code);
  if (referral === undefined) throw refused;
  throw new AuthenticationError('EAUTH', referralMessage(`IMAP ${mechanism} authentication failed`, 'RFC 2221'), {
    protocol: 'imap',
    command: exchange.redactedCommand(),
    serverText: response.text,
    mechanism,
    responseCode: 'REFERRAL',
    hint: referralHint(referral),
  });
}

async function loginCommand(conn: Connection, user: string, password: string, caps: ReadonlySet<string>): Promise<void> {
  if (caps.has('LOGINDISABLED')) {
    throw new AuthenticationError('ENOAUTHMECH', 'The server offers no password mechanism and says LOGINDISABLED', {
      protocol: 'imap',
      mechanism: 'LOGIN',
      hint: 'The server refuses LOGIN here: connect with security "tls" or "starttls", or use OAuth 2.0.',
    });
  }
  const outcome = await conn.run({ name: 'LOGIN', args: [str(user), str(password, { secret: true })] });
  if (outcome.ok) return;
  const { response } = outcome;
  const referral = referralOf(response.code);
  if (referral !== undefined) {
    throw new AuthenticationError('EAUTH', referralMessage('IMAP LOGIN failed', 'RFC 2221'), {
      protocol: 'imap',
      command: outcome.handle.text,
      serverText: response.text,
      mechanism: 'LOGIN',
      responseCode: 'REFERRAL',
      hint: referralHint(referral),
    });
  }
  const responseCode = response.code?.name;
  const hint = failureHint({ protocol: 'imap', mechanism: 'LOGIN', serverText: response.text, ...(responseCode ? { responseCode } : {}) });
  throw new AuthenticationError('EAUTH', `IMAP LOGIN failed: the server said: ${response.text}`, {
    protocol: 'imap',
    command: outcome.handle.text,
    serverText: response.text,
    mechanism: 'LOGIN',
    ...(responseCode ? { responseCode } : {}),
    ...(hint ? { hint } : {}),
  });
}
