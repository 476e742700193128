/**
 * The client side's front door: `createClientMechanism` by name and `chooseMechanism`,
 * which picks what to use from what the server offers and what the caller holds.
 *
 * Preferences (documented choices):
 * - With an access token: OAUTHBEARER (RFC 7628, the standard, with defined error
 *   semantics) where offered, else XOAUTH2. Microsoft 365 and Outlook.com offer only
 *   XOAUTH2; Gmail and Dovecot offer both.
 * - With a password: SCRAM-SHA-256 (the server proves itself and never sees the
 *   password) > PLAIN > LOGIN > CRAM-MD5. CRAM-MD5 comes last: it is deprecated, needs
 *   the password stored in the clear on the server, and the connection is TLS-protected
 *   by default, so PLAIN over TLS is the better-supported choice.
 */
import { AuthenticationError, UsageError } from '@mailwire/errors';
import type { SaslClientMechanism, SaslCredentials } from './types.js';
import { CramMd5Client } from './cram-md5.js';
import { LoginClient } from './login.js';
import { OAuthBearerClient } from './oauthbearer.js';
import { PlainClient } from './plain.js';
import { ScramSha256Client } from './scram-sha-256.js';
import { XOAuth2Client } from './xoauth2.js';

const FACTORIES: Record<string, (creds: SaslCredentials) => SaslClientMechanism> = {
  XOAUTH2: (creds) => new XOAuth2Client(creds),
  OAUTHBEARER: (creds) => new OAuthBearerClient(creds),
  PLAIN: (creds) => new PlainClient(creds),
  LOGIN: (creds) => new LoginClient(creds),
  'CRAM-MD5': (creds) => new CramMd5Client(creds),
  'SCRAM-SHA-256': (creds) => new ScramSha256Client(creds),
};

/** The order tried with an access token. */
export const TOKEN_MECHANISM_PREFERENCE: readonly string[] = Object.freeze(['OAUTHBEARER', 'XOAUTH2']);
/** The order tried with a password. */
export const PASSWORD_MECHANISM_PREFERENCE: readonly string[] = Object.freeze(['SCRAM-SHA-256', 'PLAIN', 'LOGIN', 'CRAM-MD5']);

/**
 * Creates a client mechanism by name (case-insensitive). Throws UsageError EUSAGE for a
 * name this library does not implement, SaslError ESASLINPUT for credentials the
 * mechanism cannot carry (a missing token or password, a separator inside a field).
 */
export function createClientMechanism(name: string, creds: SaslCredentials): SaslClientMechanism {
  const factory = FACTORIES[name.toUpperCase()];
  if (factory === undefined) {
    throw new UsageError(`unknown SASL mechanism ${JSON.stringify(name)}; known: ${Object.keys(FACTORIES).join(', ')}`, { protocol: 'sasl' });
  }
  return factory(creds);
}

function listOffered(offered: ReadonlySet<string>): string {
  return offered.size === 0 ? 'none' : [...offered].join(', ');
}

/**
 * Picks the mechanism to use. An explicit `mechanism` must be offered; otherwise the
 * first offered one from the token or password preference. Throws AuthenticationError
 * ENOAUTHMECH naming what the server offers, or UsageError when `auth` holds neither a
 * token nor a password.
 */
export function chooseMechanism(
  offered: ReadonlySet<string>,
  auth: { accessToken?: unknown; password?: string; mechanism?: string },
): string {
  const upper = new Set([...offered].map((m) => m.toUpperCase()));
  if (auth.mechanism !== undefined) {
    const wanted = auth.mechanism.toUpperCase();
    if (upper.has(wanted)) return wanted;
    throw new AuthenticationError('ENOAUTHMECH', `the server does not offer ${wanted}; it offers: ${listOffered(upper)}`, {
      protocol: 'sasl',
      mechanism: wanted,
      hint: `Choose one of the offered mechanisms (${listOffered(upper)}), or leave mechanism unset to pick the best one.`,
    });
  }
  let preference: readonly string[];
  let what: string;
  if (auth.accessToken !== undefined) {
    preference = TOKEN_MECHANISM_PREFERENCE;
    what = 'an access token';
  } else if (auth.password !== undefined) {
    preference = PASSWORD_MECHANISM_PREFERENCE;
    what = 'a password';
  } else {
    throw new UsageError('auth needs an accessToken or a password', { protocol: 'sasl' });
  }
  const chosen = preference.find((m) => upper.has(m));
  if (chosen !== undefined) return chosen;
  throw new AuthenticationError('ENOAUTHMECH', `no SASL mechanism for ${what} is offered; the server offers: ${listOffered(upper)}`, {
    protocol: 'sasl',
    hint: auth.accessToken !== undefined
      ? 'The server does not offer XOAUTH2 or OAUTHBEARER: it may not support OAuth 2.0, or only after STARTTLS.'
      : 'The server offers no password mechanism: it may need OAuth 2.0, or allow passwords only after STARTTLS.',
  });
}
