/**
 * `connect` opens a Transport: plaintext TCP, or implicit TLS with SNI and certificate
 * verification on by default. STARTTLS is not a connect mode here but an upgrade of an
 * open Transport (`upgradeToTls`), because the protocol decides when.
 */
import { connect as tcpConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { AbortError, ConnectionError, TimeoutError } from '@mailwire/errors';

import { DEFAULT_TIMEOUT_MS, type ClientOptions, type Security } from './client-options.js';
import type { TranscriptSink } from './transcript.js';
import { MIN_TLS_VERSION, Transport } from './transport.js';

export interface ConnectOptions {
  host: string;
  port: number;
  /** 'tls' connects with TLS at once; 'starttls' and 'none' connect in plaintext. */
  security: Security;
  tls?: ConnectionOptions;
  timeoutMs?: number;
  signal?: AbortSignal;
  transcript?: TranscriptSink;
}

/** Opens a connection; rejects with ConnectionError, TimeoutError or AbortError. */
export async function connect(options: ConnectOptions): Promise<Transport> {
  const { host, port, signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (signal?.aborted) throw new AbortError(undefined, { protocol: 'net' });
  const implicit = options.security === 'tls';
  const servername = options.tls?.servername ?? (isIP(host) ? undefined : host);
  const socket: Socket = implicit
    ? tlsConnect({ minVersion: MIN_TLS_VERSION, ...options.tls, host, port, ...(servername ? { servername } : {}) })
    : tcpConnect({ host, port });
  const ready = implicit ? 'secureConnect' : 'connect';
  // Mail protocols are request/reply: a short command must not wait for the ACK of the
  // previous segment (Nagle with delayed ACKs costs ~40 ms per round trip).
  socket.setNoDelay(true);

  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (err?: Error) => {
      if (timer) clearTimeout(timer);
      socket.removeListener(ready, onReady);
      socket.removeListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve();
    };
    const onReady = () => done();
    const onError = (err: Error) =>
      done(new ConnectionError(`Cannot connect to ${host}:${port}${implicit ? ' (TLS)' : ''}: ${err.message}`, { protocol: 'net', cause: err }));
    const onAbort = () => done(new AbortError(undefined, { protocol: 'net' }));
    socket.once(ready, onReady);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs > 0) {
      timer = setTimeout(() => done(new TimeoutError(`No connection to ${host}:${port} within ${timeoutMs} ms`, { protocol: 'net' })), timeoutMs);
    }
  });

  return new Transport(socket, {
    host,
    port,
    timeoutMs,
    ...(signal ? { signal } : {}),
    ...(options.transcript ? { transcript: options.transcript } : {}),
  });
}

/** What `connectClient` opened: the Transport, and the security and port it used. */
export interface ClientConnection {
  transport: Transport;
  security: Security;
  port: number;
}

/**
 * Opens the connection a protocol client's options describe: security 'tls' unless told
 * otherwise, the protocol's default port for that security, and the common TLS, timeout,
 * abort and transcript options passed through unchanged.
 */
export async function connectClient(options: ClientOptions, defaultPort: (security: Security) => number): Promise<ClientConnection> {
  const security = options.security ?? 'tls';
  const port = options.port ?? defaultPort(security);
  const transport = await connect({
    host: options.host,
    port,
    security,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.transcript ? { transcript: options.transcript } : {}),
  });
  return { transport, security, port };
}
