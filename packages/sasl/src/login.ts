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
 */
import type { SaslClientMechanism, SaslCredentials } from './types.js';
import { utf8 } from './base64.js';
import { SaslError } from './sasl-error.js';

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
