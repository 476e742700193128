/**
 * The PLAIN server-side verifier (RFC 4616 §2):
 *
 *   next(null)  -> empty challenge (the client sends its message after "+ ")
 *   next(bytes) -> exactly three NUL-separated UTF-8 fields, authcid and passwd
 *                  non-empty, else 'malformed'; ctx.verifyPassword decides:
 *                  success or 'bad-password'. Then 'exchange-ended' for ever.
 */
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { fromUtf8 } from './base64.js';
import { EMPTY, challenge, failure, success } from './server-step.js';

/** The PLAIN server mechanism. */
export class PlainServer implements SaslServerMechanism {
  readonly name = 'PLAIN';
  readonly #ctx: SaslServerContext;
  #ended = false;

  constructor(ctx: SaslServerContext) {
    this.#ctx = ctx;
  }

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    if (this.#ended) return failure('exchange-ended');
    if (response === null) return challenge(EMPTY);
    this.#ended = true;
    const text = fromUtf8(response);
    if (text === null) return failure('malformed');
    const fields = text.split('\x00');
    if (fields.length !== 3) return failure('malformed');
    const [authzid, user, password] = fields as [string, string, string];
    if (user === '' || password === '') return failure('malformed');
    if (this.#ctx.verifyPassword === undefined) return failure('no-verifier');
    const ok = await this.#ctx.verifyPassword(user, password, authzid === '' ? undefined : authzid);
    return ok ? success(user, authzid) : failure('bad-password');
  }
}
