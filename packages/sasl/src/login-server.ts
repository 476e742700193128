/**
 * The LOGIN server-side verifier (draft-murchison-sasl-login-00):
 *
 *   user      next(null)  -> challenge "Username:"
 *             next(bytes) -> the user name (sent as an initial response, or after the
 *                            prompt) -> challenge "Password:"
 *   password  next(bytes) -> ctx.verifyPassword: success or 'bad-password'
 *   ended     next(any)   -> failure 'exchange-ended'
 *
 * A field that is not UTF-8, is empty, or holds NUL is 'malformed'.
 */
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { fromUtf8 } from './base64.js';
import { challenge, failure, success } from './server-step.js';

function field(bytes: Uint8Array): string | null {
  const text = fromUtf8(bytes);
  return text === null || text === '' || text.includes('\x00') ? null : text;
}

/** The LOGIN server mechanism. */
export class LoginServer implements SaslServerMechanism {
  readonly name = 'LOGIN';
  readonly #ctx: SaslServerContext;
  #state: 'user' | 'password' | 'ended' = 'user';
  #prompted = false;
  #user = '';

  constructor(ctx: SaslServerContext) {
    this.#ctx = ctx;
  }

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    if (this.#state === 'ended') return failure('exchange-ended');
    if (this.#state === 'user') {
      if (response === null) {
        if (this.#prompted) return this.#end('malformed');
        this.#prompted = true;
        return challenge('Username:');
      }
      const user = field(response);
      if (user === null) return this.#end('malformed');
      this.#user = user;
      this.#state = 'password';
      return challenge('Password:');
    }
    if (response === null) return this.#end('malformed');
    const password = field(response);
    if (password === null) return this.#end('malformed');
    this.#state = 'ended';
    if (this.#ctx.verifyPassword === undefined) return failure('no-verifier');
    return (await this.#ctx.verifyPassword(this.#user, password)) ? success(this.#user) : failure('bad-password');
  }

  #end(reason: string): SaslServerStep {
    this.#state = 'ended';
    return failure(reason);
  }
}
