/**
 * A Connection is the server side of one client connection: a pull reader (`readLine`,
 * `readBytes`) over the socket's bytes, a writer that applies the byte-level faults, and
 * the STARTTLS upgrade. Protocol sessions are plain async loops over it.
 *
 * Theory of operation. Incoming chunks are queued in `#chunks`; readers take from the
 * front and wait on `#wake` when there is not enough. A line longer than the caller's
 * limit is discarded as it arrives (up to its LF), so a hostile client cannot grow
 * memory; more than HIGH_WATER unread bytes pause the socket until a reader waits for
 * more (a literal may be larger than HIGH_WATER: the reader's own limit bounds it).
 * Writes are serialized on a promise chain so a dripping write never interleaves with
 * the next. On STARTTLS the
 * plaintext socket's listeners are detached, unread plaintext is discarded (anything a
 * client pipelined after STARTTLS is not to be trusted, RFC 3207 §4.2), and a server-side
 * TLSSocket takes over the same TCP connection.
 */
import type { Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { Faults } from '../faults/faults.js';

const HIGH_WATER = 4 * 1024 * 1024;

export class Connection {
  #socket: Socket;
  readonly #faults: Faults;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #wake: (() => void) | null = null;
  #ended = false;
  #written = 0;
  #stalled = false;
  #chain: Promise<void> = Promise.resolve();
  #onData = (chunk: Buffer) => this.#push(chunk);
  #onEnd = () => this.#finish();
  /** True once the connection runs over TLS. */
  secure: boolean;

  constructor(socket: Socket, faults: Faults = {}) {
    this.#socket = socket;
    this.#faults = faults;
    this.secure = socket instanceof TLSSocket;
    this.#attach(socket);
  }

  #attach(socket: Socket): void {
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onEnd);
  }

  #detach(socket: Socket): void {
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onEnd);
    socket.off('error', this.#onEnd);
  }

  #push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered > HIGH_WATER) this.#socket.pause();
    this.#notify();
  }

  #finish(): void {
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Waits for more bytes. A reader that waits needs more than is buffered, and its own limit bounds what it waits for, so a paused socket resumes. */
  #wait(): Promise<void> {
    if (this.#socket.isPaused()) this.#socket.resume();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** True once the peer closed or the connection failed. */
  get ended(): boolean {
    return this.#ended;
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    if (this.#buffered <= HIGH_WATER && this.#socket.isPaused()) this.#socket.resume();
    return out;
  }

  #indexOfLf(): number {
    let offset = 0;
    for (const c of this.#chunks) {
      const i = c.indexOf(0x0a);
      if (i >= 0) return offset + i;
      offset += c.length;
    }
    return -1;
  }

  /**
   * The next line without its line end (CRLF, or a bare LF), or null at end of stream,
   * or 'too-long' when the line passed `maxBytes` (its bytes are discarded up to its LF).
   */
  async readLine(maxBytes: number): Promise<Buffer | null | 'too-long'> {
    const raw = await this.readLineWithEnd(maxBytes);
    if (raw === null || raw === 'too-long') return raw;
    const lf = raw.length - 1;
    return raw.subarray(0, lf > 0 && raw[lf - 1] === 0x0d ? lf - 1 : lf);
  }

  /** The next line with its LF (and CR) kept, for byte-exact comparison; as readLine otherwise. */
  async readLineWithEnd(maxBytes: number): Promise<Buffer | null | 'too-long'> {
    let tooLong = false;
    for (;;) {
      const lf = this.#indexOfLf();
      if (lf >= 0) {
        const line = this.#take(lf + 1);
        if (tooLong || lf > maxBytes + 1) return 'too-long';
        return Buffer.from(line);
      }
      if (this.#buffered > maxBytes + 1) {
        tooLong = true;
        this.#take(this.#buffered);
      }
      if (this.#ended) return tooLong ? 'too-long' : null;
      await this.#wait();
    }
  }

  /** Exactly n bytes, or null if the stream ended first. */
  async readBytes(n: number): Promise<Buffer | null> {
    while (this.#buffered < n) {
      if (this.#ended) return null;
      await this.#wait();
    }
    return Buffer.from(this.#take(n));
  }

  /** Writes bytes (a string is latin1), applying the byte-level faults; resolves once handed to the socket. */
  write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    this.#chain = this.#chain.then(() => this.#writeNow(bytes));
    return this.#chain;
  }

  async #writeNow(bytes: Buffer): Promise<void> {
    if (this.#stalled || this.#ended || bytes.length === 0) return;
    const f = this.#faults;
    let out = bytes;
    let after: 'close' | 'stall' | null = null;
    if (f.closeAfterBytes !== undefined && this.#written + out.length >= f.closeAfterBytes) {
      out = out.subarray(0, Math.max(0, f.closeAfterBytes - this.#written));
      after = 'close';
    }
    if (f.stallAfterBytes !== undefined && this.#written + out.length >= f.stallAfterBytes) {
      out = out.subarray(0, Math.max(0, f.stallAfterBytes - this.#written));
      after = 'stall';
    }
    this.#written += out.length;
    if (f.dripBytes !== undefined && f.dripBytes !== false) {
      const delay = typeof f.dripBytes === 'number' ? f.dripBytes : 1;
      for (let i = 0; i < out.length && !this.#ended; i++) {
        // The pause goes between bytes, never after the last: a STARTTLS go-ahead must be
        // followed at once by the upgrade, or the client's ClientHello, arriving during the
        // pause, would be read as plaintext and the handshake would hang.
        if (i > 0) await new Promise((r) => setTimeout(r, delay));
        await this.#rawWrite(out.subarray(i, i + 1));
      }
    } else if (out.length > 0) {
      await this.#rawWrite(out);
    }
    if (after === 'close') this.destroy();
    if (after === 'stall') this.#stalled = true;
  }

  #rawWrite(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.#socket.destroyed) return resolve();
      this.#socket.write(bytes, () => resolve());
    });
  }

  /**
   * Sends the STARTTLS/STLS go-ahead line (with `faults.injectAfterStarttls` in the same
   * write), then upgrades to TLS. Resolves true once the handshake is done, false if it failed.
   */
  async startTls(goAhead: string, context: SecureContext): Promise<boolean> {
    await this.write(goAhead + (this.#faults.injectAfterStarttls ?? ''));
    if (this.#ended) return false;
    return this.#upgrade((raw) => new TLSSocket(raw, { isServer: true, secureContext: context }), 'secure');
  }

  /**
   * The client side of an upgrade (for replayAsClient and tests): after the server's
   * go-ahead, unread bytes are discarded and a TLS client handshake runs on the same
   * connection. Resolves true once it is verified and secure.
   */
  upgradeClientTls(options: ConnectionOptions): Promise<boolean> {
    return this.#upgrade((raw) => tlsConnect({ ...options, socket: raw }), 'secureConnect');
  }

  /**
   * Moves the connection onto a TLS socket made over the current one: unread plaintext
   * is discarded, and the result says whether the handshake (`ready` event) completed.
   */
  async #upgrade(wrap: (raw: Socket) => TLSSocket, ready: 'secure' | 'secureConnect'): Promise<boolean> {
    const raw = this.#socket;
    this.#detach(raw);
    this.#chunks = [];
    this.#buffered = 0;
    const secure = wrap(raw);
    this.#socket = secure;
    this.#attach(secure);
    const ok = await new Promise<boolean>((resolve) => {
      secure.once(ready, () => resolve(true));
      secure.once('error', () => resolve(false));
      secure.once('close', () => resolve(false));
    });
    this.secure = ok;
    return ok;
  }

  /** Ends the connection after pending writes. */
  async close(): Promise<void> {
    await this.#chain;
    if (!this.#stalled) this.#socket.end();
    this.#ended = true;
    this.#notify();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.#socket.destroy();
    this.#finish();
  }
}
