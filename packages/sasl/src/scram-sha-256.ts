/**
 * SCRAM-SHA-256 client (RFC 5802, RFC 7677): mutual authentication without sending the
 * password. Its state machine, one message per step:
 *
 *   start()           -> client-first  "n,[a=authzid]," "n=" user ",r=" c-nonce
 *   next(server-first: "r=" nonce ",s=" salt ",i=" count)
 *                     -> client-final  "c=" base64(gs2-header) ",r=" nonce ",p=" proof
 *   next(server-final: "v=" ServerSignature)   -> empty response (IMAP, POP3, SMTP carry
 *                        server-final as a challenge), after checking the signature
 *   finish(data)      -> checks server-final when it came as success data instead;
 *                        throws when the server never proved it knows the password.
 *
 * Every check failure is a SaslError: the nonce must extend ours, the count must be sane
 * (at most SCRAM_MAX_ITERATIONS), `m=` is refused (RFC 5802 §5.1), `e=` reports the
 * server's error, and a wrong `v=` means the server is not who it claims.
 *
 * Both sides of the mechanism live here: `ScramSha256Client` and its verifier `ScramSha256Server`.
 */
import { randomBytes } from 'node:crypto';
import type { SaslClientMechanism, SaslCredentials, SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { base64Problem, decodeBase64Strict, encodeBase64, fromUtf8, utf8 } from './base64.js';
import { decodeSaslname, encodeSaslname, gs2Header, parseGs2Header } from './gs2.js';
import { SaslError } from './sasl-error.js';
import { EMPTY, challenge, failure, success } from './server-step.js';
import {
  SCRAM_MAX_ITERATIONS, SCRAM_NAME, SCRAM_SERVER_ITERATIONS, hmac, isValidNonce, parseAttributes, sameBytes, scramKeys, sha256, xorBytes,
} from './scram-common.js';
import type { ScramKeys } from './scram-common.js';

function fail(code: 'ESASLSERVER' | 'ESASLDECODE', message: string, reason: string): SaslError {
  return new SaslError(code, `${SCRAM_NAME}: ${message}`, { mechanism: SCRAM_NAME, reason });
}

/** The SCRAM-SHA-256 client mechanism; `options.nonce` is for known-answer tests. */
export class ScramSha256Client implements SaslClientMechanism {
  readonly name = SCRAM_NAME;
  readonly #password: string;
  readonly #gs2: string;
  readonly #clientFirstBare: string;
  readonly #nonce: string;
  #step: 'first' | 'final' | 'verify' | 'verified' = 'first';
  #serverSignature?: Buffer;

  constructor(creds: Pick<SaslCredentials, 'user' | 'authzid' | 'password'>, options: { nonce?: string } = {}) {
    if (typeof creds.password !== 'string' || creds.password === '' || creds.user === '') {
      throw new SaslError('ESASLINPUT', `${SCRAM_NAME} needs a user and a password`, { mechanism: SCRAM_NAME, reason: 'missing-password' });
    }
    this.#nonce = options.nonce ?? randomBytes(18).toString('base64');
    if (!isValidNonce(this.#nonce)) throw new SaslError('ESASLINPUT', `${SCRAM_NAME}: the nonce is not printable`, { mechanism: SCRAM_NAME, reason: 'bad-input' });
    this.#password = creds.password;
    this.#gs2 = gs2Header(creds.authzid);
    this.#clientFirstBare = `n=${encodeSaslname(creds.user)},r=${this.#nonce}`;
  }

  start(): Uint8Array {
    this.#step = 'final';
    return utf8(this.#gs2 + this.#clientFirstBare);
  }

  next(challenge: Uint8Array): Uint8Array {
    const text = fromUtf8(challenge);
    if (text === null) throw fail('ESASLDECODE', 'the server message is not UTF-8', 'malformed');
    if (this.#step === 'final') return this.#final(text);
    if (this.#step === 'verify') {
      this.#verify(text);
      return new Uint8Array(0);
    }
    throw fail('ESASLSERVER', 'the server sent a challenge after the exchange ended', 'unexpected-challenge');
  }

  #final(serverFirst: string): Uint8Array {
    const attrs = parseAttributes(serverFirst);
    if (attrs === null) throw fail('ESASLDECODE', 'server-first is malformed', 'malformed');
    if (attrs[0]?.key === 'e') throw fail('ESASLSERVER', `the server refused: ${attrs[0].value}`, 'server-error');
    if (attrs[0]?.key === 'm') throw fail('ESASLSERVER', 'the server requires an extension (m=)', 'unsupported-extension');
    const [r, s, i] = attrs;
    if (r?.key !== 'r' || s?.key !== 's' || i?.key !== 'i') throw fail('ESASLDECODE', 'server-first is not r=,s=,i=', 'malformed');
    if (!r.value.startsWith(this.#nonce) || r.value.length === this.#nonce.length || !isValidNonce(r.value)) {
      throw fail('ESASLSERVER', 'the server nonce does not extend the client nonce', 'bad-nonce');
    }
    if (!/^[1-9][0-9]{0,8}$/.test(i.value) || Number(i.value) > SCRAM_MAX_ITERATIONS) {
      throw fail('ESASLSERVER', `iteration count not between 1 and ${SCRAM_MAX_ITERATIONS}`, 'bad-iterations');
    }
    let salt: Uint8Array;
    try {
      salt = decodeBase64Strict(s.value, SCRAM_NAME);
    } catch {
      throw fail('ESASLDECODE', 'the salt is not base64', 'malformed');
    }
    if (salt.length === 0) throw fail('ESASLDECODE', 'the salt is empty', 'malformed');
    const keys = scramKeys(this.#password, salt, Number(i.value));
    const withoutProof = `c=${encodeBase64(utf8(this.#gs2))},r=${r.value}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xorBytes(keys.clientKey, hmac(keys.storedKey, authMessage));
    this.#serverSignature = hmac(keys.serverKey, authMessage);
    this.#step = 'verify';
    return utf8(`${withoutProof},p=${proof.toString('base64')}`);
  }

  #verify(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal);
    if (attrs === null || attrs.length === 0) throw fail('ESASLDECODE', 'server-final is malformed', 'malformed');
    if (attrs[0]!.key === 'e') throw fail('ESASLSERVER', `the server refused: ${attrs[0]!.value}`, 'server-error');
    if (attrs[0]!.key !== 'v') throw fail('ESASLDECODE', 'server-final has no v=', 'malformed');
    let signature: Uint8Array;
    try {
      signature = decodeBase64Strict(attrs[0]!.value, SCRAM_NAME);
    } catch {
      throw fail('ESASLDECODE', 'the server signature is not base64', 'malformed');
    }
    if (!sameBytes(signature, this.#serverSignature!)) {
      throw fail('ESASLSERVER', 'the server signature is wrong: the server does not know the password', 'server-signature');
    }
    this.#step = 'verified';
  }

  finish(successData: Uint8Array | null): void {
    if (this.#step === 'verified') return;
    if (this.#step === 'verify' && successData !== null && successData.length > 0) {
      const text = fromUtf8(successData);
      if (text === null) throw fail('ESASLDECODE', 'server-final is not UTF-8', 'malformed');
      this.#verify(text);
      return;
    }
    throw fail('ESASLSERVER', 'the server accepted without proving it knows the password (no server signature)', 'server-signature');
  }
}

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
