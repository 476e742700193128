/**
 * startTestServers: IMAP, POP3 and SMTP servers sharing one in-memory mail store, each on
 * a plaintext port (with STARTTLS/STLS) and an implicit-TLS port, speaking as a
 * personality (API.md, test-servers). Free ports on 127.0.0.1 by default.
 */
import { createSecureContext } from 'node:tls';
import type { Faults } from './faults/faults.js';
import { ImapSession } from './imap/session.js';
import { listen, type Listener } from './net/listener.js';
import { personality as byName, type PersonalityName } from './personalities/index.js';
import { Pop3Session } from './pop3/session.js';
import { DEFAULT_LIMITS, type Limits, type ServerContext } from './server-context.js';
import { SmtpSession } from './smtp/session.js';
import { MailStore } from './store/mail-store.js';
import { certFor, testPki, type CertKind } from './tls/certs.js';
import { UserTable, type TestUser, type TokenVerifier } from './users.js';

export interface TestServersOptions {
  /** Default 'dovecot'. */
  personality?: PersonalityName;
  /** The SASL mechanisms advertised, in place of the personality's (all six are verified either way). */
  mechanisms?: string[];
  users: TestUser[];
  /** Default 127.0.0.1. */
  host?: string;
  /** The certificate every TLS listener (and STARTTLS) presents; default 'valid'. */
  cert?: CertKind;
  faults?: Faults;
  limits?: Partial<Limits>;
  /** The clock for INTERNALDATE and SMTP greetings; fix it for byte-exact recordings. */
  now?: () => Date;
  /** UIDVALIDITY of the first mailbox created (default 1). */
  uidValidity?: number;
  /**
   * Checks each XOAUTH2/OAUTHBEARER token with this hook instead of the users' `tokens`
   * lists — e.g. by asking the authorization server that issued it (RFC 7662
   * introspection). Tokens expired with expireToken() stay refused.
   */
  verifyToken?: TokenVerifier;
}

export interface PortPair {
  /** Plaintext with STARTTLS (IMAP, SMTP) or STLS (POP3). */
  port: number;
  /** Implicit TLS. */
  tlsPort: number;
}

export interface TestServers {
  host: string;
  imap: PortPair;
  pop3: PortPair;
  smtp: PortPair;
  /** PEM of the CA that signed the servers' certificates. */
  ca: string;
  /** The shared mail store (deliver, inspect). */
  store: MailStore;
  /** Exceptions thrown inside sessions (each closed its connection): empty unless a server has a bug. */
  errors: unknown[];
  /** Expires a token from now on: sessions authenticated with it end at their next command (Exchange's AccessTokenExpired). */
  expireToken(token: string): void;
  stop(): Promise<void>;
}

/** Starts the three servers; resolves once every listener accepts connections. */
export async function startTestServers(options: TestServersOptions): Promise<TestServers> {
  const host = options.host ?? '127.0.0.1';
  const pki = testPki();
  const keyAndCert = certFor(pki, options.cert ?? 'valid');
  const store = new MailStore({ ...(options.now ? { now: options.now } : {}), ...(options.uidValidity ? { uidValidity: options.uidValidity } : {}) });
  const users = new UserTable(options.users, options.verifyToken);
  for (const u of options.users) store.addUser(u.user);
  const ctx: ServerContext = {
    personality: options.mechanisms ? { ...byName(options.personality ?? 'dovecot'), mechanisms: options.mechanisms } : byName(options.personality ?? 'dovecot'),
    store,
    users,
    pki,
    tls: createSecureContext(keyAndCert),
    faults: options.faults ?? {},
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
  const listeners: Listener[] = [];
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  const pair = async (serve: (conn: import('./net/connection.js').Connection) => Promise<void>): Promise<PortPair> => {
    const plain = await listen({ host, faults: ctx.faults, onError }, serve);
    listeners.push(plain);
    const secure = await listen({ host, tls: keyAndCert, faults: ctx.faults, onError }, serve);
    listeners.push(secure);
    return { port: plain.port, tlsPort: secure.port };
  };
  try {
    const imap = await pair(async (conn) => {
      const session = new ImapSession(conn, ctx);
      try {
        await session.run();
      } finally {
        session.end();
      }
    });
    const pop3 = await pair((conn) => new Pop3Session(conn, ctx).run());
    const smtp = await pair((conn) => new SmtpSession(conn, ctx, '127.0.0.1').run());
    return {
      host, imap, pop3, smtp, ca: pki.ca, store, errors,
      expireToken: (token) => users.expireToken(token),
      stop: async () => {
        await Promise.all(listeners.map((l) => l.close()));
      },
    };
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    throw error;
  }
}
