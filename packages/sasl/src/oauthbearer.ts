/**
 * OAUTHBEARER (RFC 7628): the standard SASL mechanism for OAuth 2.0 bearer tokens.
 *
 *   client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep      ; RFC 7628 §3.1
 *   kvsep  = %x01
 *   kvpair = key "=" value kvsep
 *   gs2-header here: "n," ["a=" saslname] ","
 *
 * This client sends `n,a=<authzid or user>,` then `host=`, `port=` when known, and
 * `auth=Bearer <token>`. Dovecot refuses the message without `a=`, so the user is always
 * sent there. On failure the server sends a JSON challenge (RFC 7628 §3.2.2, e.g.
 * `{"status":"invalid_token"}`); the client must answer with the single byte %x01
 * (base64 `AQ==`) and then receives the final failure.
 *
 * Both sides of the mechanism live here: `OAuthBearerClient` and its verifier `OAuthBearerServer`.
 */
import type { SaslClientMechanism, SaslCredentials, TokenVerdict } from './types.js';
import { BearerServer } from './bearer-server.js';
import { fromUtf8, utf8 } from './base64.js';
import { gs2Header, parseGs2Header } from './gs2.js';
import { SaslError, refuseSeparator } from './sasl-error.js';
import { parseOAuthErrorBytes } from './xoauth2.js';

const NAME = 'OAUTHBEARER';

/** Builds the OAUTHBEARER client response; refuses `\x01` in any field. */
function oauthBearerBytes(creds: Pick<SaslCredentials, 'user' | 'authzid' | 'accessToken' | 'host' | 'port'>): Uint8Array {
  const token = creds.accessToken;
  if (typeof token !== 'string' || token === '') throw new SaslError('ESASLINPUT', 'OAUTHBEARER needs an access token', { mechanism: NAME, reason: 'missing-token' });
  const authzid = creds.authzid ?? creds.user;
  refuseSeparator(NAME, 'user', authzid, '\x01');
  refuseSeparator(NAME, 'access token', token, '\x01');
  let text = `${gs2Header(authzid)}\x01`;
  if (creds.host !== undefined) {
    refuseSeparator(NAME, 'host', creds.host, '\x01');
    text += `host=${creds.host}\x01`;
  }
  if (creds.port !== undefined) {
    if (!Number.isInteger(creds.port) || creds.port < 0 || creds.port > 65535) {
      throw new SaslError('ESASLINPUT', 'OAUTHBEARER: port is not a TCP port number', { mechanism: NAME, reason: 'bad-input' });
    }
    text += `port=${creds.port}\x01`;
  }
  text += `auth=Bearer ${token}\x01\x01`;
  return utf8(text);
}

/**
 * The OAUTHBEARER client mechanism: a challenge after the first message is the error
 * JSON, kept in `oauthError` and answered with %x01 (RFC 7628 §3.2.3).
 */
export class OAuthBearerClient implements SaslClientMechanism {
  readonly name = NAME;
  oauthError?: Record<string, unknown>;
  readonly #initial: Uint8Array;

  constructor(creds: Pick<SaslCredentials, 'user' | 'authzid' | 'accessToken' | 'host' | 'port'>) {
    this.#initial = oauthBearerBytes(creds);
  }

  start(): Uint8Array {
    return this.#initial.slice();
  }

  next(challenge: Uint8Array): Uint8Array {
    try {
      this.oauthError = parseOAuthErrorBytes(challenge, NAME);
    } catch {
      // Not JSON: still the failure path, and %x01 is still the answer that ends it.
    }
    return Uint8Array.of(0x01);
  }
}

/** The default OAUTHBEARER error challenge, as Dovecot sends it. */
export const DEFAULT_OAUTHBEARER_ERROR = { status: 'invalid_token' } as const;

const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7e \t\r\n]*$/;

/** Parses an OAUTHBEARER client response; a string is the failure reason. */
function parseOAuthBearerBytes(bytes: Uint8Array): { user: string; accessToken: string; fields: Record<string, string> } | string {
  const text = fromUtf8(bytes);
  if (text === null) return 'malformed';
  const gs2 = parseGs2Header(text);
  if (gs2 === null) return 'malformed';
  if (gs2.cbindFlag === 'p') return 'channel-binding';
  const rest = gs2.rest;
  if (!rest.startsWith('\x01') || !rest.endsWith('\x01\x01') || rest.length < 3) return 'malformed';
  const fields: Record<string, string> = {};
  for (const pair of rest.slice(1, -2).split('\x01')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return 'malformed';
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!KEY.test(key) || !VALUE.test(value) || Object.hasOwn(fields, key)) return 'malformed';
    fields[key] = value;
  }
  const auth = fields['auth'];
  if (gs2.authzid === undefined || auth === undefined) return 'malformed';
  const space = auth.indexOf(' ');
  if (space < 0 || auth.slice(0, space).toLowerCase() !== 'bearer') return 'bad-scheme';
  const accessToken = auth.slice(space + 1);
  if (accessToken === '' || accessToken.startsWith(' ')) return 'malformed';
  return { user: gs2.authzid, accessToken, fields };
}

/**
 * The OAUTHBEARER server-side verifier (RFC 7628 §3), in the states of BearerServer:
 * the message is parsed strictly (gs2-header %x01 *(key "=" value %x01) %x01): channel
 * binding (p=) -> 'channel-binding'; no a= (the user) or no auth= -> 'malformed'; a
 * scheme other than Bearer -> 'bad-scheme'. The error challenge is ctx.oauthBearerError,
 * default {"status":"invalid_token"}, and the client must answer it with %x01 (RFC 7628
 * §3.2.3); anything else ends in 'malformed'.
 */
export class OAuthBearerServer extends BearerServer {
  readonly name = NAME;

  protected parse(bytes: Uint8Array): { user: string; accessToken: string } | string {
    return parseOAuthBearerBytes(bytes);
  }

  protected errorJson(user: string, verdict: Exclude<TokenVerdict, 'ok'>): Record<string, string> {
    return this.ctx.oauthBearerError?.(user, verdict) ?? DEFAULT_OAUTHBEARER_ERROR;
  }

  protected isErrorAnswer(response: Uint8Array | null): boolean {
    return response !== null && response.length === 1 && response[0] === 0x01;
  }
}
