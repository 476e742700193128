/**
 * A Listener accepts TCP or implicit-TLS connections on a free port and hands each one,
 * wrapped in a Connection, to a session function. `close()` stops accepting and destroys
 * every open connection, so a test never waits on a client that forgot to hang up.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { KeyAndCert } from '../tls/certs.js';
import type { Faults } from '../faults/faults.js';
import { Connection } from './connection.js';

export interface Listener {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port?: number;
  /** Implicit TLS with this key and certificate; plaintext TCP when absent. */
  tls?: KeyAndCert;
  faults?: Faults;
  /** Told of an exception thrown by a session (a server bug: the connection is closed). */
  onError?: (error: unknown) => void;
}

/** Listens and runs `session` for every connection; errors thrown by a session close that connection only. */
export async function listen(options: ListenOptions, session: (conn: Connection) => Promise<void>): Promise<Listener> {
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true); // replies go out at once, as a real server's do
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const conn = new Connection(socket, options.faults);
    session(conn)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => void conn.close());
  };
  const server: Server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onSocket)
    : createTcpServer(onSocket);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: options.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
