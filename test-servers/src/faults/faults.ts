/**
 * Faults a test server can inject on purpose, for testing how a client copes with a
 * broken or hostile server. Every server (scripted or normal) takes a `faults` option.
 * The byte-level ones act in Connection (connection.ts) on everything the server
 * writes; the protocol-level ones are acted on by each protocol's session.
 */
export interface Faults {
  /** Close the connection once this many bytes were written (the write that crosses it is cut there). */
  closeAfterBytes?: number;
  /** Stop sending anything once this many bytes were written, and keep the connection open. */
  stallAfterBytes?: number;
  /** Send one byte per write; a number is the delay between bytes in ms (default 1). */
  dripBytes?: boolean | number;
  /**
   * Bytes (latin1 text, e.g. "* OK injected\r\n") written in the same write as the
   * STARTTLS/STLS go-ahead, before the TLS handshake: the STARTTLS command-injection
   * attack a client must refuse (RFC 3207 §4.2 and §6).
   */
  injectAfterStarttls?: string;
  /** IMAP: answer the first FETCH of a body with a literal this many bytes long, then stream filler. */
  oversizedLiteral?: number;
  /** Bytes (latin1 text) sent instead of the reply to the first command after the greeting. */
  garbage?: string;
  /** Once authenticated, answer the next command with BYE / -ERR / 421 and close, without its reply. */
  byeMidCommand?: boolean;
}

