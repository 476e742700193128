/**
 * ImapQuirks names each way a real IMAP server is known to break RFC 9051, so tolerating it
 * is a decision with a name, a server and a fixture, not an accident of a lenient parser
 * (imap-codec's `quirk_*` flags). Each flag only turns input that would otherwise be a
 * protocol error into a value; none changes how a correct response is read, which is why
 * the parse quirks are on by default. Turn one off to hold a server to the grammar.
 *
 * The fixtures named below are in fixtures/imap/quirks/ and each has a test in
 * packages/imap/src/decode/quirks.test.ts that parses it with the quirk on and, with it
 * off, fails.
 */
export interface ImapQuirks {
  /**
   * Microsoft Exchange / Office 365 send a body disposition (RFC 9051 body-fld-dsp) as a
   * bare string (`"inline"`) instead of `("inline" NIL)`; read as `{ type, parameters: {} }`.
   * Fixture: exchange-disposition-string.txt.
   */
  bareStringDisposition: boolean;
  /**
   * Exchange (and others) put NIL where the grammar wants a string or number in
   * body-fields: a NIL media subtype, encoding, size or line count. Read as absent.
   * Fixture: exchange-nil-body-fields.txt.
   */
  nilInBodyFields: boolean;
  /**
   * Exchange answers COPY/MOVE with `[COPYUID]` and no arguments (UIDPLUS says three);
   * read as a COPYUID code whose value is undefined. Fixture: exchange-copyuid-bare.txt.
   */
  bareCopyUid: boolean;
  /**
   * mail.ru sends sizes in floating-point notation (`RFC822.SIZE 1.86931e+06`, also in
   * BODYSTRUCTURE); read as the rounded number. Fixture: mailru-float-size.txt.
   */
  floatSizes: boolean;
  /**
   * SmarterMail sends `-2` (and other negatives) as a body size; read as absent (size
   * unknown). Fixture: smartermail-negative-size.txt.
   */
  negativeSizes: boolean;
  /**
   * iCloud puts unescaped DQUOTEs inside a quoted ENVELOPE string (a Message-ID such as
   * `"<a"b@icloud.com>"`); inside ENVELOPE a DQUOTE not followed by SP or ")" is read as
   * data. Fixture: icloud-envelope-quotes.txt.
   */
  unescapedQuotesInEnvelope: boolean;
}

/** The quirks the decoder tolerates unless told otherwise: all parse quirks. */
export const DEFAULT_QUIRKS: Readonly<ImapQuirks> = Object.freeze({
  bareStringDisposition: true,
  nilInBodyFields: true,
  bareCopyUid: true,
  floatSizes: true,
  negativeSizes: true,
  unescapedQuotesInEnvelope: true,
});

/** No quirk tolerated: the grammar as RFC 9051 writes it. */
export const STRICT_QUIRKS: Readonly<ImapQuirks> = Object.freeze({
  bareStringDisposition: false,
  nilInBodyFields: false,
  bareCopyUid: false,
  floatSizes: false,
  negativeSizes: false,
  unescapedQuotesInEnvelope: false,
});

/**
 * ImapClientQuirks names how the client copes with servers' behaviour around
 * authentication and session ends (the decoder's ImapQuirks are about syntax). Each is
 * on by default; the fixtures in fixtures/imap/sessions/ replay each one.
 */
export interface ImapClientQuirks {
  /**
   * Yahoo and Yandex advertise AUTH=XOAUTH2 without SASL-IR. On: the initial response is
   * sent after the server's "+" (two-step), as RFC 4959 requires. Off: it is put on the
   * command line anyway, as some clients do. Fixture: yahoo-two-step.txt.
   */
  twoStepWithoutSaslIr: boolean;
  /**
   * Exchange Online ends a session whose token expired with
   * `* BYE Session invalidated - AccessTokenExpired`. On: that BYE is AuthenticationError
   * ETOKENEXPIRED (and, with reconnect.onTokenExpired, a reconnect). Off: ConnectionError.
   * Fixture: exchange-token-expired.txt.
   */
  tokenExpiredBye: boolean;
  /**
   * Exchange Online answers `BAD User is authenticated but not connected` after a
   * successful AUTHENTICATE when the mailbox is missing or the identity has no rights to
   * it (shared mailboxes). On: AuthenticationError EAUTH with a hint. Off: CommandError.
   * Fixture: exchange-not-connected.txt.
   */
  authenticatedNotConnected: boolean;
}

export const DEFAULT_CLIENT_QUIRKS: Readonly<ImapClientQuirks> = Object.freeze({
  twoStepWithoutSaslIr: true,
  tokenExpiredBye: true,
  authenticatedNotConnected: true,
});
