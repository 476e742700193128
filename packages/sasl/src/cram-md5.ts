/**
 * CRAM-MD5 (RFC 2195): the server sends a challenge, the client answers with the user
 * name, a space, and the lower-case hex HMAC-MD5 of the challenge keyed by the password.
 *
 *   S: <1896.697170952@postoffice.reston.mci.net>
 *   C: tim b913a602c7eda7a495b4e6e7334d3890              ; RFC 2195 §2
 *
 * Server-first: no initial response. Kept for old servers; it needs the password stored
 * in the clear on the server and proves nothing about the server.
 *
 * Both sides of the mechanism live here: `CramMd5Client` and its verifier `CramMd5Server`.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { SaslClientMechanism, SaslCredentials, SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { fromUtf8, utf8 } from './base64.js';
import { SaslError } from './sasl-error.js';
import { challenge, failure, success } from './server-step.js';

const NAME = 'CRAM-MD5';

/** Returns the lower-case hex HMAC-MD5 digest CRAM-MD5 sends. */
function cramMd5Digest(password: string, challenge: Uint8Array): string {
  return createHmac('md5', utf8(password)).update(challenge).digest('hex');
}

/** The CRAM-MD5 client mechanism. */
export class CramMd5Client implements SaslClientMechanism {
  readonly name = NAME;
  readonly #user: string;
  readonly #password: string;
  #answered = false;

  constructor(creds: Pick<SaslCredentials, 'user' | 'password'>) {
    if (typeof creds.password !== 'string' || creds.password === '' || creds.user === '') {
      throw new SaslError('ESASLINPUT', 'CRAM-MD5 needs a user and a password', { mechanism: NAME, reason: 'missing-password' });
    }
    this.#user = creds.user;
    this.#password = creds.password;
  }

  start(): null {
    return null;
  }

  next(challenge: Uint8Array): Uint8Array {
    if (this.#answered) throw new SaslError('ESASLSERVER', 'CRAM-MD5: the server sent a second challenge', { mechanism: NAME, reason: 'unexpected-challenge' });
    if (challenge.length === 0) throw new SaslError('ESASLSERVER', 'CRAM-MD5: the challenge is empty', { mechanism: NAME, reason: 'malformed' });
    this.#answered = true;
    return utf8(`${this.#user} ${cramMd5Digest(this.#password, challenge)}`);
  }
}

const DIGEST = /^[0-9a-f]{32}$/;

/**
 * The CRAM-MD5 server-side verifier (RFC 2195 §2):
 *
 *   start     next(null)  -> challenge "<" nonce "@" hostname ">" (ctx.nonce and
 *                            ctx.hostname, defaults random digits and "localhost")
 *             next(bytes) -> 'malformed': CRAM-MD5 has no initial response
 *   answer    next(bytes) -> "user SP 32 lower-case hex digits", the user being all before
 *                            the last space; ctx.lookupPassword: null -> 'unknown-user';
 *                            digest compared in constant time -> success or 'bad-password'
 *   ended     next(any)   -> failure 'exchange-ended'
 */
export class CramMd5Server implements SaslServerMechanism {
  readonly name = 'CRAM-MD5';
  readonly #ctx: SaslServerContext;
  #state: 'start' | 'answer' | 'ended' = 'start';
  #challenge: Uint8Array = new Uint8Array(0);

  constructor(ctx: SaslServerContext) {
    this.#ctx = ctx;
  }

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    if (this.#state === 'start' && response === null) {
      const nonce = this.#ctx.nonce?.() ?? `${randomInt(1e9)}.${randomInt(1e9)}`;
      this.#challenge = utf8(`<${nonce}@${this.#ctx.hostname ?? 'localhost'}>`);
      this.#state = 'answer';
      return challenge(this.#challenge);
    }
    if (this.#state !== 'answer') {
      const reason = this.#state === 'start' ? 'malformed' : 'exchange-ended';
      this.#state = 'ended';
      return failure(reason);
    }
    this.#state = 'ended';
    const text = response === null ? null : fromUtf8(response);
    if (text === null) return failure('malformed');
    const space = text.lastIndexOf(' ');
    const user = text.slice(0, space);
    const digest = text.slice(space + 1);
    if (space <= 0 || !DIGEST.test(digest)) return failure('malformed');
    if (this.#ctx.lookupPassword === undefined) return failure('no-verifier');
    const password = await this.#ctx.lookupPassword(user);
    if (password === null) return failure('unknown-user');
    const expected = cramMd5Digest(password, this.#challenge);
    return timingSafeEqual(utf8(expected), utf8(digest)) ? success(user) : failure('bad-password');
  }
}
