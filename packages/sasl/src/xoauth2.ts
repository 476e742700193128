/**
 * XOAUTH2: Google's and Microsoft's SASL mechanism for OAuth 2.0 bearer tokens.
 *
 *   initial-response = "user=" user %x01 "auth=Bearer " access-token %x01 %x01
 *
 * It is client-first with a single message. A server that refuses the token may send
 * one challenge, base64 JSON such as `{"status":"401","schemes":"Bearer","scope":"..."}`;
 * the client answers it with an empty response and then gets the final failure
 * (https://developers.google.com/gmail/imap/xoauth2-protocol, and Microsoft's
 * "Authenticate an IMAP, POP or SMTP connection using OAuth").
 *
 * Shared mailboxes (Microsoft 365): the token is obtained for a user who has access to
 * the shared mailbox, and `user=` names the shared mailbox's address, not the user's:
 * `encodeXOAuth2('shared@contoso.com', tokenOfAlice)`.
 *
 * The auth scheme is matched case-insensitively when decoding (RFC 7235 §2.1 makes
 * auth-scheme names case-insensitive, and servers accept `bearer`), with exactly one
 * space before the token; the client always sends `Bearer`.
 *
 * Both sides of the mechanism live here: `XOAuth2Client` and its verifier `XOAuth2Server`.
 */
import type { SaslClientMechanism, SaslCredentials, TokenVerdict } from './types.js';
import { BearerServer } from './bearer-server.js';
import { decodeBase64Strict, encodeBase64, fromUtf8, utf8 } from './base64.js';
import { SaslError, refuseSeparator } from './sasl-error.js';

const NAME = 'XOAUTH2';

/** Builds the XOAUTH2 initial response bytes; refuses `\x01` in either field. */
function xoauth2Bytes(user: string, accessToken: string): Uint8Array {
  refuseSeparator(NAME, 'user', user, '\x01');
  refuseSeparator(NAME, 'access token', accessToken, '\x01');
  return utf8(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`);
}

/** Returns base64("user=" + user + "\x01auth=Bearer " + accessToken + "\x01\x01"). */
export function encodeXOAuth2(user: string, accessToken: string): string {
  return encodeBase64(xoauth2Bytes(user, accessToken));
}

function malformed(message: string, reason = 'malformed'): SaslError {
  return new SaslError('ESASLDECODE', `XOAUTH2: ${message}`, { mechanism: NAME, reason });
}

/**
 * Parses decoded XOAUTH2 bytes strictly. Throws SaslError with reason 'malformed'
 * (layout, empty user or token, invalid UTF-8) or 'bad-scheme' (not Bearer).
 */
function parseXOAuth2Bytes(bytes: Uint8Array): { user: string; accessToken: string } {
  const text = fromUtf8(bytes);
  if (text === null) throw malformed('payload is not UTF-8');
  if (!text.startsWith('user=')) throw malformed('payload does not start with user=');
  if (!text.endsWith('\x01\x01')) throw malformed('payload does not end with ^A^A');
  const fields = text.slice(0, -2).split('\x01');
  if (fields.length !== 2) throw malformed(`expected 2 fields, got ${fields.length}`);
  const user = fields[0]!.slice('user='.length);
  const auth = fields[1]!;
  if (user === '') throw malformed('user is empty');
  if (!auth.startsWith('auth=')) throw malformed('second field is not auth=');
  const credentials = auth.slice('auth='.length);
  const space = credentials.indexOf(' ');
  if (space < 0 || credentials.slice(0, space).toLowerCase() !== 'bearer') throw malformed('auth scheme is not Bearer', 'bad-scheme');
  const accessToken = credentials.slice(space + 1);
  if (accessToken === '' || accessToken.startsWith(' ')) throw malformed('access token is empty or not after one space');
  return { user, accessToken };
}

/** Decodes an XOAUTH2 initial response; throws SaslError on bad base64 or a malformed payload. */
export function decodeXOAuth2(base64: string): { user: string; accessToken: string } {
  return parseXOAuth2Bytes(decodeBase64Strict(base64, NAME));
}

/** The decoded XOAUTH2 error challenge. */
export interface XOAuth2Error {
  status?: string;
  schemes?: string;
  scope?: string;
  [k: string]: unknown;
}

/** Parses error-challenge bytes as a JSON object; throws SaslError ESASLDECODE otherwise. */
export function parseOAuthErrorBytes(bytes: Uint8Array, mechanism = NAME): XOAuth2Error {
  const text = fromUtf8(bytes);
  let value: unknown;
  try {
    value = text === null ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SaslError('ESASLDECODE', `${mechanism}: the error challenge is not a JSON object`, { mechanism, reason: 'malformed' });
  }
  return value as XOAuth2Error;
}

/** Decodes the base64 JSON error challenge an XOAUTH2 server sends before failing. */
export function parseXOAuth2Error(base64: string): XOAuth2Error {
  return parseOAuthErrorBytes(decodeBase64Strict(base64, NAME));
}

/**
 * The XOAUTH2 client mechanism: sends the token first; a challenge after that is the
 * error JSON, kept in `oauthError` and answered with an empty response.
 */
export class XOAuth2Client implements SaslClientMechanism {
  readonly name = NAME;
  oauthError?: Record<string, unknown>;
  readonly #initial: Uint8Array;

  constructor(creds: Pick<SaslCredentials, 'user' | 'accessToken'>) {
    if (typeof creds.accessToken !== 'string') throw new SaslError('ESASLINPUT', 'XOAUTH2 needs an access token', { mechanism: NAME, reason: 'missing-token' });
    this.#initial = xoauth2Bytes(creds.user, creds.accessToken);
  }

  start(): Uint8Array {
    return this.#initial.slice();
  }

  next(challenge: Uint8Array): Uint8Array {
    try {
      this.oauthError = parseOAuthErrorBytes(challenge);
    } catch {
      // Not JSON: still the error path; the empty answer lets the server fail cleanly.
    }
    return new Uint8Array(0);
  }
}

/** The default XOAUTH2 error challenge, as Dovecot sends it. */
export const DEFAULT_XOAUTH2_ERROR = { status: '401', schemes: 'bearer', scope: 'mail' } as const;

/**
 * The XOAUTH2 server-side verifier, in the states of BearerServer: the message is parsed
 * strictly ("user=...^Aauth=Bearer <token>^A^A"), and a malformed one fails at once (no
 * error challenge, as Dovecot). The error challenge is ctx.xoauth2Error, default
 * {"status":"401","schemes":"bearer","scope":"mail"}; the server sends it as a challenge,
 * waits for the client's (empty) response, and whatever that is fails with the same reason.
 */
export class XOAuth2Server extends BearerServer {
  readonly name = NAME;

  protected parse(bytes: Uint8Array): { user: string; accessToken: string } | string {
    try {
      return parseXOAuth2Bytes(bytes);
    } catch (error) {
      if (error instanceof SaslError) return error.reason ?? 'malformed';
      throw error;
    }
  }

  protected errorJson(user: string, verdict: Exclude<TokenVerdict, 'ok'>): Record<string, string> {
    return this.ctx.xoauth2Error?.(user, verdict) ?? DEFAULT_XOAUTH2_ERROR;
  }

  protected isErrorAnswer(): boolean {
    return true;
  }
}
