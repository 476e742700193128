/**
 * The SCRAM-SHA-256 server-side verifier (RFC 5802 §5, RFC 7677). Its states:
 *
 *   first     next(null)  -> empty challenge (the client sends client-first after "+ ")
 *             next(client-first) -> gs2-header "n=" user ",r=" c-nonce; p= channel binding
 *                            -> 'channel-binding', m= -> 'unsupported-extension', else
 *                            ctx.lookupPassword (null -> 'unknown-user'); derive keys with
 *                            a salt (ctx.scramSalt or 16 random bytes) and 4096 iterations;
 *                            challenge server-first "r=" c-nonce s-nonce ",s=" salt ",i=4096"
 *   final     next(client-final) -> "c=" base64(gs2-header) ",r=" nonce [",..."] ",p=" proof;
 *                            c and r must match, the proof must hash to StoredKey
 *                            (else 'bad-password'); challenge server-final "v=" signature
 *   ack       next(empty) -> success. None of IMAP, POP3 and SMTP carries success data, so
 *                            server-final travels as a challenge that the client answers
 *                            with an empty response (RFC 4422 §5, item 7).
 *   ended     next(any)   -> failure 'exchange-ended'
 *
 * Any malformed message is 'malformed'. The client-final's proof is checked in constant time.
 */
import { randomBytes } from 'node:crypto';
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { base64Problem, encodeBase64, fromUtf8, utf8 } from './base64.js';
import { decodeSaslname, parseGs2Header } from './gs2.js';
import { EMPTY, challenge, failure, success } from './server-step.js';
import {
  SCRAM_NAME, SCRAM_SERVER_ITERATIONS, hmac, isValidNonce, parseAttributes, sameBytes, scramKeys, sha256, xorBytes,
} from './scram-common.js';
import type { ScramKeys } from './scram-common.js';

/** The SCRAM-SHA-256 server mechanism. */
export class ScramSha256Server implements SaslServerMechanism {
  readonly name = SCRAM_NAME;
  readonly #ctx: SaslServerContext;
  #state: 'first' | 'final' | 'ack' | 'ended' = 'first';
  #user = '';
  #authzid: string | undefined;
  #gs2 = '';
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #keys?: ScramKeys;

  constructor(ctx: SaslServerContext) {
    this.#ctx = ctx;
  }

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    const state = this.#state;
    if (state === 'first' && response === null) return challenge(EMPTY);
    this.#state = 'ended';
    if (state === 'ended' || response === null) return failure(state === 'ended' ? 'exchange-ended' : 'malformed');
    const text = fromUtf8(response);
    if (text === null) return failure('malformed');
    if (state === 'first') return this.#first(text);
    if (state === 'final') return this.#final(text);
    return text === '' ? success(this.#user, this.#authzid) : failure('malformed');
  }

  async #first(text: string): Promise<SaslServerStep> {
    const gs2 = parseGs2Header(text);
    if (gs2 === null) return failure('malformed');
    if (gs2.cbindFlag === 'p') return failure('channel-binding');
    const attrs = parseAttributes(gs2.rest);
    if (attrs === null) return failure('malformed');
    if (attrs[0]?.key === 'm') return failure('unsupported-extension');
    const [n, r] = attrs;
    if (n?.key !== 'n' || r?.key !== 'r' || !isValidNonce(r.value)) return failure('malformed');
    const user = decodeSaslname(n.value);
    if (user === null) return failure('malformed');
    if (this.#ctx.lookupPassword === undefined) return failure('no-verifier');
    const password = await this.#ctx.lookupPassword(user);
    if (password === null) return failure('unknown-user');
    const salt = this.#ctx.scramSalt?.(user) ?? randomBytes(16);
    const serverPart = this.#ctx.nonce?.() ?? randomBytes(18).toString('base64');
    this.#user = user;
    this.#authzid = gs2.authzid;
    this.#gs2 = gs2.header;
    this.#clientFirstBare = gs2.rest;
    this.#nonce = r.value + serverPart;
    this.#keys = scramKeys(password, salt, SCRAM_SERVER_ITERATIONS);
    this.#serverFirst = `r=${this.#nonce},s=${encodeBase64(salt)},i=${SCRAM_SERVER_ITERATIONS}`;
    this.#state = 'final';
    return challenge(this.#serverFirst);
  }

  #final(text: string): SaslServerStep {
    const attrs = parseAttributes(text);
    if (attrs === null || attrs.length < 3) return failure('malformed');
    const [c, r] = attrs;
    const p = attrs[attrs.length - 1]!;
    if (c?.key !== 'c' || r?.key !== 'r' || p.key !== 'p') return failure('malformed');
    if (c.value !== encodeBase64(utf8(this.#gs2)) || r.value !== this.#nonce) return failure('malformed');
    if (p.value === '' || base64Problem(p.value) !== null) return failure('malformed');
    const proof = Buffer.from(p.value, 'base64');
    const keys = this.#keys!;
    const withoutProof = text.slice(0, text.length - p.value.length - 3);
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const signature = hmac(keys.storedKey, authMessage);
    if (proof.length !== signature.length || !sameBytes(sha256(xorBytes(proof, signature)), keys.storedKey)) {
      return failure('bad-password');
    }
    this.#state = 'ack';
    return challenge(`v=${hmac(keys.serverKey, authMessage).toString('base64')}`);
  }
}
