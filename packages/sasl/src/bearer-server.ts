/**
 * A BearerServer is the verifier both OAuth bearer mechanisms share, XOAUTH2 and
 * OAUTHBEARER (RFC 7628 §3): they differ in how the client's message is laid out, the
 * error JSON they send and the answer they expect to it, and nothing else. Its states:
 *
 *   waiting   next(null)  -> empty challenge (the client sends its message after it)
 *             next(bytes) -> `parse`: a reason -> failure at once (no error challenge);
 *                            ctx.verifyToken: ok -> success;
 *                            expired/invalid -> failure with `errorChallenge` (the JSON
 *                            from `errorJson`) -> rejected
 *   rejected  next(any)   -> the final failure with the same reason, or 'malformed' where
 *                            `isErrorAnswer` refuses the client's answer
 *   ended     next(any)   -> failure 'exchange-ended'
 */
import type { SaslServerContext, SaslServerMechanism, SaslServerStep, TokenVerdict } from './types.js';
import { utf8 } from './base64.js';
import { EMPTY, challenge, failure, success, tokenReason } from './server-step.js';

export abstract class BearerServer implements SaslServerMechanism {
  abstract readonly name: string;
  protected readonly ctx: SaslServerContext;
  #state: 'waiting' | 'rejected' | 'ended' = 'waiting';
  #reason = '';

  constructor(ctx: SaslServerContext) {
    this.ctx = ctx;
  }

  /** The user and token in the client's message, or the failure reason. */
  protected abstract parse(bytes: Uint8Array): { user: string; accessToken: string } | string;

  /** The JSON of the error challenge sent before the final failure. */
  protected abstract errorJson(user: string, verdict: Exclude<TokenVerdict, 'ok'>): Record<string, string>;

  /** Whether the client's answer to the error challenge is the one the mechanism asks for. */
  protected abstract isErrorAnswer(response: Uint8Array | null): boolean;

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    if (this.#state === 'rejected') {
      this.#state = 'ended';
      return failure(this.isErrorAnswer(response) ? this.#reason : 'malformed');
    }
    if (this.#state === 'ended') return failure('exchange-ended');
    if (response === null) return challenge(EMPTY);
    this.#state = 'ended';
    const parsed = this.parse(response);
    if (typeof parsed === 'string') return failure(parsed);
    if (this.ctx.verifyToken === undefined) return failure('no-verifier');
    const verdict = await this.ctx.verifyToken(parsed.user, parsed.accessToken, this.name);
    if (verdict === 'ok') return success(parsed.user);
    this.#state = 'rejected';
    this.#reason = tokenReason(verdict);
    return failure(this.#reason, utf8(JSON.stringify(this.errorJson(parsed.user, verdict))));
  }
}
