/**
 * The server side of one SASL exchange (RFC 4422 §3), framed for any of the three
 * protocols: it feeds the client's initial response and each response line to a
 * packages/sasl server mechanism, sends its challenges (and the XOAUTH2/OAUTHBEARER
 * error challenge, after which the client's answer ends the exchange), and tells the
 * protocol session how it ended. It never throws on what the client sent.
 */
import { createServerMechanism, serverNextFromLine, type SaslServerStep } from '@mailwire/sasl';
import type { Connection } from './net/connection.js';
import type { ServerContext } from './server-context.js';

export type SaslOutcome =
  /** `token` is the access token that authenticated (XOAUTH2/OAUTHBEARER), for mid-session expiry. */
  | { kind: 'success'; user: string; mechanism: string; token: string | null }
  | { kind: 'failure'; reason: string; mechanism: string }
  | { kind: 'cancel' }
  | { kind: 'closed' };

export interface SaslFraming {
  /** The continuation line for a challenge (base64, possibly empty), with its CRLF. */
  challenge(base64: string): string;
  maxLineBytes: number;
}

/**
 * Runs an exchange against the server's users, with the personality's error challenges
 * (sent before failing unless `personality.errorChallenge` is false). `initial` is the
 * initial response as sent on the command line (`=` for an empty one), or undefined when
 * the client sent none. `mechanismName` must be one of SASL_MECHANISMS.
 */
export async function runSaslExchange(
  conn: Connection,
  server: ServerContext,
  mechanismName: string,
  initial: string | undefined,
  framing: SaslFraming,
): Promise<SaslOutcome> {
  const p = server.personality;
  let token: string | null = null;
  const ctx = server.users.saslContext({ xoauth2Error: () => p.xoauth2Error, oauthBearerError: () => p.oauthBearerError }, (t) => (token = t));
  const mechanism = createServerMechanism(mechanismName, ctx);
  const name = mechanism.name;
  let step: SaslServerStep | 'cancel' = initial === undefined ? await mechanism.next(null) : await serverNextFromLine(mechanism, initial);
  for (;;) {
    if (step === 'cancel') return { kind: 'cancel' };
    if (step.kind === 'success') return { kind: 'success', user: step.user, mechanism: name, token };
    const bytes = step.kind === 'challenge' ? step.challenge : p.errorChallenge === false ? undefined : step.errorChallenge;
    if (bytes === undefined) return { kind: 'failure', reason: step.kind === 'failure' ? step.reason : 'failure', mechanism: name };
    await conn.write(framing.challenge(Buffer.from(bytes).toString('base64')));
    const line = await conn.readLine(framing.maxLineBytes);
    if (line === null) return { kind: 'closed' };
    if (line === 'too-long') return { kind: 'failure', reason: 'line-too-long', mechanism: name };
    const text = line.toString('latin1');
    if (step.kind === 'failure') {
      // The answer to an error challenge only ends the exchange (RFC 7628 §3.2.3).
      if (text === '*') return { kind: 'cancel' };
      return { kind: 'failure', reason: step.reason, mechanism: name };
    }
    step = await serverNextFromLine(mechanism, text);
  }
}
