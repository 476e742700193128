/**
 * A Transport is the small duplex byte pipe every protocol client drives: write bytes,
 * read chunks, upgrade to TLS (STARTTLS/STLS), insert COMPRESS=DEFLATE, close. It knows
 * no protocol.
 *
 * Theory of operation. Bytes from the socket (after inflation, when compression is on)
 * are queued; `read()` takes the next chunk, or `null` once the peer has ended the
 * stream. A single failure — a socket error, the progress timer, the caller's
 * AbortSignal — is kept as `failure`: the socket is destroyed and every pending and
 * future read and write rejects with that same typed error. The progress timer runs
 * only while the client waits for the peer (`setWaiting(true)`) or a write is not yet
 * flushed; each chunk received and each write flushed restarts it, so `timeoutMs` is
 * "time without progress", never a limit on a long download.
 *
 * Backpressure both ways: writes resolve once the socket has taken the bytes and, when
 * its buffer is full, after 'drain'; reads that fall behind (more than `HIGH_WATER`
 * bytes queued) pause the socket — and the inflater, whose output can be a thousand times
 * its input — until `read()` has taken the queue below `LOW_WATER`, so a slow consumer
 * makes TCP slow the server down instead of growing memory.
 *
 * STARTTLS guard (RFC 3207 §4, RFC 2595 §3.1, RFC 9051 §6.2.1): whatever the server sent
 * after its go-ahead and before the TLS handshake is an attack, not data. The protocol
 * layer tells `upgradeToTls` how many such bytes it holds; any there, or any queued
 * here, fail the connection with SecurityError ESTARTTLS.
 */
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { AbortError, ConnectionError, MailwireError, SecurityError, TimeoutError, UsageError } from '@mailwire/errors';

import { Deflater } from './deflate.js';
import { TranscriptRecorder } from './transcript.js';
import type { TranscriptSink } from './transcript.js';

/** What Transport.tlsDetails() reports. */
export interface TlsDetails {
  protocol: string;
  cipher: string;
  authorized: boolean;
  authorizationError?: string;
  subject: string;
  issuer: string;
  subjectAltName?: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

export interface TransportOptions {
  /** Time without progress, while waiting for the peer, before failing with ETIMEDOUT. */
  timeoutMs?: number;
  signal?: AbortSignal;
  transcript?: TranscriptSink;
  /** For messages and SNI. */
  host?: string;
  port?: number;
}

export interface WriteOptions {
  /** The bytes are a secret (a SASL response, a password): the transcript shows `[redacted]`. */
  secret?: boolean;
}

/**
 * The oldest TLS version a connection accepts unless the caller's `tls.minVersion` says
 * otherwise: TLS 1.2 (RFC 8996 deprecates 1.0 and 1.1). Set explicitly rather than left to
 * `tls.DEFAULT_MIN_VERSION`, which any code in the process (or --tls-min-v1.0) can lower.
 */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/** Bytes queued unread before the socket is paused, and the level it is resumed at. */
export const HIGH_WATER = 256 * 1024;
export const LOW_WATER = 64 * 1024;

type Waiter = { resolve: (chunk: Uint8Array | null) => void; reject: (err: unknown) => void };

/** A Transport drives one connection's bytes for a protocol client. */
export class Transport {
  private socket: Socket;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private paused = false;
  private reader: Waiter | null = null;
  /** The one-shot listener of onReadable(). */
  private readable: (() => void) | null = null;
  private ended = false;
  private failure: MailwireError | null = null;
  private waiting = false;
  private writesInFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The timer counts: the client waits for the peer or a write is in flight. */
  private timerArmed = false;
  private readonly recorder: TranscriptRecorder | null;
  private deflater: Deflater | null = null;
  private readonly abortListener: (() => void) | null = null;
  private tls: boolean;

  private readonly onData = (chunk: Buffer): void => {
    this.progress();
    if (this.deflater) this.deflater.inflate(chunk);
    else this.deliver(chunk);
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.flushReader();
  };
  private readonly onError = (err: Error): void => {
    this.fail(new ConnectionError(`Connection to ${this.where()} failed: ${err.message}`, { protocol: 'net', cause: err }));
  };
  private readonly onClose = (): void => {
    this.ended = true;
    this.stopTimer();
    this.flushReader();
  };

  constructor(socket: Socket, private readonly options: TransportOptions = {}) {
    this.socket = socket;
    this.tls = 'encrypted' in socket && (socket as TLSSocket).encrypted === true;
    this.recorder = options.transcript ? new TranscriptRecorder(options.transcript) : null;
    this.attach(socket);
    const signal = options.signal;
    if (signal) {
      this.abortListener = () => this.fail(new AbortError(undefined, { protocol: 'net' }));
      if (signal.aborted) this.abortListener();
      else signal.addEventListener('abort', this.abortListener, { once: true });
    }
  }

  /** True once the connection is encrypted (implicit TLS or after STARTTLS). */
  get secure(): boolean {
    return this.tls;
  }

  /** The negotiated TLS (version, cipher, the server's certificate), or null in plaintext; for probes and logs. */
  tlsDetails(): TlsDetails | null {
    if (!this.tls) return null;
    const s = this.socket as TLSSocket;
    const cert = s.getPeerCertificate();
    const name = (n: Record<string, string | string[]> | undefined): string =>
      n ? Object.entries(n).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '';
    return {
      protocol: s.getProtocol() ?? 'unknown',
      cipher: s.getCipher()?.name ?? 'unknown',
      authorized: s.authorized,
      ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}),
      subject: name(cert?.subject as unknown as Record<string, string> | undefined),
      issuer: name(cert?.issuer as unknown as Record<string, string> | undefined),
      ...(cert?.subjectaltname ? { subjectAltName: cert.subjectaltname } : {}),
      validFrom: cert?.valid_from ?? '',
      validTo: cert?.valid_to ?? '',
      fingerprint256: cert?.fingerprint256 ?? '',
    };
  }

  /** True once COMPRESS=DEFLATE is on. */
  get compressed(): boolean {
    return this.deflater !== null;
  }

  /** True once the connection failed or was closed. */
  get closed(): boolean {
    return this.failure !== null || this.socket.destroyed;
  }

  /** The error the connection failed with, if it did. */
  get error(): MailwireError | null {
    return this.failure;
  }

  /** Tells the transport whether the client now waits for the peer (runs the progress timer). */
  setWaiting(waiting: boolean): void {
    this.waiting = waiting;
    this.updateTimer();
  }

  /** Bytes received and not yet read. */
  /** The progress timeout in force, in ms (0: none). */
  get timeoutMs(): number {
    return this.options.timeoutMs ?? 0;
  }

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /** A chunk already received and not yet read, taken without waiting; undefined if none. */
  takeBuffered(): Uint8Array | undefined {
    if (this.failure || this.reader) return undefined;
    return this.takeQueued();
  }

  /**
   * read() without a promise: a chunk already received, null once the peer ended the
   * stream, undefined when there is nothing yet (see onReadable). Throws the error the
   * connection failed with.
   */
  poll(): Uint8Array | null | undefined {
    if (this.failure) throw this.failure;
    if (this.reader) throw new UsageError('Transport.poll() called while a read is pending');
    const chunk = this.takeQueued();
    if (chunk) return chunk;
    return this.ended ? null : undefined;
  }

  /**
   * Calls `listener` once, at the next chunk, the end of the stream or a failure — whatever
   * poll() then reports — or at once when poll() has something already. null removes it.
   */
  onReadable(listener: (() => void) | null): void {
    if (listener !== null && (this.failure !== null || this.ended || this.queue.length > 0)) {
      this.readable = null;
      listener();
      return;
    }
    this.readable = listener;
  }

  /** The next chunk of bytes from the peer, or null once it ended the stream. */
  read(): Promise<Uint8Array | null> {
    if (this.failure) return Promise.reject(this.failure);
    const chunk = this.takeQueued();
    if (chunk) return Promise.resolve(chunk);
    if (this.ended) return Promise.resolve(null);
    if (this.reader) return Promise.reject(new UsageError('Transport.read() called while another read is pending'));
    return new Promise((resolve, reject) => {
      this.reader = { resolve, reject };
    });
  }

  /** Writes bytes; resolves once the socket took them (after 'drain' when its buffer was full). */
  async write(bytes: Uint8Array, options: WriteOptions = {}): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.socket.destroyed) throw new ConnectionError(`Connection to ${this.where()} is closed`, { protocol: 'net' });
    this.recorder?.sent(bytes, options.secret === true);
    this.writesInFlight++;
    this.updateTimer();
    try {
      if (this.deflater) await this.deflater.deflate(bytes);
      else await this.rawWrite(bytes);
      this.progress();
    } finally {
      this.writesInFlight--;
      this.updateTimer();
    }
  }

  /**
   * write() for a caller that sends often (a command per round trip): undefined when the
   * socket took the bytes into its buffer without backpressure — nothing to wait for; a
   * failure then comes as the connection's error, as for any socket error — otherwise the
   * promise write() would give (a full buffer, compression, a closed connection).
   */
  send(bytes: Uint8Array, options: WriteOptions = {}): Promise<void> | undefined {
    if (this.failure || this.socket.destroyed || this.deflater) return this.write(bytes, options);
    this.recorder?.sent(bytes, options.secret === true);
    if (this.socket.write(bytes)) {
      this.progress();
      return undefined;
    }
    // The buffer is full: wait for 'drain' like write(), with the progress timer counting.
    this.writesInFlight++;
    this.updateTimer();
    return this.drained().finally(() => {
      this.writesInFlight--;
      this.updateTimer();
    });
  }

  /** Resolves at the socket's 'drain' (progress made), rejects if it closes first. */
  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.socket.removeListener('close', onClose);
        this.progress();
        resolve();
      };
      const onClose = () => {
        this.socket.removeListener('drain', onDrain);
        reject(this.failure ?? new ConnectionError(`Connection to ${this.where()} closed during a write`, { protocol: 'net' }));
      };
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  /**
   * Upgrades the connection to TLS in place (STARTTLS, STLS). `unreadBytes` is how many
   * bytes the protocol layer holds past the server's go-ahead: any at all is an injection
   * and fails the connection with ESTARTTLS, as does a failed handshake.
   */
  async upgradeToTls(tlsOptions: ConnectionOptions = {}, unreadBytes = 0): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.tls) throw new UsageError('The connection is already encrypted');
    if (this.deflater) throw new UsageError('STARTTLS after COMPRESS is not allowed (RFC 4978 §4)');
    const raw = this.socket;
    raw.pause();
    if (unreadBytes > 0 || this.queue.length > 0 || raw.readableLength > 0) {
      const err = new SecurityError('ESTARTTLS', 'The server sent data after its STARTTLS go-ahead and before the TLS handshake; connection closed', { protocol: 'net' });
      this.fail(err);
      throw err;
    }
    this.detach(raw);
    const host = this.options.host;
    const servername = tlsOptions.servername ?? (host && !isIP(host) ? host : undefined);
    const secured = tlsConnect({ minVersion: MIN_TLS_VERSION, ...tlsOptions, socket: raw, ...(servername ? { servername } : {}) });
    this.socket = secured;
    this.waiting = true;
    this.updateTimer();
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        secured.once('error', onError);
        secured.once('secureConnect', () => {
          secured.removeListener('error', onError);
          resolve();
        });
        this.pendingHandshake = reject;
      });
    } catch (err) {
      const failure = this.failure ?? new SecurityError('ESTARTTLS', `TLS upgrade failed: ${(err as Error).message}`, { protocol: 'net', cause: err });
      this.fail(failure);
      throw failure;
    } finally {
      this.pendingHandshake = null;
    }
    this.tls = true;
    this.attach(secured);
    this.progress();
  }

  private pendingHandshake: ((err: unknown) => void) | null = null;

  /**
   * Turns on COMPRESS=DEFLATE (RFC 4978): from now on reads are inflated and writes
   * deflated with Z_SYNC_FLUSH. `leftover` is what the protocol layer already read past
   * the server's OK: the first compressed bytes.
   */
  startCompression(leftover?: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.deflater) throw new UsageError('Compression is already on');
    const queued = this.queue.splice(0, this.queue.length);
    this.queuedBytes = 0;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.deflater = new Deflater(
      (bytes) => this.deliver(bytes),
      (bytes) => this.rawWrite(bytes),
      (err) => this.fail(new ConnectionError(`Bad compressed data from ${this.where()}: ${err.message}`, { protocol: 'net', cause: err })),
    );
    if (leftover && leftover.length > 0) this.deflater.inflate(leftover);
    for (const chunk of queued) this.deflater.inflate(chunk);
  }

  /** Ends the connection gracefully (FIN), resolving once the socket closed. */
  async end(): Promise<void> {
    this.stopTimer();
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
    this.cleanup();
  }

  /** Closes the connection at once. Pending reads resolve with null. */
  close(): void {
    this.stopTimer();
    this.socket.destroy();
    this.ended = true;
    this.flushReader();
    this.cleanup();
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.resume();
  }

  private detach(socket: Socket): void {
    socket.removeListener('data', this.onData);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('error', this.onError);
    socket.removeListener('close', this.onClose);
  }

  private rawWrite(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const full = !this.socket.write(bytes, (err) => {
        if (err) reject(this.failure ?? new ConnectionError(`Write to ${this.where()} failed: ${err.message}`, { protocol: 'net', cause: err }));
        else if (!full) resolve();
      });
      if (full) this.drained().then(resolve, reject);
    });
  }

  private deliver(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.recorder?.received(chunk);
    if (this.reader) {
      const reader = this.reader;
      this.reader = null;
      reader.resolve(chunk);
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket.pause();
      this.deflater?.pause();
    }
    this.notifyReadable();
  }

  private notifyReadable(): void {
    const listener = this.readable;
    if (listener === null) return;
    this.readable = null;
    listener();
  }

  private takeQueued(): Uint8Array | undefined {
    const chunk = this.queue.shift();
    if (chunk === undefined) return undefined;
    this.queuedBytes -= chunk.length;
    if (this.paused && this.queuedBytes <= LOW_WATER) {
      this.paused = false;
      if (!this.socket.destroyed) this.socket.resume();
      this.deflater?.resume();
    }
    return chunk;
  }

  private flushReader(): void {
    this.notifyReadable();
    if (!this.reader) return;
    const reader = this.reader;
    this.reader = null;
    if (this.failure) reader.reject(this.failure);
    else if (this.queue.length > 0) reader.resolve(this.takeQueued()!);
    else reader.resolve(null);
  }

  private fail(err: MailwireError): void {
    if (this.failure) return;
    this.failure = err;
    this.stopTimer();
    this.socket.destroy();
    this.pendingHandshake?.(err);
    this.flushReader();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.abortListener) this.options.signal?.removeEventListener('abort', this.abortListener);
  }

  private progress(): void {
    this.timer?.refresh();
  }

  /**
   * Arms the progress timer when the client starts waiting (or writing), disarms it when it
   * stops. Disarming leaves the (unref'd) timer to lapse harmlessly instead of clearing it,
   * and arming again refreshes the same timer: the client turns waiting on and off for each
   * chunk and each response, and a timer created and cleared each time costs more than
   * the decoding of a small response.
   */
  private updateTimer(): void {
    const ms = this.options.timeoutMs;
    const active = (this.waiting || this.writesInFlight > 0) && !this.failure && ms !== undefined && ms > 0;
    if (!active) {
      this.timerArmed = false;
      return;
    }
    if (this.timerArmed) return;
    this.timerArmed = true;
    if (this.timer) {
      this.timer.refresh(); // the countdown starts again from now
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.timerArmed) return; // lapsed while the client was not waiting
      this.timerArmed = false;
      this.fail(new TimeoutError(`No progress from ${this.where()} for ${ms} ms`, { protocol: 'net' }));
    }, ms);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerArmed = false;
  }

  private where(): string {
    const { host, port } = this.options;
    return host ? `${host}${port ? `:${port}` : ''}` : 'the server';
  }
}
