/**
 * CRAM-MD5 (RFC 2195): the server sends a challenge, the client answers with the user
 * name, a space, and the lower-case hex HMAC-MD5 of the challenge keyed by the password.
 *
 *   S: <1896.697170952@postoffice.reston.mci.net>
 *   C: tim b913a602c7eda7a495b4e6e7334d3890              ; RFC 2195 §2
 *
 * Server-first: no initial response. Kept for old servers; it needs the password stored
 * in the clear on the server and proves nothing about the server.
 */
import { createHmac } from 'node:crypto';
import type { SaslClientMechanism, SaslCredentials } from './types.js';
import { utf8 } from './base64.js';
import { SaslError } from './sasl-error.js';

const NAME = 'CRAM-MD5';

/** Returns the lower-case hex HMAC-MD5 digest CRAM-MD5 sends. */
export function cramMd5Digest(password: string, challenge: Uint8Array): string {
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
