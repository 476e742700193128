/**
 * ImapClient is the Node IMAP client of ../shared/API.md: promises and async iterators
 * over a Connection (one ImapSession driven over one Transport).
 *
 * connect() reads the greeting, asks for capabilities, upgrades with STARTTLS where
 * asked (refusing a server that does not offer it), asks again, and authenticates. A
 * token provider whose token is rejected is asked once more and the login retried once
 * on a new connection (withFreshTokenRetry), never in a loop. With
 * `reconnect.onTokenExpired`, a session Exchange ends with `AccessTokenExpired` is
 * re-opened, re-authenticated with a fresh token and the mailbox re-selected, on the
 * next call.
 */
import { SecurityError, UsageError } from '@mailwire/errors';
import type { MailwireError } from '@mailwire/errors';
import { connectClient } from '@mailwire/net';
import type { TlsDetails } from '@mailwire/net';
import { resolveToken, withFreshTokenRetry } from '@mailwire/sasl';

import { ImapResponseDecoder } from '../decode/imap-response-decoder.js';
import type { FetchResult, ListEntry, MailboxInfo, MailboxStatus, MailboxUpdate, NamespaceDescriptor, StatusResponse } from '../types.js';
import { atom, list, mailbox as mb } from '../command/arguments.js';
import { authenticate, authMechanismsOf } from './authenticate.js';
import { mailboxInfo } from './mailbox-info.js';
import type { ImapClientOptions } from './client-options.js';
import { DEFAULT_IDLE_RESTART_MS, DEFAULT_MAX_HELD_BYTES, DEFAULT_STREAM_THRESHOLD } from './client-options.js';
import { commandError } from './command-errors.js';
import { Connection, defaultByeError } from './connection.js';
import { sequenceSetSize } from '../command/sequence-set.js';
import { DEFAULT_CLIENT_QUIRKS } from '../quirks.js';
import type { ImapClientQuirks } from '../quirks.js';
import type { CommandOutcome, RunOptions } from './connection.js';
import type { SessionCommand } from '../session/session-types.js';
import { MessageOps } from './message-ops.js';

/** The IMAP client. */
export class ImapClient extends MessageOps {
  private conn: Connection | null = null;
  private selectedMailbox: { name: string; readOnly: boolean; info: MailboxInfo } | null = null;
  private readonly updateListeners = new Set<(u: MailboxUpdate) => void>();
  private reconnecting: Promise<void> | null = null;
  private inReopen = false;

  private readonly quirks: ImapClientQuirks;

  constructor(readonly options: ImapClientOptions) {
    super();
    this.quirks = { ...DEFAULT_CLIENT_QUIRKS, ...options.quirks };
    if (!options.host) throw new UsageError('ImapClient needs a host', { protocol: 'imap' });
  }

  /** Upper-cased capability names, as last told by the server. */
  get capabilities(): ReadonlySet<string> {
    return this.conn?.session.capabilities ?? new Set();
  }

  /** The SASL mechanisms offered (AUTH=...), upper-cased. */
  get authMechanisms(): ReadonlySet<string> {
    return authMechanismsOf(this.capabilities);
  }

  /** Capabilities switched on with ENABLE. */
  get enabled(): ReadonlySet<string> {
    return this.conn?.session.enabled ?? new Set();
  }

  /** The session state: 'not-authenticated', 'authenticated', 'selected' or 'logout'. */
  get state(): string {
    return this.conn?.session.state ?? 'logout';
  }

  /** True while the connection is encrypted (implicit TLS or after STARTTLS). */
  get secure(): boolean {
    return this.conn?.transport.secure ?? false;
  }

  /** The negotiated TLS and the server's certificate while connected, else null. */
  tlsDetails(): TlsDetails | null {
    return this.conn?.transport.tlsDetails() ?? null;
  }

  /** The mailbox selected now, with what SELECT said and updates applied since. */
  get mailbox(): MailboxInfo | null {
    return this.selectedMailbox?.info ?? null;
  }

  /** Connects, upgrades, authenticates (see the class comment). */
  async connect(): Promise<void> {
    const source = this.options.auth?.accessToken;
    if (typeof source === 'function') {
      await withFreshTokenRetry(source, (token) => this.open(token));
    } else {
      await this.open(source);
    }
  }

  /** Logs out (RFC 9051 §6.1.3) and closes the connection. */
  async logout(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    if (conn.alive) {
      try {
        await conn.run({ name: 'LOGOUT' });
      } catch {
        // the server may close before or after its OK: either way we are done
      }
    }
    conn.destroy();
    await conn.stopped();
    this.conn = null;
    this.selectedMailbox = null;
  }

  /** Closes the connection without LOGOUT. */
  close(): void {
    this.conn?.destroy();
    this.conn = null;
    this.selectedMailbox = null;
  }

  /** Listens for mailbox updates (EXISTS, EXPUNGE, FETCH, ...); returns a function that stops listening. */
  onUpdate(listener: (u: MailboxUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** SELECT (or EXAMINE with readOnly); `condstore` adds (CONDSTORE) (RFC 7162 §3.1.8). */
  async select(mailbox: string, opts: { readOnly?: boolean; condstore?: boolean } = {}): Promise<MailboxInfo> {
    const name = opts.readOnly ? 'EXAMINE' : 'SELECT';
    const args = [mb(mailbox)];
    if (opts.condstore) args.push(list([atom('CONDSTORE')]));
    let outcome: CommandOutcome;
    try {
      outcome = await this.exec({ name, args });
    } catch (err) {
      this.selectedMailbox = null; // a failed SELECT leaves no mailbox selected (RFC 9051 §6.3.2)
      throw err;
    }
    const info = mailboxInfo(outcome.data, outcome.response, name === 'EXAMINE');
    this.selectedMailbox = { name: mailbox, readOnly: opts.readOnly === true, info };
    return info;
  }

  /** EXAMINE: select read-only. */
  examine(mailbox: string): Promise<MailboxInfo> {
    return this.select(mailbox, { readOnly: true });
  }

  /** IDLE (RFC 2177) until `signal` fires; restarted before the server's 30-minute limit. */
  async idle(opts: { signal: AbortSignal; onUpdate: (u: MailboxUpdate) => void; restartMs?: number }): Promise<void> {
    const stop = this.onUpdate(opts.onUpdate);
    const restartMs = opts.restartMs ?? this.options.idleRestartMs ?? DEFAULT_IDLE_RESTART_MS;
    try {
      while (!opts.signal.aborted) {
        const conn = await this.ready();
        let timer: NodeJS.Timeout | undefined;
        let onAbort: (() => void) | undefined;
        const outcome = await conn.run({ name: 'IDLE' }, {
          onIdleAccepted: (handle) => {
            const done = () => conn.finishIdle(handle);
            timer = setTimeout(done, restartMs);
            onAbort = done;
            if (opts.signal.aborted) done();
            else opts.signal.addEventListener('abort', done, { once: true });
          },
        }).finally(() => {
          if (timer) clearTimeout(timer);
          if (onAbort) opts.signal.removeEventListener('abort', onAbort);
        });
        if (!outcome.ok) throw commandError(outcome, this.quirks.authenticatedNotConnected);
      }
    } finally {
      stop();
    }
  }

  // -- the plumbing MailboxOps and the fetch methods build on --

  /** Runs a command and resolves with its OK outcome; NO/BAD rejects (CommandError, or EAUTH for Exchange's "not connected"). */
  protected async exec(cmd: SessionCommand, options?: RunOptions): Promise<CommandOutcome> {
    const conn = await this.ready();
    const outcome = await conn.run(cmd, options);
    if (!outcome.ok) throw commandError(outcome, this.quirks.authenticatedNotConnected);
    return outcome;
  }

  protected caps(): ReadonlySet<string> {
    return this.capabilities;
  }

  protected maxHeldBytes(): number {
    return this.options.limits?.maxLiteralBytes ?? DEFAULT_MAX_HELD_BYTES;
  }

  protected failConnection(error: MailwireError): void {
    this.conn?.destroy(error);
  }

  protected enabledExtensions(): ReadonlySet<string> {
    return this.enabled;
  }

  protected forgetSelection(): void {
    this.selectedMailbox = null;
  }

  private async ready(): Promise<Connection> {
    if (this.reconnecting && !this.inReopen) await this.reconnecting;
    const conn = this.conn;
    if (conn && conn.alive) return conn;
    const err = conn?.error;
    if (conn && err && this.canReconnect(err)) {
      this.reconnecting = this.reopen().finally(() => (this.reconnecting = null));
      await this.reconnecting;
      return this.conn!;
    }
    if (err) throw err;
    throw new UsageError('Not connected: call connect() first', { protocol: 'imap' });
  }

  private canReconnect(err: MailwireError): boolean {
    return err.code === 'ETOKENEXPIRED' && this.options.reconnect?.onTokenExpired === true && typeof this.options.auth?.accessToken === 'function';
  }

  private async reopen(): Promise<void> {
    const previous = this.selectedMailbox;
    this.selectedMailbox = null;
    this.inReopen = true;
    try {
      await this.open(await resolveToken(this.options.auth!.accessToken!));
      if (previous) await this.select(previous.name, { readOnly: previous.readOnly });
    } finally {
      this.inReopen = false;
    }
  }

  /** One connection attempt: transport, greeting, capabilities, STARTTLS, authentication. */
  private async open(tokenOrSource?: string | (() => Promise<string>)): Promise<void> {
    const o = this.options;
    const token = typeof tokenOrSource === 'function' ? await resolveToken(tokenOrSource) : tokenOrSource;
    const { transport, security, port } = await connectClient(o, (s) => (s === 'tls' ? 993 : 143));
    const { maxResponsesPerCommand, ...limits } = o.limits ?? {};
    const decoder = new ImapResponseDecoder({
      ...limits,
      streamThresholdBytes: limits.streamThresholdBytes ?? DEFAULT_STREAM_THRESHOLD,
      ...(o.parseQuirks ? { quirks: o.parseQuirks } : {}),
    });
    const conn = new Connection(transport, decoder, {
      onUpdate: (u) => this.dispatchUpdate(u),
      byeError: (bye) => defaultByeError(bye, this.quirks.tokenExpiredBye),
      ...(o.onAlert ? { onAlert: o.onAlert } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.tagPrefix ? { tagPrefix: o.tagPrefix } : {}),
      ...(maxResponsesPerCommand !== undefined ? { maxResponsesPerCommand } : {}),
    });
    this.conn?.destroy();
    this.conn = conn;
    try {
      await conn.waitForGreeting();
      if (security === 'starttls' && conn.session.state === 'authenticated') {
        // PREAUTH on a connection that must be encrypted first: no STARTTLS is possible in
        // the authenticated state (RFC 9051 §6.2.1), so going on would run the session in
        // plaintext (the PREAUTH downgrade of the 2021 "NO STARTTLS" study).
        throw new SecurityError('EINSECURE', 'The server greeted with PREAUTH on a connection that must be upgraded to TLS first; not continuing in plaintext', { protocol: 'imap' });
      }
      if (!conn.session.capabilitiesKnown) await this.exec({ name: 'CAPABILITY' });
      if (security === 'starttls') {
        if (!conn.session.capabilities.has('STARTTLS')) {
          throw new SecurityError('EINSECURE', 'STARTTLS was required but the server does not offer it (a downgrade?); not continuing in plaintext', { protocol: 'imap' });
        }
        const upgraded = await conn.run({ name: 'STARTTLS' });
        if (!upgraded.ok) {
          throw new SecurityError('ESTARTTLS', `The server refused STARTTLS: ${upgraded.response.status} ${upgraded.response.text}; not continuing in plaintext`, { protocol: 'imap', serverText: upgraded.response.text });
        }
        await this.exec({ name: 'CAPABILITY' });
      }
      if (o.auth && conn.session.state === 'not-authenticated') {
        await authenticate(conn, {
          auth: o.auth,
          ...(token !== undefined ? { token } : {}),
          secure: transport.secure,
          allowInsecureAuth: o.allowInsecureAuth === true,
          host: o.host,
          port,
          twoStepWithoutSaslIr: this.quirks.twoStepWithoutSaslIr,
        });
        if (!conn.session.capabilitiesKnown) await this.exec({ name: 'CAPABILITY' });
      }
    } catch (err) {
      // A failed attempt leaves no connection behind; withFreshTokenRetry decides about a retry.
      conn.destroy();
      await conn.stopped();
      throw err;
    }
  }

  private dispatchUpdate(update: MailboxUpdate): void {
    const info = this.selectedMailbox?.info;
    if (info) {
      if (update.type === 'exists') info.exists = update.count;
      else if (update.type === 'recent') info.recent = update.count;
      else if (update.type === 'expunge' && info.exists > 0) info.exists--;
      else if (update.type === 'vanished' && !update.earlier) info.exists = Math.max(0, info.exists - sequenceSetSize(update.uids));
      else if (update.type === 'flags') info.flags = update.flags;
    }
    this.options.onUpdate?.(update);
    for (const l of this.updateListeners) l(update);
  }
}

export type { FetchResult, ListEntry, MailboxStatus, NamespaceDescriptor, StatusResponse };
