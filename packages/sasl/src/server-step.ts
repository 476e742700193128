/**
 * The server side's steps: builders for SaslServerStep values shared by every server
 * mechanism, and the decoding of a client's response line into the next step
 * (`decodeSaslResponse`, `serverNextFromLine`), so a test server never has to catch.
 */
import type { SaslServerMechanism, SaslServerStep } from './types.js';
import { base64Problem, utf8 } from './base64.js';
import { SaslError } from './sasl-error.js';

export const EMPTY = new Uint8Array(0);

export function challenge(bytes: Uint8Array | string): SaslServerStep {
  return { kind: 'challenge', challenge: typeof bytes === 'string' ? utf8(bytes) : bytes };
}

export function failure(reason: string, errorChallenge?: Uint8Array): SaslServerStep {
  return errorChallenge === undefined ? { kind: 'failure', reason } : { kind: 'failure', reason, errorChallenge };
}

export function success(user: string, authzid?: string): SaslServerStep {
  return authzid === undefined || authzid === '' ? { kind: 'success', user } : { kind: 'success', user, authzid };
}

/** The stable reason for a token verdict that is not 'ok'. */
export function tokenReason(verdict: 'expired' | 'invalid'): string {
  return verdict === 'expired' ? 'token-expired' : 'token-invalid';
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
