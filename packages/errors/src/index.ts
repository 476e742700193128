/**
 * The error classes every mailwire package throws.
 *
 * Every failure is a `MailwireError` with a stable `code`, the `protocol` it happened in,
 * and where there is one the `command` that failed and the server's own words
 * (`serverText`). Codes are part of the public contract (../shared/API.md): callers branch
 * on `code`, never on message text.
 *
 * Secrets never reach an error: constructors take no credentials, and `command` must be
 * given already redacted (see `redactCommand`).
 */

export type Protocol = 'imap' | 'pop3' | 'smtp' | 'sasl' | 'wire' | 'net' | 'oauth';

export interface MailwireErrorOptions {
  protocol?: Protocol;
  /** The command that failed, already redacted. */
  command?: string;
  /** What the server said, as it said it (one line or several joined by "\n"). */
  serverText?: string;
  /** The step of a longer operation that failed: SMTP `MAIL`, `RCPT`, `DATA`; POP3 `RETR`. */
  step?: string;
  cause?: unknown;
}

export class MailwireError extends Error {
  readonly code: string;
  readonly protocol?: Protocol;
  readonly command?: string;
  readonly serverText?: string;
  readonly step?: string;

  constructor(code: string, message: string, options: MailwireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.protocol !== undefined) this.protocol = options.protocol;
    if (options.command !== undefined) this.command = options.command;
    if (options.serverText !== undefined) this.serverText = options.serverText;
    if (options.step !== undefined) this.step = options.step;
  }
}

export interface AuthenticationErrorOptions extends MailwireErrorOptions {
  /** IMAP response code, e.g. `AUTHENTICATIONFAILED`. */
  responseCode?: string;
  /** SMTP enhanced status code, e.g. `5.7.139`. */
  enhancedCode?: string;
  /** SMTP reply code, e.g. 535. */
  replyCode?: number;
  /** The decoded XOAUTH2 / OAUTHBEARER error challenge. */
  oauthError?: Record<string, unknown>;
  /** What a person can do about it. */
  hint?: string;
  /** The SASL mechanism in use. */
  mechanism?: string;
}

/** `EAUTH`, `ENOAUTHMECH`, `ETOKENEXPIRED`: the server refused who we are. */
export class AuthenticationError extends MailwireError {
  readonly responseCode?: string;
  readonly enhancedCode?: string;
  readonly replyCode?: number;
  readonly oauthError?: Record<string, unknown>;
  readonly hint?: string;
  readonly mechanism?: string;

  constructor(
    code: 'EAUTH' | 'ENOAUTHMECH' | 'ETOKENEXPIRED',
    message: string,
    options: AuthenticationErrorOptions = {},
  ) {
    super(code, message, options);
    if (options.responseCode !== undefined) this.responseCode = options.responseCode;
    if (options.enhancedCode !== undefined) this.enhancedCode = options.enhancedCode;
    if (options.replyCode !== undefined) this.replyCode = options.replyCode;
    if (options.oauthError !== undefined) this.oauthError = options.oauthError;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.mechanism !== undefined) this.mechanism = options.mechanism;
  }
}

/** `EINSECURE`, `ESTARTTLS`: the connection is not safe for what was asked. */
export class SecurityError extends MailwireError {
  constructor(code: 'EINSECURE' | 'ESTARTTLS', message: string, options: MailwireErrorOptions = {}) {
    super(code, message, options);
  }
}

/** `EPROTOCOL`: the server broke the protocol (bad syntax, a limit exceeded). */
export class ProtocolError extends MailwireError {
  constructor(message: string, options: MailwireErrorOptions = {}) {
    super('EPROTOCOL', message, options);
  }
}

export interface CommandErrorOptions extends MailwireErrorOptions {
  /** IMAP status (`NO`/`BAD`), POP3 `-ERR`, or the SMTP reply code as text. */
  status?: string;
  responseCode?: string;
  enhancedCode?: string;
  replyCode?: number;
}

/** `ECOMMAND`: a command got NO/BAD, `-ERR`, or a 4xx/5xx reply. */
export class CommandError extends MailwireError {
  readonly status?: string;
  readonly responseCode?: string;
  readonly enhancedCode?: string;
  readonly replyCode?: number;

  constructor(message: string, options: CommandErrorOptions = {}) {
    super('ECOMMAND', message, options);
    if (options.status !== undefined) this.status = options.status;
    if (options.responseCode !== undefined) this.responseCode = options.responseCode;
    if (options.enhancedCode !== undefined) this.enhancedCode = options.enhancedCode;
    if (options.replyCode !== undefined) this.replyCode = options.replyCode;
  }
}

/** `ECONNECTION`: the connection failed or closed unexpectedly. */
export class ConnectionError extends MailwireError {
  constructor(message: string, options: MailwireErrorOptions = {}) {
    super('ECONNECTION', message, options);
  }
}

/** `ETIMEDOUT`: no progress for `timeoutMs`. */
export class TimeoutError extends MailwireError {
  constructor(message: string, options: MailwireErrorOptions = {}) {
    super('ETIMEDOUT', message, options);
  }
}

/** `EABORTED`: the caller's AbortSignal fired. */
export class AbortError extends MailwireError {
  constructor(message = 'The operation was aborted', options: MailwireErrorOptions = {}) {
    super('EABORTED', message, options);
  }
}

/** `EUSAGE`: the caller misused the API (h11's LocalProtocolError); never the server's fault. */
export class UsageError extends MailwireError {
  constructor(message: string, options: MailwireErrorOptions = {}) {
    super('EUSAGE', message, options);
  }
}

/** The step of an OAuth 2.0 exchange that failed (packages/oauth). */
export type OAuthStep =
  | 'discovery'
  | 'authorization'
  | 'device-authorization'
  | 'device-poll'
  | 'token'
  | 'refresh'
  | 'client-credentials'
  | 'cache';

export interface OAuthErrorOptions extends MailwireErrorOptions {
  /** The OAuth error code the authorization server sent (RFC 6749 §5.2, RFC 8628 §3.5), e.g. `invalid_grant`. */
  oauthCode?: string;
  /** Its `error_description`, as sent. */
  description?: string;
  /** The HTTP status of the answer, where there was one. */
  status?: number;
  /** What a person can do about it. */
  hint?: string;
}

/**
 * `EOAUTH`: getting or refreshing an access token failed. `step` says where (discovery,
 * the browser's authorization, device polling, the token endpoint, a refresh, the
 * client credentials grant, the token cache); `oauthCode` is the server's error code.
 * Never carries a token, a code or a client secret.
 */
export class OAuthError extends MailwireError {
  override readonly step: OAuthStep;
  readonly oauthCode?: string;
  readonly description?: string;
  readonly status?: number;
  readonly hint?: string;

  constructor(step: OAuthStep, message: string, options: OAuthErrorOptions = {}) {
    super('EOAUTH', message, { protocol: 'oauth', ...options });
    this.step = step;
    if (options.oauthCode !== undefined) this.oauthCode = options.oauthCode;
    if (options.description !== undefined) this.description = options.description;
    if (options.status !== undefined) this.status = options.status;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

// The `s` flag: what follows a line break inside a command (a password sent as a literal) is redacted too.
const AUTH_COMMAND = /^(\S+ )?(AUTHENTICATE|AUTH)(\s+\S+)(\s.*)?$/is;
const LOGIN_COMMAND = /^(\S+ )?(LOGIN)\s.*$/is;
const PASS_COMMAND = /^(PASS)\s.*$/is;

/**
 * Redacts the secret part of a command line for errors, logs and transcripts:
 * `A1 AUTHENTICATE XOAUTH2 <ir>` keeps the mechanism and drops the initial response,
 * IMAP `LOGIN` keeps nothing after the verb, POP3 `PASS` likewise. A line may end with
 * its CRLF (kept) and may hold line breaks of its own (IMAP literals).
 */
export function redactCommand(line: string): string {
  const body = line.replace(/\r?\n$/, '');
  const end = line.slice(body.length);
  const auth = AUTH_COMMAND.exec(body);
  if (auth) return `${auth[1] ?? ''}${auth[2]}${auth[3]}${auth[4] ? ' [redacted]' : ''}${end}`;
  const login = LOGIN_COMMAND.exec(body);
  if (login) return `${login[1] ?? ''}${login[2]} [redacted]${end}`;
  const pass = PASS_COMMAND.exec(body);
  if (pass) return `${pass[1]} [redacted]${end}`;
  return line;
}
