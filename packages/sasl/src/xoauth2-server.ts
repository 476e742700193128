/**
 * The XOAUTH2 server-side verifier. Its states:
 *
 *   waiting   next(null)  -> empty challenge (the client sends its message after "+ ")
 *             next(bytes) -> parse "user=...^Aauth=Bearer <token>^A^A" strictly;
 *                            malformed -> failure at once (no error challenge, as Dovecot);
 *                            ctx.verifyToken: ok -> success;
 *                            expired/invalid -> failure with `errorChallenge` (the JSON
 *                            from ctx.xoauth2Error, default {"status":"401",
 *                            "schemes":"bearer","scope":"mail"}) -> rejected
 *   rejected  next(any)   -> the final failure, same reason. The server sends the
 *                            errorChallenge as a challenge, waits for the client's (empty)
 *                            response, calls next() with it, and only then fails.
 *   ended     next(any)   -> failure 'exchange-ended'
 */
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { utf8 } from './base64.js';
import { SaslError } from './sasl-error.js';
import { EMPTY, challenge, failure, success, tokenReason } from './server-step.js';
import { parseXOAuth2Bytes } from './xoauth2.js';

/** The default XOAUTH2 error challenge, as Dovecot sends it. */
export const DEFAULT_XOAUTH2_ERROR = { status: '401', schemes: 'bearer', scope: 'mail' } as const;

/** The XOAUTH2 server mechanism. */
export class XOAuth2Server implements SaslServerMechanism {
  readonly name = 'XOAUTH2';
  readonly #ctx: SaslServerContext;
  #state: 'waiting' | 'rejected' | 'ended' = 'waiting';
  #reason = '';

  constructor(ctx: SaslServerContext) {
    this.#ctx = ctx;
  }

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    if (this.#state === 'rejected') {
      this.#state = 'ended';
      return failure(this.#reason);
    }
    if (this.#state === 'ended') return failure('exchange-ended');
    if (response === null) return challenge(EMPTY);
    this.#state = 'ended';
    let parsed: { user: string; accessToken: string };
    try {
      parsed = parseXOAuth2Bytes(response);
    } catch (error) {
      if (error instanceof SaslError) return failure(error.reason ?? 'malformed');
      throw error;
    }
    if (this.#ctx.verifyToken === undefined) return failure('no-verifier');
    const verdict = await this.#ctx.verifyToken(parsed.user, parsed.accessToken, this.name);
    if (verdict === 'ok') return success(parsed.user);
    this.#state = 'rejected';
    this.#reason = tokenReason(verdict);
    const json = this.#ctx.xoauth2Error?.(parsed.user, verdict) ?? DEFAULT_XOAUTH2_ERROR;
    return failure(this.#reason, utf8(JSON.stringify(json)));
  }
}
