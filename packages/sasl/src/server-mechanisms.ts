/**
 * The server side's front door: `createServerMechanism` by name, `decodeSaslResponse`
 * for a client's response line, and `serverNextFromLine` that joins the two so a test
 * server never has to catch anything.
 *
 * How a server drives a mechanism (IMAP shown; POP3 `+ `/`+OK`/`-ERR`, SMTP `334 `/`235`/`535`):
 *
 *   C: A1 AUTHENTICATE XOAUTH2 [ir]   -> mech.next(ir === undefined ? null : decodeSaslResponse(ir))
 *   step challenge                    -> S: "+ " base64(challenge), read a line,
 *                                        serverNextFromLine(mech, line) -> next step
 *   step failure with errorChallenge  -> S: "+ " base64(errorChallenge), read the client's
 *                                        (empty) line, serverNextFromLine -> final failure
 *   step failure                      -> S: A1 NO [AUTHENTICATIONFAILED] ...
 *   step success                      -> S: A1 OK ...
 *   'cancel' (the client sent "*")    -> S: A1 BAD Authentication aborted (RFC 9051 §6.2.2)
 */
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from './types.js';
import { base64Problem } from './base64.js';
import { CramMd5Server } from './cram-md5-server.js';
import { LoginServer } from './login-server.js';
import { OAuthBearerServer } from './oauthbearer-server.js';
import { PlainServer } from './plain-server.js';
import { SaslError } from './sasl-error.js';
import { ScramSha256Server } from './scram-sha-256-server.js';
import { failure } from './server-step.js';
import { XOAuth2Server } from './xoauth2-server.js';

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

/**
 * Decodes one SASL response line from a client, without its CRLF: `*` is 'cancel',
 * `=` (an empty initial response, RFC 4959 §3 / RFC 4954 §4 / RFC 5034 §4) and the
 * empty line are zero bytes, anything else strict base64. Throws SaslError ESASLDECODE
 * with reason 'bad-base64' otherwise.
 */
export function decodeSaslResponse(line: string): Uint8Array | 'cancel' {
  if (line === '*') return 'cancel';
  if (line === '=' || line === '') return new Uint8Array(0);
  const problem = base64Problem(line);
  if (problem !== null) throw new SaslError('ESASLDECODE', `the SASL response is not base64 (${problem})`, { reason: 'bad-base64' });
  return new Uint8Array(Buffer.from(line, 'base64'));
}

/**
 * Decodes a client's response line and feeds it to the mechanism: 'cancel' for `*`,
 * a failure step with reason 'bad-base64' for a line that is not base64, else the
 * mechanism's step. Never throws for anything the client sent.
 */
export async function serverNextFromLine(mechanism: SaslServerMechanism, line: string): Promise<SaslServerStep | 'cancel'> {
  let response: Uint8Array | 'cancel';
  try {
    response = decodeSaslResponse(line);
  } catch (error) {
    if (error instanceof SaslError) return failure(error.reason ?? 'bad-base64');
    throw error;
  }
  if (response === 'cancel') return 'cancel';
  return mechanism.next(response);
}
