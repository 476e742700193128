/**
 * The server side's front door: `createServerMechanism` gives the verifier for a
 * mechanism name, guarded so that a peer's bad bytes come back as a failure step and
 * never as a throw. With `serverNextFromLine` (server-step.ts) a test server drives it
 * from the client's lines without catching anything.
 *
 * How a server drives a mechanism (IMAP shown; POP3 `+ `/`+OK`/`-ERR`, SMTP `334 `/`235`/`535`):
 *
 *   C: A1 AUTHENTICATE XOAUTH2 [ir]   -> ir === undefined ? mech.next(null) : serverNextFromLine(mech, ir)
 *   step challenge                    -> S: "+ " base64(challenge), read a line,
 *                                        serverNextFromLine(mech, line) -> next step
 *   step failure with errorChallenge  -> S: "+ " base64(errorChallenge), read the client's
 *                                        (empty) line, serverNextFromLine -> final failure
 *   step failure                      -> S: A1 NO [AUTHENTICATIONFAILED] ...
 *   step success                      -> S: A1 OK ...
 *   'cancel' (the client sent "*")    -> S: A1 BAD Authentication aborted (RFC 9051 §6.2.2)
 */
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { CramMd5Server } from './cram-md5.js';
import { LoginServer } from './login.js';
import { OAuthBearerServer } from './oauthbearer.js';
import { PlainServer } from './plain.js';
import { SaslError } from './sasl-error.js';
import { ScramSha256Server } from './scram-sha-256.js';
import { failure } from './server-step.js';
import { XOAuth2Server } from './xoauth2.js';

const FACTORIES: Record<string, (ctx: SaslServerContext) => SaslServerMechanism> = {
  XOAUTH2: (ctx) => new XOAuth2Server(ctx),
  OAUTHBEARER: (ctx) => new OAuthBearerServer(ctx),
  PLAIN: (ctx) => new PlainServer(ctx),
  LOGIN: (ctx) => new LoginServer(ctx),
  'CRAM-MD5': (ctx) => new CramMd5Server(ctx),
  'SCRAM-SHA-256': (ctx) => new ScramSha256Server(ctx),
};

/** The mechanism names createServerMechanism and createClientMechanism know. */
export const SASL_MECHANISMS: readonly string[] = Object.freeze(Object.keys(FACTORIES));

/**
 * A guard around a server mechanism: a SaslError from inside becomes a failure step
 * with its reason, so bad input never throws out of `next()`.
 */
class GuardedServerMechanism implements SaslServerMechanism {
  readonly name: string;
  readonly #inner: SaslServerMechanism;

  constructor(inner: SaslServerMechanism) {
    this.name = inner.name;
    this.#inner = inner;
  }

  async next(response: Uint8Array | null): Promise<SaslServerStep> {
    try {
      return await this.#inner.next(response);
    } catch (error) {
      if (error instanceof SaslError) return failure(error.reason ?? 'malformed');
      throw error;
    }
  }
}

/** Creates the server-side verifier for a mechanism name (case-insensitive); throws SaslError ESASLINPUT for an unknown one. */
export function createServerMechanism(name: string, ctx: SaslServerContext): SaslServerMechanism {
  const factory = FACTORIES[name.toUpperCase()];
  if (factory === undefined) {
    throw new SaslError('ESASLINPUT', `unknown SASL mechanism ${JSON.stringify(name)}; known: ${SASL_MECHANISMS.join(', ')}`, { reason: 'unknown-mechanism' });
  }
  return new GuardedServerMechanism(factory(ctx));
}
