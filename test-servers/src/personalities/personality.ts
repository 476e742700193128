/**
 * A Personality is one table of everything a kind of server says — greetings,
 * capabilities, the success and failure texts of each command, the XOAUTH2 error
 * challenge — for IMAP, POP3 and SMTP. The protocol sessions hold the behaviour; a
 * personality holds only words (and a few switches where real servers differ: the error challenge,
 * Gmail's extensions, SMTP AUTH line limits).
 */

export type PersonalityName = 'outlook' | 'gmail' | 'dovecot';

export interface ImapTexts {
  /** The greeting's text after `* OK ` (with `[CAPABILITY ...] ` where the server sends it). */
  greeting(capabilities: string): string;
  /**
   * Capabilities before authentication, in the server's order, with two placeholders:
   * `{STARTTLS}` (STARTTLS on a plaintext connection) and `{AUTH}` (the AUTH= list and
   * SASL-IR where authentication is allowed, LOGINDISABLED where it is not yet).
   */
  capabilities: string[];
  /** Capabilities after authentication. */
  authenticatedCapabilities: string[];
  /** The greeting carries the capability list. */
  capabilityInGreeting: boolean;
  /** The tagged OK text of an ordinary command (the command name upper-cased). */
  ok(command: string): string;
  /** How the capabilities after authentication are told: an untagged CAPABILITY before the OK, a CAPABILITY response code in it, or not at all. */
  authCapability: 'untagged' | 'code' | 'none';
  authOk(user: string, mechanism: string): string;
  authFailed: string;
  authAborted: string;
  loginOk(user: string): string;
  loginFailed: string;
  /** NO text for AUTHENTICATE/LOGIN on a plaintext connection where TLS is required. */
  privacyRequired: string;
  selectOk(readOnly: boolean, command: string): string;
  logoutBye: string;
  idleAccepted: string;
  startTls: string;
  /** BAD text for a command the server does not know or cannot parse. */
  bad(detail: string): string;
  /** NO text for a mailbox that does not exist. */
  noMailbox: string;
  /** The untagged BYE when a session's token expired mid-session. */
  tokenExpiredBye: string;
  /** Gmail's X-GM-EXT-1 FETCH items. */
  gmailExtensions: boolean;
}

export interface Pop3Texts {
  greeting: string;
  /** CAPA lines besides STLS, USER and SASL. */
  capa: string[];
  capaOk: string;
  authOk: string;
  authFailed: string;
  authAborted: string;
  userOk: string;
  passOk: string;
  passFailed: string;
  stls: string;
  quit: string;
  /** -ERR text for an unknown command. */
  unknown: string;
  /** -ERR text for a command not valid in this state. */
  wrongState: string;
  noSuchMessage: string;
  tokenExpired: string;
}

export interface SmtpTexts {
  /** The greeting line after `220 `. */
  greeting(now: Date): string;
  /** The first EHLO line after `250-` / `250 `. */
  ehloHello(clientName: string, clientIp: string): string;
  /** EHLO keywords in order, with placeholders `{STARTTLS}` (on plaintext) and `{AUTH}` (the AUTH line where allowed). */
  keywords: string[];
  helo(clientName: string): string;
  authOk: string;
  /** The full failure reply lines, e.g. ['535 5.7.3 Authentication unsuccessful [...]']. */
  authFailed: string[];
  authDisabled: string[] | null;
  authAborted: string;
  /** The longest AUTH command line accepted, and the reply above it. */
  authLineLimit: number;
  authLineTooLong: string[];
  lineTooLong: string;
  authRequired: string;
  tlsRequired: string;
  startTls: string;
  mailOk: string;
  rcptOk: string;
  data: string;
  dataOk(id: string): string;
  rset: string;
  noop: string;
  quit: string;
  unknown(verb: string): string;
  badSequence: string;
  syntax: string;
  tooBig: string;
  tokenExpired: string;
}

export interface Personality {
  name: PersonalityName;
  /** The server's host name in its texts. */
  hostname: string;
  /** SASL mechanisms advertised (all six are verified whatever is advertised). */
  mechanisms: string[];
  /** Authentication is refused on a plaintext connection until STARTTLS (all three protocols). */
  authRequiresTls: boolean;
  /**
   * A rejected XOAUTH2/OAUTHBEARER token gets the error challenge before the final failure
   * (Gmail, Dovecot); false answers the failure at once (Exchange, as in Microsoft's document).
   */
  errorChallenge: boolean;
  /** The XOAUTH2 error challenge JSON. */
  xoauth2Error: Record<string, string>;
  /** The OAUTHBEARER error challenge JSON (RFC 7628 §3.2.2). */
  oauthBearerError: Record<string, string>;
  imap: ImapTexts;
  pop3: Pop3Texts;
  smtp: SmtpTexts;
}

/** An RFC 5322 date for SMTP greetings and Received lines, in UTC. */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}
