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
   * Microsoft Exchange / Office 365 send a body disposition (RFC 9051 body-fld-dsp) of a
   * single part as a bare string (`"inline"`) instead of `("inline" NIL)`; read as
   * `{ type, parameters: {} }`. Only in body-ext-1part: in a multipart the bare string is
   * something else (`multipartDescription`). Fixture: exchange-disposition-string.txt.
   */
  bareStringDisposition: boolean;
  /**
   * Exchange 2016 puts a multipart's Content-Description where body-ext-mpart wants the
   * disposition: `"mixed" ("boundary" "b") "S/MIME Encrypted Message" NIL`
   * (javaee/javamail#278; MailKit reads the string as a description for the same reason).
   * A string in that place of a multipart is read as its `description`, the fields after it
   * as body-fld-lang, body-fld-loc and extensions. Fixture: exchange-multipart-description.txt.
   */
  multipartDescription: boolean;
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
  /**
   * Gmail sends a multipart whose parts it could not place (nested multiparts sharing one
   * boundary) with no body parts at all, the subtype first: `("ALTERNATIVE" ("BOUNDARY" "b")
   * NIL NIL)`, `("RELATED" NIL ("ATTACHMENT" NIL) NIL)`, or just `("ALTERNATIVE")`
   * (jstedfast/MailKit#205, #371, #777, #1841). A body that starts with a quoted string
   * followed by ")" or SP "(", or by SP NIL in a body too short for a body-type-1part (five
   * fields or fewer), is read as `{ type: 'multipart', subtype, parts: [] }` with its
   * body-ext-mpart. (Yandex sends the same shape after a stray SP, jstedfast/MailKit#1861;
   * that SP is not tolerated.)
   * Fixture: gmail-partless-multipart.txt.
   */
  partlessMultipart: boolean;
  /**
   * Gmail describes a message/rfc822 part it cannot parse (one sent base64-encoded, say) as
   * a body-type-basic: no envelope, body or line count after the size
   * (jstedfast/MailKit#32, #59). Where "(" does not follow the size, the part is read with
   * no `envelope` and no `bodyStructure`. Fixture: gmail-message-without-envelope.txt.
   */
  messageWithoutEnvelope: boolean;
  /**
   * Yahoo puts a SP before the ")" that closes an ENVELOPE address:
   * `("undisclosed-recipients" NIL "\"undisclosed-recipients\"" NIL )`
   * (jakartaee/mail-api#30). One SP there is skipped. Fixture: yahoo-address-space.txt.
   */
  spaceBeforeAddressEnd: boolean;
  /**
   * Yahoo ends a SEARCH response with a SP after the last number, `* SEARCH 7456 `
   * (ikvk/imap_tools#97). One SP before CRLF is skipped. Fixture: yahoo-search-space.txt.
   */
  trailingSpaceInSearch: boolean;
}

/** The quirks the decoder tolerates unless told otherwise: all parse quirks. */
export const DEFAULT_QUIRKS: Readonly<ImapQuirks> = Object.freeze({
  bareStringDisposition: true,
  nilInBodyFields: true,
  bareCopyUid: true,
  floatSizes: true,
  negativeSizes: true,
  unescapedQuotesInEnvelope: true,
  multipartDescription: true,
  partlessMultipart: true,
  messageWithoutEnvelope: true,
  spaceBeforeAddressEnd: true,
  trailingSpaceInSearch: true,
});

/** No quirk tolerated: the grammar as RFC 9051 writes it. */
export const STRICT_QUIRKS: Readonly<ImapQuirks> = Object.freeze({
  bareStringDisposition: false,
  nilInBodyFields: false,
  bareCopyUid: false,
  floatSizes: false,
  negativeSizes: false,
  unescapedQuotesInEnvelope: false,
  multipartDescription: false,
  partlessMultipart: false,
  messageWithoutEnvelope: false,
  spaceBeforeAddressEnd: false,
  trailingSpaceInSearch: false,
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
