/**
 * Pop3Client: the contract's POP3 client (../shared/API.md) over a packages/net
 * Transport, driving a sans-I/O Pop3Session.
 *
 * Theory of operation. POP3 is one command, one answer; commands run one at a time,
 * serialised by a lock. Each command writes the session's bytes and pulls events (from
 * a backlog the session filled from the last chunk, else from the next transport read)
 * until its answer and, for multi-line commands, its BodyEnded. Body bytes are handed
 * to the caller as they arrive and awaited, so `retrStream` reads the socket only as
 * fast as the consumer takes the bytes: memory stays flat for any message size. Any
 * failure — protocol, security, connection lost, EOF before the final "." — closes the
 * connection, is kept, and every later call rejects with it; a connection that ends
 * without a clean QUIT deletes nothing on the server (RFC 1939 §6), so `dele` is only a
 * mark until `quit` resolves.
 *
 * connect(): greeting, CAPA, STLS and CAPA again for 'starttls' (refusing to continue
 * in plaintext when STLS is missing: EINSECURE; refused or followed by injected bytes:
 * ESTARTTLS), then authentication. A token provider whose token is refused is asked once
 * more and the login retried once on a new connection (withFreshTokenRetry).
 */
import { AuthenticationError, CommandError, ConnectionError, MailwireError, ProtocolError, SecurityError, UsageError } from '@mailwire/errors';
import { connectClient } from '@mailwire/net';
import type { TlsDetails, Transport } from '@mailwire/net';
import { withFreshTokenRetry } from '@mailwire/sasl';

import type { Pop3Status } from '../codec/status.js';
import { Pop3Session } from '../session/session.js';
import type { Pop3Event } from '../session/session.js';
import { authenticate } from './authenticate.js';
import { parseCapa } from './capabilities.js';
import { DEFAULT_MAX_RESPONSE_BYTES, defaultPort } from './client-options.js';
import type { Pop3ClientOptions } from './client-options.js';

const decoder = new TextDecoder();

/** The longest CAPA list accepted (RFC 2449 lists are a few hundred bytes). */
const MAX_CAPA_BYTES = 64 * 1024;

/**
 * A -ERR that says the OAuth token behind the session expired: Exchange's
 * `Session invalidated - AccessTokenExpired`, Gmail's `[AUTH] Session expired, please login again.`
 */
const TOKEN_EXPIRED = /AccessTokenExpired|token (has )?expired|Session expired, please log ?in again/i;

type Reply = { kind: 'challenge'; text: string } | { kind: 'status'; status: Pop3Status };

export class Pop3Client {
  #options: Pop3ClientOptions;
  #transport: Transport | null = null;
  #session: Pop3Session | null = null;
  #backlog: Pop3Event[] = [];
  #failure: MailwireError | null = null;
  #lock: Promise<void> = Promise.resolve();
  #capabilities: ReadonlySet<string> = new Set();
  #authMechanisms: ReadonlySet<string> = new Set();
  #greeting: Pop3Status | null = null;
  /** The keyword of a command PIPELINING already wrote for the slot now running. */
  #preSent: string | null = null;

  constructor(options: Pop3ClientOptions) {
    this.#options = options;
  }

  /** CAPA tags, upper-cased (after TLS, when STLS was used). */
  get capabilities(): ReadonlySet<string> {
    return this.#capabilities;
  }

  /** The SASL mechanisms CAPA offered, upper-cased. */
  get authMechanisms(): ReadonlySet<string> {
    return this.#authMechanisms;
  }

  /** The greeting's status, once connected. */
  get greeting(): Pop3Status | null {
    return this.#greeting;
  }

  /** The negotiated TLS and the server's certificate while connected, else null. */
  tlsDetails(): TlsDetails | null {
    return this.#transport?.tlsDetails() ?? null;
  }

  get secure(): boolean {
    return this.#transport?.secure ?? false;
  }

  /** The session state: AUTHORIZATION, TRANSACTION, UPDATE, closed or failed. */
  get state(): string {
    return this.#session?.state ?? 'closed';
  }

  async connect(): Promise<void> {
    if (this.#transport !== null && this.#failure === null) throw new UsageError('Pop3Client is already connected', { protocol: 'pop3' });
    const source = this.#options.auth?.accessToken;
    if (typeof source === 'function') await withFreshTokenRetry(source, (token) => this.#open(token));
    else await this.#open(source);
  }

  async #open(token: string | undefined): Promise<void> {
    const o = this.#options;
    this.#failure = null;
    this.#backlog = [];
    this.#session = new Pop3Session();
    const { transport, security, port } = await connectClient(o, defaultPort);
    this.#transport = transport;
    try {
      const first = await this.#next();
      if (first.kind !== 'GreetingReceived') throw this.#die(new ConnectionError('The POP3 server sent no greeting', { protocol: 'pop3' }));
      this.#greeting = first.status;
      await this.#capa();
      if (security === 'starttls') {
        if (!this.#capabilities.has('STLS')) {
          throw new SecurityError('EINSECURE', 'STLS was required but the server does not offer it (a downgrade?); not continuing in plaintext', { protocol: 'pop3' });
        }
        const r = await this.#simple('STLS');
        if (!r.ok) throw new SecurityError('ESTARTTLS', `The server refused STLS: -ERR ${r.line}`, { protocol: 'pop3', serverText: `-ERR ${r.line}` });
        if (this.#backlog.length > 0) {
          throw new SecurityError('ESTARTTLS', 'The server sent data after its STLS go-ahead and before the TLS handshake; connection closed', { protocol: 'pop3' });
        }
        await transport.upgradeToTls(o.tls ?? {}, 0);
        await this.#capa();
      }
      if (o.auth) {
        await authenticate(this.#channel(), {
          auth: o.auth,
          ...(token !== undefined ? { token } : {}),
          secure: transport.secure,
          allowInsecureAuth: o.allowInsecureAuth === true,
          capabilities: this.#capabilities,
          authMechanisms: this.#authMechanisms,
          host: o.host,
          port,
          greeting: this.#greeting.line,
        });
      }
    } catch (err) {
      const error = err instanceof MailwireError ? err : new ConnectionError(`POP3 connect failed: ${(err as Error).message}`, { protocol: 'pop3', cause: err });
      this.#die(error);
      throw err;
    }
  }

  /** STAT: the number of messages and their total size in octets. */
  stat(): Promise<{ count: number; size: number }> {
    return this.#serial(async () => {
      const r = await this.#ok('STAT');
      const m = /^(\d+) (\d+)/.exec(r.text);
      if (!m) throw this.#die(new MailwireError('EPROTOCOL', `STAT answered without "count size": +OK ${r.line}`, { protocol: 'pop3', command: 'STAT', serverText: `+OK ${r.line}` }));
      return { count: Number(m[1]), size: Number(m[2]) };
    }, ['STAT', []]);
  }

  /** LIST: every message's number and size; with `msg`, that one message's (a single-line answer). */
  list(msg?: number): Promise<{ msg: number; size: number }[]> {
    if (msg !== undefined) {
      const n = checkMsg(msg);
      return this.#serial(async () => [await this.#scanListing('LIST', n)].map(([m, v]) => ({ msg: m, size: Number(v) })), ['LIST', [n]]);
    }
    return this.#serial(async () => (await this.#listing('LIST')).map(([m, v]) => ({ msg: m, size: Number(v) })), ['LIST', []]);
  }

  /** UIDL: every message's number and unique id; with `msg`, that one message's. */
  uidl(msg?: number): Promise<{ msg: number; uid: string }[]> {
    if (msg !== undefined) {
      const n = checkMsg(msg);
      return this.#serial(async () => [await this.#scanListing('UIDL', n)].map(([m, uid]) => ({ msg: m, uid })), ['UIDL', [n]]);
    }
    return this.#serial(async () => (await this.#listing('UIDL')).map(([m, uid]) => ({ msg: m, uid })), ['UIDL', []]);
  }

  /** RETR: the message, dot-unstuffed, CRLF line ends, without the final ".". */
  async retr(msg: number): Promise<Uint8Array> {
    const n = checkMsg(msg);
    return this.#serial(() => this.#collect('RETR', [n]), ['RETR', [n]]);
  }

  /** TOP: the header and the first `lines` lines of the body. */
  async top(msg: number, lines: number): Promise<Uint8Array> {
    if (!Number.isInteger(lines) || lines < 0) return Promise.reject(new UsageError(`TOP needs a line count >= 0, not ${lines}`, { protocol: 'pop3' }));
    const n = checkMsg(msg);
    return this.#serial(() => this.#collect('TOP', [n, lines]), ['TOP', [n, lines]]);
  }

  /**
   * RETR streamed: the bytes as they arrive, read from the socket only as fast as they
   * are taken. Leaving the loop early closes the connection (nothing is deleted).
   */
  async *retrStream(msg: number): AsyncIterable<Uint8Array> {
    const n = checkMsg(msg);
    const written = this.#pipelining() ? this.#write(this.#session!.send('RETR', [n])) : null;
    written?.catch(() => undefined);
    const release = await this.#acquire();
    let ended = false;
    try {
      if (written) {
        await written;
        this.#preSent = 'RETR';
      }
      await this.#okMulti('RETR', [n]);
      for (;;) {
        const ev = await this.#body();
        if (ev === null) {
          ended = true;
          return;
        }
        yield ev;
      }
    } finally {
      this.#preSent = null;
      if (!ended && this.#failure === null) this.#die(new ConnectionError('retrStream was left before the message ended; the connection was closed (nothing was deleted)', { protocol: 'pop3', command: 'RETR' }));
      release();
    }
  }

  /** DELE: marks a message deleted; the server removes it only after a clean QUIT. */
  async dele(msg: number): Promise<void> {
    const n = checkMsg(msg);
    return this.#serial(async () => void (await this.#ok('DELE', [n])), ['DELE', [n]]);
  }

  /** RSET: unmarks every message marked deleted. */
  rset(): Promise<void> {
    return this.#serial(async () => void (await this.#ok('RSET')), ['RSET', []]);
  }

  noop(): Promise<void> {
    return this.#serial(async () => void (await this.#ok('NOOP')), ['NOOP', []]);
  }

  /** QUIT: commits the deletions (the UPDATE state) and closes the connection. */
  quit(): Promise<void> {
    return this.#serial(async () => {
      const r = await this.#simple('QUIT');
      const transport = this.#transport;
      if (!r.ok) {
        const err = new CommandError(`QUIT failed: the server said: -ERR ${r.line}; deletions may not have been committed`, { protocol: 'pop3', command: 'QUIT', serverText: `-ERR ${r.line}`, ...(r.code ? { responseCode: r.code } : {}) });
        this.#die(err);
        throw err;
      }
      this.#failure = new ConnectionError('The POP3 session has ended (QUIT)', { protocol: 'pop3' });
      await transport?.end();
    }, ['QUIT', []]);
  }

  /** Closes the connection at once, without QUIT: the server commits no deletion. */
  close(): void {
    this.#die(new ConnectionError('The connection was closed by the client without QUIT; nothing was deleted', { protocol: 'pop3' }));
  }

  // --- the command loop ---

  #acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.#lock;
    this.#lock = prev.then(() => next);
    return prev.then(() => release);
  }

  /**
   * Runs `fn` holding the read slot. With PIPELINING (RFC 2449 §6.6) in TRANSACTION, the
   * command `early` is written at once, in call order, before the answers to earlier
   * commands arrived; `fn`'s first #send then reads its answer instead of writing again.
   */
  async #serial<T>(fn: () => Promise<T>, early?: [string, (string | number)[]]): Promise<T> {
    let written: Promise<void> | null = null;
    if (early && this.#pipelining()) {
      written = this.#write(this.#session!.send(early[0], early[1]));
      written.catch(() => undefined);
    }
    const release = await this.#acquire();
    try {
      if (written) {
        await written;
        this.#preSent = early![0];
      }
      return await fn();
    } finally {
      this.#preSent = null;
      release();
    }
  }

  #pipelining(): boolean {
    return this.#options.pipelining !== false && this.#failure === null && this.#session?.state === 'TRANSACTION' && this.#capabilities.has('PIPELINING');
  }

  #live(): { transport: Transport; session: Pop3Session } {
    if (this.#failure) throw this.#failure;
    if (!this.#transport || !this.#session) throw new UsageError('Pop3Client is not connected: call connect() first', { protocol: 'pop3' });
    return { transport: this.#transport, session: this.#session };
  }

  /** The next session event; rejects (and kills the connection) on a failure or a lost connection. */
  async #next(): Promise<Pop3Event> {
    const { transport, session } = this.#live();
    while (this.#backlog.length === 0) {
      transport.setWaiting(true);
      let chunk: Uint8Array | null;
      try {
        chunk = await transport.read();
      } catch (err) {
        throw this.#die(err instanceof MailwireError ? err : new ConnectionError(String(err), { protocol: 'pop3', cause: err }));
      } finally {
        transport.setWaiting(false);
      }
      this.#backlog.push(...(chunk === null ? session.end() : session.receive(chunk)));
    }
    const ev = this.#backlog.shift()!;
    if (ev.kind === 'ProtocolFailed') throw this.#die(ev.error);
    if (ev.kind === 'ConnectionLost' || ev.kind === 'ConnectionClosed') {
      const during = ev.kind === 'ConnectionLost' && ev.keyword ? ` during ${ev.keyword}` : '';
      throw this.#die(new ConnectionError(`The POP3 server closed the connection${during}; nothing was deleted`, { protocol: 'pop3', ...(ev.kind === 'ConnectionLost' && ev.keyword ? { command: ev.keyword } : {}) }));
    }
    return ev;
  }

  async #write(bytes: Uint8Array, secret = false): Promise<void> {
    const { transport } = this.#live();
    try {
      await transport.write(bytes, { secret });
    } catch (err) {
      throw this.#die(err instanceof MailwireError ? err : new ConnectionError(String(err), { protocol: 'pop3', cause: err }));
    }
  }

  /** Sends a command and returns its status line (+OK or -ERR), the body unread. */
  async #send(keyword: string, args: readonly (string | number)[] = []): Promise<{ status: Pop3Status; body: boolean }> {
    const { session } = this.#live();
    if (this.#preSent === keyword) this.#preSent = null;
    else await this.#write(session.send(keyword, args));
    const ev = await this.#next();
    if (ev.kind !== 'ResponseReceived') throw this.#die(new MailwireError('EPROTOCOL', `Expected the answer to ${keyword}, got ${ev.kind}`, { protocol: 'pop3', command: keyword }));
    return { status: ev.status, body: ev.body };
  }

  async #simple(keyword: string, args: readonly (string | number)[] = []): Promise<Pop3Status> {
    return (await this.#send(keyword, args)).status;
  }

  async #ok(keyword: string, args: readonly (string | number)[] = []): Promise<Pop3Status> {
    const status = await this.#simple(keyword, args);
    if (!status.ok) throw this.#refused(keyword, args, status);
    return status;
  }

  /** A -ERR: a CommandError, or ETOKENEXPIRED (the connection is then dead) when the token behind the session expired. */
  #refused(keyword: string, args: readonly (string | number)[], status: Pop3Status): MailwireError {
    if (TOKEN_EXPIRED.test(status.line)) {
      return this.#die(
        new AuthenticationError('ETOKENEXPIRED', `The server ended the session because the access token expired: -ERR ${status.line}`, {
          protocol: 'pop3',
          command: [keyword, ...args].join(' '),
          serverText: `-ERR ${status.line}`,
          ...(status.code ? { responseCode: status.code } : {}),
          hint: 'Get a fresh access token and connect again; nothing marked deleted in this session was deleted.',
        }),
      );
    }
    return commandError(keyword, args, status);
  }

  async #okMulti(keyword: string, args: readonly (string | number)[] = []): Promise<Pop3Status> {
    const { status, body } = await this.#send(keyword, args);
    if (!status.ok) throw this.#refused(keyword, args, status);
    if (!body) throw this.#die(new MailwireError('EPROTOCOL', `${keyword} got no body`, { protocol: 'pop3', command: keyword }));
    return status;
  }

  /** The next body chunk, or null at BodyEnded. */
  async #body(): Promise<Uint8Array | null> {
    const ev = await this.#next();
    if (ev.kind === 'BodyReceived') return ev.bytes;
    if (ev.kind === 'BodyEnded') return null;
    throw this.#die(new MailwireError('EPROTOCOL', `Unexpected ${ev.kind} inside a body`, { protocol: 'pop3' }));
  }

  async #collect(keyword: string, args: readonly (string | number)[], limit = this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES): Promise<Uint8Array> {
    await this.#okMulti(keyword, args);
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let b = await this.#body(); b !== null; b = await this.#body()) {
      parts.push(b);
      size += b.length;
      if (size > limit) {
        throw this.#die(new ProtocolError(`The answer to ${keyword} passed ${limit} bytes (maxResponseBytes); connection closed${keyword === 'RETR' ? ' — use retrStream for large messages' : ''}`, { protocol: 'pop3', command: [keyword, ...args].join(' ') }));
      }
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** `LIST n` / `UIDL n`: the "+OK n value" line (RFC 1939 §5 scan listing, §7 unique-id listing). */
  async #scanListing(keyword: 'LIST' | 'UIDL', n: number): Promise<[number, string]> {
    const r = await this.#ok(keyword, [n]);
    const m = /^(\d+) +(\S+)/.exec(r.text);
    if (!m || Number(m[1]) !== n) throw this.#die(new MailwireError('EPROTOCOL', `${keyword} ${n} answered without "${n} value": +OK ${r.line}`, { protocol: 'pop3', command: `${keyword} ${n}`, serverText: `+OK ${r.line}` }));
    return [n, m[2]!];
  }

  async #listing(keyword: 'LIST' | 'UIDL'): Promise<[number, string][]> {
    const text = decoder.decode(await this.#collect(keyword, []));
    const out: [number, string][] = [];
    for (const line of text.split('\r\n')) {
      if (line === '') continue;
      const m = /^(\d+) +(\S+)/.exec(line);
      if (!m) throw this.#die(new MailwireError('EPROTOCOL', `A ${keyword} line is not "msg value": ${JSON.stringify(line.slice(0, 80))}`, { protocol: 'pop3', command: keyword }));
      out.push([Number(m[1]), m[2]!]);
    }
    return out;
  }

  async #capa(): Promise<void> {
    const { status, body } = await this.#send('CAPA');
    if (!status.ok || !body) {
      this.#capabilities = new Set();
      this.#authMechanisms = new Set();
      return;
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let b = await this.#body(); b !== null; b = await this.#body()) {
      parts.push(b.slice());
      size += b.length;
      if (size > MAX_CAPA_BYTES) throw this.#die(new ProtocolError(`The CAPA list passed ${MAX_CAPA_BYTES} bytes; connection closed`, { protocol: 'pop3', command: 'CAPA' }));
    }
    const caps = parseCapa(decoder.decode(Buffer.concat(parts)));
    this.#capabilities = caps.capabilities;
    this.#authMechanisms = caps.authMechanisms;
  }

  #channel() {
    return {
      command: async (line: string, secret = false) => {
        const { session } = this.#live();
        await this.#write(session.sendLine(line), secret);
      },
      saslLine: async (line: string) => {
        const { session } = this.#live();
        await this.#write(session.sendSaslLine(line), true);
      },
      reply: async (): Promise<Reply> => {
        const ev = await this.#next();
        if (ev.kind === 'ChallengeReceived') return { kind: 'challenge', text: ev.text };
        if (ev.kind === 'ResponseReceived') return { kind: 'status', status: ev.status };
        throw this.#die(new MailwireError('EPROTOCOL', `Unexpected ${ev.kind} during authentication`, { protocol: 'pop3' }));
      },
    };
  }

  /** Keeps the first failure, closes the connection, returns the error to throw. */
  #die(error: MailwireError): MailwireError {
    if (this.#failure === null) this.#failure = error;
    this.#transport?.close();
    return error;
  }
}

function checkMsg(msg: number): number {
  if (!Number.isInteger(msg) || msg < 1) throw new UsageError(`A POP3 message number is an integer >= 1, not ${msg}`, { protocol: 'pop3' });
  return msg;
}

function commandError(keyword: string, args: readonly (string | number)[], status: Pop3Status): CommandError {
  const command = [keyword, ...args].join(' ');
  return new CommandError(`POP3 ${command} failed: the server said: -ERR ${status.line}`, {
    protocol: 'pop3',
    command,
    serverText: `-ERR ${status.line}`,
    status: '-ERR',
    ...(status.code ? { responseCode: status.code } : {}),
  });
}

