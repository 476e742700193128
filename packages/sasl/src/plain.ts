/**
 * PLAIN (RFC 4616): one client message, no challenge.
 *
 *   message = [authzid] UTF8NUL authcid UTF8NUL passwd          ; RFC 4616 §2
 *
 * A NUL inside any field would shift the fields the server sees, so it is refused
 * before anything is sent. An empty authzid means "act as authcid" and is left out.
 */
import type { SaslClientMechanism, SaslCredentials } from './types.js';
import { concatBytes, utf8 } from './base64.js';
import { SaslError, refuseSeparator } from './sasl-error.js';

const NAME = 'PLAIN';

/** Builds the PLAIN message; throws ESASLINPUT for a NUL in a field or an empty user or password. */
export function plainBytes(creds: Pick<SaslCredentials, 'user' | 'authzid' | 'password'>): Uint8Array {
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
    return concatBytes(this.#message);
  }

  next(): Uint8Array {
    throw new SaslError('ESASLSERVER', 'PLAIN: the server sent a challenge after the only message', { mechanism: NAME, reason: 'unexpected-challenge' });
  }
}
