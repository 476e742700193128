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
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { fromUtf8, utf8 } from './base64.js';
import { cramMd5Digest } from './cram-md5.js';
import { challenge, failure, success } from './server-step.js';

const DIGEST = /^[0-9a-f]{32}$/;

/** The CRAM-MD5 server mechanism. */
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
