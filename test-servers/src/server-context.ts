/**
 * The ServerContext is what every protocol session of one startTestServers() call
 * shares: the personality's texts, the mail store, the users, the TLS material, the
 * faults and the limits.
 */
import type { SecureContext } from 'node:tls';
import type { Faults } from './faults/faults.js';
import type { Connection } from './net/connection.js';
import type { Personality } from './personalities/index.js';
import type { MailStore } from './store/mail-store.js';
import type { TestPki } from './tls/certs.js';
import type { UserTable } from './users.js';

export interface Limits {
  /** The longest command line accepted (IMAP, POP3, SMTP), in octets. */
  maxLineBytes: number;
  /** The most IMAP literal bytes one command may carry (all its literals together). */
  maxLiteralBytes: number;
  /** The largest message accepted by SMTP DATA and IMAP APPEND (SIZE). */
  maxMessageBytes: number;
}

export const DEFAULT_LIMITS: Limits = { maxLineBytes: 65_536, maxLiteralBytes: 10 * 1024 * 1024, maxMessageBytes: 10 * 1024 * 1024 };

export interface ServerContext {
  personality: Personality;
  store: MailStore;
  users: UserTable;
  pki: TestPki;
  /** The context STARTTLS upgrades with. */
  tls: SecureContext;
  faults: Faults;
  limits: Limits;
}

/** Whether the personality lets a client authenticate on this connection (some only over TLS). */
export function authAllowed(ctx: ServerContext, conn: Connection): boolean {
  return conn.secure || !ctx.personality.authRequiresTls;
}
