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
 */
import type { SaslClientMechanism, SaslCredentials } from './types.js';
import { concatBytes, utf8 } from './base64.js';
import { gs2Header } from './gs2.js';
import { SaslError, refuseSeparator } from './sasl-error.js';
import { parseOAuthErrorBytes } from './xoauth2.js';

const NAME = 'OAUTHBEARER';

/** Builds the OAUTHBEARER client response; refuses `\x01` in any field. */
export function oauthBearerBytes(creds: Pick<SaslCredentials, 'user' | 'authzid' | 'accessToken' | 'host' | 'port'>): Uint8Array {
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
    return concatBytes(this.#initial);
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
