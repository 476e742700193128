/**
 * The OAUTHBEARER server-side verifier (RFC 7628 §3). Its states:
 *
 *   waiting   next(null)  -> empty challenge
 *             next(bytes) -> parse gs2-header %x01 *(key "=" value %x01) %x01 strictly:
 *                            channel binding (p=) -> failure 'channel-binding';
 *                            no a= (the user) or no auth= -> failure 'malformed' at once;
 *                            a scheme other than Bearer -> 'bad-scheme';
 *                            ctx.verifyToken: ok -> success;
 *                            expired/invalid -> failure with `errorChallenge` (JSON from
 *                            ctx.oauthBearerError, default {"status":"invalid_token"})
 *   rejected  next(any)   -> the final failure. RFC 7628 §3.2.3: the client answers the
 *                            error challenge with %x01; anything else is 'malformed'.
 *   ended     next(any)   -> failure 'exchange-ended'
 */
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { fromUtf8, utf8 } from './base64.js';
import { parseGs2Header } from './gs2.js';
import { EMPTY, challenge, failure, success, tokenReason } from './server-step.js';

/** The default OAUTHBEARER error challenge, as Dovecot sends it. */
export const DEFAULT_OAUTHBEARER_ERROR = { status: 'invalid_token' } as const;

const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7e \t\r\n]*$/;

/** Parses an OAUTHBEARER client response; a string is the failure reason. */
export function parseOAuthBearerBytes(bytes: Uint8Array): { user: string; accessToken: string; fields: Record<string, string> } | string {
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

/** The OAUTHBEARER server mechanism. */
export class OAuthBearerServer implements SaslServerMechanism {
  readonly name = 'OAUTHBEARER';
  readonly #ctx: SaslServerContext;
  #state: 'waiting' | 'rejected' | 'ended' = 'waiting';
  #reason = '';

  constructor(ctx: SaslServerContext) {
    this.#ctx = ctx;
  }

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    if (this.#state === 'rejected') {
      this.#state = 'ended';
      return failure(response !== null && response.length === 1 && response[0] === 0x01 ? this.#reason : 'malformed');
    }
    if (this.#state === 'ended') return failure('exchange-ended');
    if (response === null) return challenge(EMPTY);
    this.#state = 'ended';
    const parsed = parseOAuthBearerBytes(response);
    if (typeof parsed === 'string') return failure(parsed);
    if (this.#ctx.verifyToken === undefined) return failure('no-verifier');
    const verdict = await this.#ctx.verifyToken(parsed.user, parsed.accessToken, this.name);
    if (verdict === 'ok') return success(parsed.user);
    this.#state = 'rejected';
    this.#reason = tokenReason(verdict);
    const json = this.#ctx.oauthBearerError?.(parsed.user, verdict) ?? DEFAULT_OAUTHBEARER_ERROR;
    return failure(this.#reason, utf8(JSON.stringify(json)));
  }
}
