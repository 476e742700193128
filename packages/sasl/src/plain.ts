/**
 * PLAIN (RFC 4616): one client message, no challenge.
 *
 *   message = [authzid] UTF8NUL authcid UTF8NUL passwd          ; RFC 4616 §2
 *
 * A NUL inside any field would shift the fields the server sees, so it is refused
 * before anything is sent. An empty authzid means "act as authcid" and is left out.
 *
 * Both sides of the mechanism live here: `PlainClient` and its verifier `PlainServer`.
 */
import type { SaslClientMechanism, SaslCredentials, SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { fromUtf8, utf8 } from './base64.js';
import { SaslError, refuseSeparator } from './sasl-error.js';
import { EMPTY, challenge, failure, success } from './server-step.js';

const NAME = 'PLAIN';

/** Builds the PLAIN message; throws ESASLINPUT for a NUL in a field or an empty user or password. */
function plainBytes(creds: Pick<SaslCredentials, 'user' | 'authzid' | 'password'>): Uint8Array {
  const { user, password } = creds;
  const authzid = creds.authzid ?? '';
  if (typeof password !== 'string' || password === '' || user === '') {
    throw new SaslError('ESASLINPUT', 'PLAIN needs a user and a password', { mechanism: NAME, reason: 'missing-password' });
  }
  refuseSeparator(NAME, 'authzid', authzid, '\x00');
  refuseSeparator(NAME, 'user', user, '\x00');
  refuseSeparator(NAME, 'password', password, '\x00');
  return utf8(`${authzid}\x00${user}\x00${password}`);
}

/** The PLAIN client mechanism; any challenge after the message is refused. */
export class PlainClient implements SaslClientMechanism {
  readonly name = NAME;
  readonly #message: Uint8Array;

  constructor(creds: Pick<SaslCredentials, 'user' | 'authzid' | 'password'>) {
    this.#message = plainBytes(creds);
  }

  start(): Uint8Array {
    return this.#message.slice();
  }

  next(): Uint8Array {
    throw new SaslError('ESASLSERVER', 'PLAIN: the server sent a challenge after the only message', { mechanism: NAME, reason: 'unexpected-challenge' });
  }
}

/**
 * The PLAIN server-side verifier (RFC 4616 §2):
 *
 *   next(null)  -> empty challenge (the client sends its message after "+ ")
 *   next(bytes) -> exactly three NUL-separated UTF-8 fields, authcid and passwd
 *                  non-empty, else 'malformed'; ctx.verifyPassword decides:
 *                  success or 'bad-password'. Then 'exchange-ended' for ever.
 */
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
