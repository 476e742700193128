/**
 * The options every mailwire protocol client (IMAP, POP3, SMTP) takes, exactly as
 * ../shared/API.md names them. Protocol clients extend this interface with their own
 * additions; the fields here keep their names, shapes and meanings.
 */
import type { ConnectionOptions } from 'node:tls';

/** A token, or a provider asked again for a fresh one when the server says it expired. */
export type AccessTokenSource = string | (() => Promise<string>);

/** The credentials a client authenticates with. */
export interface ClientAuth {
  user: string;
  accessToken?: AccessTokenSource;
  password?: string;
  /** Default: the best mechanism both sides offer. */
  mechanism?: 'XOAUTH2' | 'OAUTHBEARER' | 'PLAIN' | 'LOGIN' | (string & {});
  /** Default 'auto': the RFC rules (SASL-IR in IMAP, line length in POP3 and SMTP). */
  initialResponse?: 'auto' | 'always' | 'never';
}

/** One line of a transcript, already redacted. */
export interface TranscriptEntry {
  dir: 'C' | 'S';
  line: string;
}

/** How a connection is secured: implicit TLS, a STARTTLS upgrade, or plaintext. */
export type Security = 'tls' | 'starttls' | 'none';

/** ClientOptions are the options common to the IMAP, POP3 and SMTP clients. */
export interface ClientOptions {
  host: string;
  /** Default by protocol and security (IMAP: 993 for 'tls', 143 otherwise). */
  port?: number;
  /** Default 'tls'. */
  security?: Security;
  /** ca, servername, rejectUnauthorized, ... Certificates are verified unless told otherwise. */
  tls?: ConnectionOptions;
  auth?: ClientAuth;
  /** Default false: credentials are never sent over plaintext. */
  allowInsecureAuth?: boolean;
  /**
   * Time without progress (while the client waits for the server or for a write to
   * flush) before failing with ETIMEDOUT. Default DEFAULT_TIMEOUT_MS; 0 turns it off.
   * An IDLE in progress is not waiting and never times out.
   */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Receives every line both ways, with secrets redacted. */
  transcript?: (entry: TranscriptEntry) => void;
}

/** The default `timeoutMs`: five minutes of silence from a server that owes an answer. */
export const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;
