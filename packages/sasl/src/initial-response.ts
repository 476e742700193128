/**
 * The initial-response rule: whether a SASL initial response goes on the command line
 * or waits for the server's empty challenge. Measured, never guessed:
 *
 * - IMAP (RFC 4959 §3): only where the server advertised SASL-IR, and the whole line
 *   `tag SP AUTHENTICATE SP mech SP ir CRLF` within 8192 octets (the command-line length
 *   RFC 7162 §4 asks clients to stay under; Dovecot accepts 8191 characters of base64).
 * - POP3 (RFC 5034 §4 with RFC 2449 §4): only when `AUTH SP mech SP ir CRLF` fits
 *   255 octets.
 * - SMTP (RFC 4954 §4 with RFC 5321 §4.5.3.1.4): only when `AUTH SP mech SP ir CRLF`
 *   fits 512 octets.
 *
 * A Microsoft access token (well over a thousand characters) therefore goes on the line
 * in IMAP with SASL-IR and two-step in POP3 and SMTP, exactly as Microsoft documents.
 * Dovecot confirms the SMTP limit the hard way: an initial response above about 1,017
 * characters gets `500 5.5.2 Line too long`, while the same bytes two-step are accepted.
 * Conformance tests can force either form (`initialResponse: 'always' | 'never'`).
 */

export type SaslProtocol = 'imap' | 'pop3' | 'smtp';

/** The longest command line, CRLF included, on which an initial response may ride. */
export const COMMAND_LINE_LIMIT: Readonly<Record<SaslProtocol, number>> = Object.freeze({
  imap: 8192,
  pop3: 255,
  smtp: 512,
});

/** The verb that starts a SASL exchange in each protocol. */
export function authVerb(protocol: SaslProtocol): string {
  return protocol === 'imap' ? 'AUTHENTICATE' : 'AUTH';
}

/** The tag assumed for measuring an IMAP line when the session did not say. */
const ASSUMED_IMAP_TAG = 'A000000000';

/**
 * Returns true when the initial response `ir` (base64, or `=` for an empty one) may go
 * on the command line under the 'auto' rule.
 */
export function initialResponseFits(
  protocol: SaslProtocol,
  mechanism: string,
  ir: string,
  options: { saslIr?: boolean; tag?: string } = {},
): boolean {
  if (protocol === 'imap' && options.saslIr !== true) return false;
  const prefix = protocol === 'imap' ? `${options.tag ?? ASSUMED_IMAP_TAG} ` : '';
  const octets = prefix.length + `${authVerb(protocol)} ${mechanism} ${ir}\r\n`.length;
  return octets <= COMMAND_LINE_LIMIT[protocol];
}
