/**
 * A Connection is the short loop that drives an ImapSession over a Transport: write what
 * the session says, read when it needs data, turn its events into settled promises. It
 * is the only IMAP code that awaits I/O.
 *
 * Theory of operation. One loop runs per connection. It takes the session's steps in
 * order; while the session has nothing to say it waits for whichever comes first: a
 * chunk from the transport (one read is kept outstanding) or a "kick" from a newly
 * enqueued command. Each command's promise settles on its CommandCompleted /
 * CommandFailed; streaming commands get each response through `onData`, whose returned
 * promise the loop awaits before reading on — that is the backpressure that keeps
 * fetchBodyStream flat in memory. After STARTTLS or COMPRESS complete, the loop switches
 * the transport before anything else runs (the STARTTLS guard: bytes past the OK are an
 * injection). Any failure — transport, protocol, unexpected close — settles every pending
 * command with one typed error, and the connection is dead.
 */
import type { ConnectionOptions } from 'node:tls';

import { AuthenticationError, ConnectionError, MailwireError, SecurityError } from '@mailwire/errors';
import type { Transport } from '@mailwire/net';

import type { ImapResponse, MailboxUpdate, StatusResponse } from '../types.js';
import { ImapSession } from '../session/session.js';
import { referralMessage, referralOf } from './referral.js';
import type { CommandHandle, ResponseDecoder, SessionCommand, SessionStep } from '../session/session-types.js';

export interface CommandOutcome {
  ok: boolean;
  handle: CommandHandle;
  response: StatusResponse;
  data: ImapResponse[];
}

export interface RunOptions {
  /** For streaming commands: each response as it arrives; the loop waits for the returned promise. */
  onData?: (response: ImapResponse) => void | Promise<void>;
  /** IDLE: called once the server accepted. */
  onIdleAccepted?: (handle: CommandHandle) => void;
}

interface Waiter {
  resolve: (outcome: CommandOutcome) => void;
  reject: (err: unknown) => void;
  options: RunOptions;
}

export interface ConnectionHooks {
  onUpdate?: (update: MailboxUpdate) => void;
  onStatus?: (response: StatusResponse) => void;
  /** Every [ALERT] (RFC 9051 §7.1: the text must be shown to the user), tagged or not, claimed or not. */
  onAlert?: (text: string) => void;
  /** Maps a BYE the client did not ask for to the error pending commands get. */
  byeError?: (response: StatusResponse) => MailwireError;
  tls?: ConnectionOptions;
  tagPrefix?: string;
  /** ImapSessionOptions.maxResponsesPerCommand. */
  maxResponsesPerCommand?: number;
}

/**
 * A BYE that says the OAuth token behind the session expired: Exchange's
 * `Session invalidated - AccessTokenExpired`, Dovecot's `Access token expired`, Gmail's
 * `Session expired, please login again.`
 */
export const TOKEN_EXPIRED_BYE = /AccessTokenExpired|token (has )?expired|Session expired, please log ?in again/i;

export function defaultByeError(response: StatusResponse, tokenExpiredQuirk = true): MailwireError {
  if (tokenExpiredQuirk && TOKEN_EXPIRED_BYE.test(response.text)) {
    return new AuthenticationError('ETOKENEXPIRED', `The server ended the session because the access token expired: ${response.text}`, {
      protocol: 'imap',
      serverText: `* BYE ${response.text}`,
      hint: 'Get a fresh access token and connect again (with a token provider and reconnect.onTokenExpired, the client does this itself).',
    });
  }
  if (referralOf(response.code) !== undefined) {
    return new ConnectionError(referralMessage('The server closed the session', 'RFC 2221'), { protocol: 'imap', serverText: `* BYE ${response.text}` });
  }
  return new ConnectionError(`The server closed the session: ${response.text}`, { protocol: 'imap', serverText: `* BYE ${response.text}` });
}

const SECRET = { secret: true } as const;
const PLAIN = { secret: false } as const;

export class Connection {
  readonly session: ImapSession;
  private readonly waiters = new Map<CommandHandle, Waiter>();
  private greetingWaiter: { resolve: (r: StatusResponse) => void; reject: (e: unknown) => void } | null = null;
  private greeting: StatusResponse | null = null;
  private kickResolve: (() => void) | null = null;
  private failure: MailwireError | null = null;
  private bye: StatusResponse | null = null;
  private readonly loopDone: Promise<void>;

  constructor(readonly transport: Transport, decoder: ResponseDecoder, private readonly hooks: ConnectionHooks = {}) {
    this.session = new ImapSession({
      decoder,
      ...(hooks.tagPrefix ? { tagPrefix: hooks.tagPrefix } : {}),
      ...(hooks.maxResponsesPerCommand !== undefined ? { maxResponsesPerCommand: hooks.maxResponsesPerCommand } : {}),
    });
    this.loopDone = this.loop();
  }

  /** The error the connection died of, if it did. */
  get error(): MailwireError | null {
    return this.failure;
  }

  get alive(): boolean {
    return this.failure === null && this.session.ready;
  }

  /** Resolves with the greeting (* OK / * PREAUTH); rejects on * BYE or a failure. */
  waitForGreeting(): Promise<StatusResponse> {
    if (this.greeting) return Promise.resolve(this.greeting);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.greetingWaiter = { resolve, reject };
    });
  }

  /** Enqueues a command and resolves with its outcome (OK, or NO/BAD with ok=false). */
  run(cmd: SessionCommand, options: RunOptions = {}): Promise<CommandOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    let handle: CommandHandle;
    try {
      handle = this.session.enqueue(cmd);
    } catch (err) {
      return Promise.reject(this.bye && !this.failure ? (this.hooks.byeError ?? defaultByeError)(this.bye) : err);
    }
    const promise = new Promise<CommandOutcome>((resolve, reject) => this.waiters.set(handle, { resolve, reject, options }));
    this.kick();
    return promise;
  }

  /** Ends the IDLE in progress (sends DONE once accepted). */
  finishIdle(handle: CommandHandle): void {
    this.session.finishIdle(handle);
    this.kick();
  }

  /** Fails everything and closes the socket. */
  destroy(error?: MailwireError): void {
    this.fail(error ?? new ConnectionError('The connection was closed by the client', { protocol: 'imap' }));
  }

  /** Waits for the loop to stop (after a close or a failure). */
  async stopped(): Promise<void> {
    await this.loopDone;
  }

  private kick(): void {
    const k = this.kickResolve;
    this.kickResolve = null;
    k?.();
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        if (this.failure) return;
        const step = this.session.next();
        if (step.kind === 'need-data') {
          if (!(await this.waitForInput())) return;
          continue;
        }
        // Most steps finish at once: awaiting only the ones that return a promise saves a
        // microtask hop per response (50,000 of them in one large FETCH).
        const pending = this.perform(step);
        if (pending) await pending;
      }
    } catch (err) {
      this.fail(err instanceof MailwireError ? err : new ConnectionError(`IMAP connection failed: ${(err as Error).message}`, { protocol: 'imap', cause: err }));
    }
  }

  /**
   * Hands the session a chunk already received, or waits for one or for a kick; false when
   * the connection is over. One promise per wait, resolved by whichever comes first (no
   * outstanding read() and no race): the next pass of the loop takes what arrived.
   */
  private async waitForInput(): Promise<boolean> {
    this.updateWaiting();
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.transport.poll();
    } catch (error) {
      this.fail(error instanceof MailwireError ? error : new ConnectionError(String(error), { protocol: 'imap', cause: error }));
      return false;
    }
    if (chunk !== undefined) {
      this.session.receive(chunk ?? new Uint8Array(0));
      return true;
    }
    await new Promise<void>((resolve) => {
      this.kickResolve = resolve;
      this.transport.onReadable(resolve);
    });
    this.kickResolve = null;
    this.transport.onReadable(null);
    return true;
  }

  private updateWaiting(): void {
    // An accepted IDLE waits for the server by design; once DONE is asked for, the OK is awaited like any answer.
    this.transport.setWaiting(!this.session.idling && (this.session.pendingCount > 0 || this.greeting === null));
  }

  /** Carries out one step; returns a promise only for a step that must be awaited. */
  private perform(step: Exclude<SessionStep, { kind: 'need-data' }>): Promise<void> | void {
    switch (step.kind) {
      case 'write':
        return this.transport.send(step.bytes, step.secret === true ? SECRET : PLAIN);
      case 'write-stream':
        // Waiting on the caller's source is not the server's time: no progress timer meanwhile.
        this.transport.setWaiting(false);
        return this.writeStream(step.size, step.source, step.secret === true);
      case 'GreetingReceived': {
        this.greeting = step.response;
        const w = this.greetingWaiter;
        this.greetingWaiter = null;
        if (step.response.status === 'BYE') {
          const refused = referralOf(step.response.code) !== undefined ? referralMessage('The server refused the connection', 'RFC 2221') : `The server refused the connection: ${step.response.text}`;
          const err = new ConnectionError(refused, { protocol: 'imap', serverText: `* BYE ${step.response.text}` });
          w?.reject(err);
          this.fail(err);
        } else w?.resolve(step.response);
        return;
      }
      case 'CommandCompleted':
      case 'CommandFailed': {
        const ok = step.kind === 'CommandCompleted';
        const name = step.handle.name;
        if (ok && (name === 'STARTTLS' || name === 'COMPRESS')) return this.switchStream(name).then(() => this.completed(step, ok));
        if (name === 'STARTTLS' || name === 'COMPRESS') this.session.takeUnread();
        this.completed(step, ok);
        return;
      }
      case 'DataReceived': {
        const w = this.waiters.get(step.handle);
        const pending = w?.options.onData?.(step.response);
        if (!pending) return undefined; // taken at once: no time passed, the timer stays as it is
        // A slow consumer (backpressure) is not a silent server: no progress timer meanwhile.
        this.transport.setWaiting(false);
        return pending;
      }
      case 'IdleAccepted': {
        this.updateWaiting();
        this.waiters.get(step.handle)?.options.onIdleAccepted?.(step.handle);
        return;
      }
      case 'UpdateReceived':
        this.hooks.onUpdate?.(step.update);
        return;
      case 'StatusReceived':
        this.alert(step.response);
        this.hooks.onStatus?.(step.response);
        return;
      case 'ByeReceived':
        this.bye = step.response;
        return;
      case 'ProtocolFailed':
        this.fail(step.error);
        return;
      case 'ConnectionClosed': {
        const err = this.bye
          ? (this.hooks.byeError ?? defaultByeError)(this.bye)
          : new ConnectionError('The server closed the connection', { protocol: 'imap' });
        this.fail(err);
        return;
      }
    }
  }

  /** Settles a finished command's promise (after its [ALERT]s). */
  private completed(step: Extract<SessionStep, { kind: 'CommandCompleted' | 'CommandFailed' }>, ok: boolean): void {
    for (const r of step.data) if (r.kind === 'status') this.alert(r as StatusResponse);
    this.alert(step.response);
    const w = this.waiters.get(step.handle);
    this.waiters.delete(step.handle);
    w?.resolve({ ok, handle: step.handle, response: step.response, data: step.data });
  }

  private alert(response: StatusResponse): void {
    if (response.code?.name === 'ALERT') this.hooks.onAlert?.(response.text);
  }

  private async switchStream(name: string): Promise<void> {
    const unread = this.session.takeUnread();
    if (name === 'STARTTLS') {
      if (unread.length > 0) {
        const err = new SecurityError('ESTARTTLS', 'The server sent data after its STARTTLS go-ahead and before the TLS handshake; connection closed', { protocol: 'imap' });
        this.fail(err);
        throw err;
      }
      await this.transport.upgradeToTls(this.hooks.tls ?? {}, 0);
    } else {
      this.transport.startCompression(unread);
    }
  }

  private async writeStream(size: number, source: AsyncIterable<Uint8Array>, secret: boolean): Promise<void> {
    let sent = 0;
    for await (const chunk of source) {
      if (sent + chunk.length > size) break;
      sent += chunk.length;
      await this.transport.write(chunk, { secret });
    }
    if (sent !== size) {
      const err = new ConnectionError(`The literal source gave a different number of bytes than the ${size} announced; the connection cannot continue`, { protocol: 'imap' });
      this.fail(err);
      throw err;
    }
  }

  private fail(error: MailwireError): void {
    if (this.failure) return;
    this.failure = error;
    this.kick();
    const gw = this.greetingWaiter;
    this.greetingWaiter = null;
    gw?.reject(error);
    for (const [, w] of this.waiters) w.reject(error);
    this.waiters.clear();
    this.transport.close();
  }
}
