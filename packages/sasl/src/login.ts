/**
 * LOGIN (draft-murchison-sasl-login-00): the obsolete but ubiquitous two-prompt mechanism.
 *
 *   S: "Username:"   C: user
 *   S: "Password:"   C: password
 *
 * The client sends no initial response: every server that offers LOGIN prompts for the
 * user name, while not all accept it on the AUTH line. The prompts' text is not
 * standardised, so the client answers by position (first challenge the user, second the
 * password) and refuses a third.
 *
 * Both sides of the mechanism live here: `LoginClient` and its verifier `LoginServer`.
 */
import type { SaslClientMechanism, SaslCredentials, SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { fromUtf8, utf8 } from './base64.js';
import { SaslError } from './sasl-error.js';
import { challenge, failure, success } from './server-step.js';

const NAME = 'LOGIN';

/** The LOGIN client mechanism. */
export class LoginClient implements SaslClientMechanism {
  readonly name = NAME;
  readonly #user: string;
  readonly #password: string;
  #step = 0;

  constructor(creds: Pick<SaslCredentials, 'user' | 'password'>) {
    if (typeof creds.password !== 'string' || creds.password === '' || creds.user === '') {
      throw new SaslError('ESASLINPUT', 'LOGIN needs a user and a password', { mechanism: NAME, reason: 'missing-password' });
    }
    this.#user = creds.user;
    this.#password = creds.password;
  }

  start(): null {
    return null;
  }

  next(): Uint8Array {
    this.#step++;
    if (this.#step === 1) return utf8(this.#user);
    if (this.#step === 2) return utf8(this.#password);
    throw new SaslError('ESASLSERVER', 'LOGIN: the server prompted more than twice', { mechanism: NAME, reason: 'unexpected-challenge' });
  }
}

function field(bytes: Uint8Array): string | null {
  const text = fromUtf8(bytes);
  return text === null || text === '' || text.includes('\x00') ? null : text;
}

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
