/**
 * SaslError is the one error type the SASL layer throws for bytes or fields it will not
 * handle. It never carries the bytes themselves: a SASL response holds a password or a
 * token, so only the mechanism and a stable `reason` travel with it.
 *
 * Codes:
 * - `ESASLINPUT`  the caller's own field cannot be encoded (a `\x01` in an XOAUTH2 or
 *                 OAUTHBEARER field, a NUL in a PLAIN field, a missing credential);
 *                 refused before anything is sent.
 * - `ESASLDECODE` the peer's bytes are not what the mechanism allows (bad base64, a
 *                 malformed payload or challenge).
 * - `ESASLSERVER` the server failed to prove itself (SCRAM server signature wrong or
 *                 missing) or said something the mechanism cannot answer.
 */
import { MailwireError } from '@mailwire/errors';

export type SaslErrorCode = 'ESASLINPUT' | 'ESASLDECODE' | 'ESASLSERVER';

export interface SaslErrorOptions {
  /** The mechanism in use, e.g. `XOAUTH2`. */
  mechanism?: string;
  /** A stable reason, e.g. 'bad-base64', 'malformed', 'bad-scheme', 'server-signature'. */
  reason?: string;
  cause?: unknown;
}

/** SaslError: a SASL field or peer message refused, without the secret it may hold. */
export class SaslError extends MailwireError {
  readonly mechanism?: string;
  readonly reason?: string;

  constructor(code: SaslErrorCode, message: string, options: SaslErrorOptions = {}) {
    super(code, message, { protocol: 'sasl', cause: options.cause });
    if (options.mechanism !== undefined) this.mechanism = options.mechanism;
    if (options.reason !== undefined) this.reason = options.reason;
  }
}

/** Throws ESASLINPUT when `value` holds a character the mechanism uses as a separator. */
export function refuseSeparator(mechanism: string, field: string, value: string, separator: string): void {
  if (value.includes(separator)) {
    const shown = separator === '\x00' ? 'NUL' : `\\x${separator.charCodeAt(0).toString(16).padStart(2, '0')}`;
    throw new SaslError('ESASLINPUT', `${mechanism}: the ${field} contains ${shown}, which the mechanism uses as a separator`, {
      mechanism,
      reason: 'bad-input',
    });
  }
}

/** The text that stands in for a secret. */
export const REDACTED = '[redacted]';

/**
 * Redacts one SASL response line for logs and transcripts: a client's response holds a
 * password, a token or a proof, so only lines that carry none survive as they are —
 * `*` (cancel), the empty response and `=` (an empty initial response).
 */
export function redactSaslLine(line: string): string {
  return line === '' || line === '*' || line === '=' ? line : REDACTED;
}
