/** What every behaviour check is given: where to connect, how, who to log in as, and where its verdicts go. */
import type { ConnectionOptions } from 'node:tls';

import type { Endpoint } from '../endpoint.js';
import type { Verdict } from './verdict.js';

/** Where and how a check connects, and who it logs in as. */
export interface ConnectContext {
  endpoint: Endpoint;
  tls: ConnectionOptions;
  /** With a token: the behaviour checks that need a logged-in session run; without, they are `not run`. */
  user?: string;
  token?: string;
  /** The SASL mechanism for the checks' own logins (OAUTHBEARER or XOAUTH2). */
  mechanism: string;
  /** --send-test-message: the checks that deliver one message to `user` itself may run. */
  sendTestMessage?: boolean;
}

export interface CheckContext extends ConnectContext {
  /** The capabilities the probe saw over TLS (IMAP atoms, POP3 CAPA lines, SMTP EHLO lines). */
  capabilities: readonly string[];
  /** The server offers OAUTHBEARER or XOAUTH2, so the checks can log in with the token. */
  oauthOffered: boolean;
  add(id: string, rfc: string, verdict: Verdict, detail: string): void;
}
