/**
 * Dialing out: a client Connection over TCP or implicit TLS, for replayAsClient and for
 * tests that play a client by hand.
 */
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Connection } from './connection.js';

export interface DialOptions {
  host?: string;
  port: number;
  /** Implicit TLS with these options (e.g. `{ ca }`); plaintext when absent. */
  tls?: ConnectionOptions;
}

/** Connects and resolves once the connection (and its TLS handshake) is up; rejects on failure. */
export function dial(options: DialOptions): Promise<Connection> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    if (options.tls) {
      const s = tlsConnect({ servername: host === '127.0.0.1' ? 'localhost' : host, ...options.tls, host, port: options.port });
      const conn = new Connection(s);
      s.once('secureConnect', () => resolve(conn));
      s.once('error', reject);
    } else {
      const s = tcpConnect({ host, port: options.port });
      const conn = new Connection(s);
      s.once('connect', () => resolve(conn));
      s.once('error', reject);
    }
  });
}
