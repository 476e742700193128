/**
 * Redaction of SASL lines for logs and transcripts: a client's response line holds a
 * password, a token or a proof, so only its shape survives. `*` (cancel), the empty
 * response and `=` carry no secret and stay as they are.
 */
export const REDACTED = '[redacted]';

/** Returns the line itself when it carries no secret, else `[redacted]`. */
export function redactSaslLine(line: string): string {
  return line === '' || line === '*' || line === '=' ? line : REDACTED;
}
