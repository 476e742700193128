/**
 * The shapes of the SASL layer (RFC 4422) that every protocol shares. Mechanisms know
 * nothing of IMAP, POP3 or SMTP; `SaslExchange` (exchange.ts) moves their bytes through
 * each protocol's framing.
 */

/**
 * What a provider is told when it is asked again: `rejected` is the token the server just
 * refused, so a caching provider refreshes instead of handing the same token back.
 * Providers that take no argument (`() => Promise<string>`) fit as they are.
 */
export interface TokenRequest {
  rejected?: string;
}

/** A token, or a provider that is asked again for a fresh one when the server says it expired. */
export type TokenSource = string | ((request?: TokenRequest) => Promise<string>);

export interface SaslCredentials {
  /** authcid: the login name, or for XOAUTH2/OAUTHBEARER the mailbox address (a shared mailbox's too). */
  user: string;
  /** authzid, where the mechanism has one (PLAIN, OAUTHBEARER a=, SCRAM a=). */
  authzid?: string;
  password?: string;
  /** The access token, already resolved to a string. */
  accessToken?: string;
  /** OAUTHBEARER host= and port= (RFC 7628 §3.1). */
  host?: string;
  port?: number;
}

/**
 * A client mechanism (go-sasl's Client): `start()` gives the initial response or null —
 * null (no initial response) is not the same as an empty one — and `next()` answers each
 * server challenge. Throws SaslError for a challenge it cannot answer.
 */
export interface SaslClientMechanism {
  readonly name: string;
  start(): Uint8Array | null;
  next(challenge: Uint8Array): Uint8Array;
  /** Called on the server's success, with its additional data if any; throws SaslError where the server did not prove itself (SCRAM). */
  finish?(successData: Uint8Array | null): void;
  /** XOAUTH2/OAUTHBEARER: the decoded JSON error challenge, once the server sent one. */
  readonly oauthError?: Record<string, unknown>;
}

/** What a server-side mechanism decided after a client response. */
export type SaslServerStep =
  | { kind: 'challenge'; challenge: Uint8Array }
  | { kind: 'success'; user: string; authzid?: string; additionalData?: Uint8Array }
  /**
   * `reason` is a stable code (e.g. 'bad-base64', 'malformed', 'bad-scheme', 'token-expired',
   * 'token-invalid', 'bad-password', 'unknown-user'); `errorChallenge` (XOAUTH2/OAUTHBEARER)
   * is the JSON challenge a server sends before its final failure.
   */
  | { kind: 'failure'; reason: string; errorChallenge?: Uint8Array };

/**
 * A server mechanism (go-sasl's Server): `next(null)` when the client sent no initial
 * response, `next(bytes)` with each decoded client response.
 */
export interface SaslServerMechanism {
  readonly name: string;
  next(response: Uint8Array | null): Promise<SaslServerStep>;
}

export type TokenVerdict = 'ok' | 'expired' | 'invalid';

/** What a server needs from its user table to verify each mechanism. */
export interface SaslServerContext {
  /** XOAUTH2, OAUTHBEARER. */
  verifyToken?(user: string, token: string, mechanism: string): Promise<TokenVerdict> | TokenVerdict;
  /** PLAIN, LOGIN. */
  verifyPassword?(user: string, password: string, authzid?: string): Promise<boolean> | boolean;
  /** CRAM-MD5 and SCRAM-SHA-256 need the stored secret. */
  lookupPassword?(user: string): Promise<string | null> | string | null;
  /** The XOAUTH2 error challenge as JSON (personalities differ in `schemes` and `scope`). Default `{"status":"401","schemes":"bearer","scope":"mail"}`. */
  xoauth2Error?(user: string, verdict: Exclude<TokenVerdict, 'ok'>): Record<string, string>;
  /** The OAUTHBEARER error challenge as JSON (RFC 7628 §3.2.2). Default `{"status":"invalid_token"}`. */
  oauthBearerError?(user: string, verdict: Exclude<TokenVerdict, 'ok'>): Record<string, string>;
  /** The host name in the CRAM-MD5 challenge `<nonce@hostname>`. Default `localhost`. */
  hostname?: string;
  /** The server's random part: SCRAM server nonce, CRAM-MD5 challenge nonce (injected by known-answer tests). */
  nonce?(): string;
  /** The SCRAM salt for a user (injected by known-answer tests). Default 16 random bytes per exchange. */
  scramSalt?(user: string): Uint8Array;
}
