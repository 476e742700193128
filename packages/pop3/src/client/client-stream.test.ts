/**
 * retrStream streams: the first bytes reach the caller while the server still holds the
 * rest back, so nothing waits for (or buffers) the whole message. A hand-written loopback
 * server sends the rest only once the client has yielded the first chunk (events, no sleeps).
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { Pop3Client } from './pop3-client.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A POP3 server that answers by a script of (expected line -> reply) and hands the socket to `onRetr`. */
async function serve(onRetr: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.write('+OK ready\r\n');
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i !== -1; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (line === 'CAPA') socket.write('+OK\r\nUSER\r\n.\r\n');
        else if (line.startsWith('USER') || line.startsWith('PASS')) socket.write('+OK\r\n');
        else if (line === 'RETR 1') onRetr(socket);
        else if (line === 'QUIT') socket.end('+OK bye\r\n');
        else socket.write('-ERR unknown\r\n');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('retrStream', () => {
  it('yields the first bytes before the server has sent the rest', async () => {
    let retrSocket: Socket | null = null;
    const port = await serve((s) => {
      retrSocket = s;
      s.write('+OK\r\nSubject: stream\r\n\r\nfirst part\r\n');
    });
    const client = new Pop3Client({ host: '127.0.0.1', port, security: 'none', allowInsecureAuth: true, timeoutMs: 5000, auth: { user: 'u', password: 'p' } });
    await client.connect();
    const parts: string[] = [];
    let sentRest = false;
    for await (const chunk of client.retrStream(1)) {
      parts.push(Buffer.from(chunk).toString('latin1'));
      if (!sentRest) {
        // Only now does the server send the rest: the client could not have waited for it.
        expect(parts.join('')).toContain('first part');
        sentRest = true;
        retrSocket!.write('..dotted\r\nlast\r\n.\r\n');
      }
    }
    expect(parts.join('')).toBe('Subject: stream\r\n\r\nfirst part\r\n.dotted\r\nlast\r\n');
    await client.quit();
  });

  it('leaving the loop early closes the connection without QUIT; later calls reject', async () => {
    const port = await serve((s) => s.write('+OK\r\nline\r\n'));
    const client = new Pop3Client({ host: '127.0.0.1', port, security: 'none', allowInsecureAuth: true, timeoutMs: 5000, auth: { user: 'u', password: 'p' } });
    await client.connect();
    for await (const chunk of client.retrStream(1)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await expect(client.noop()).rejects.toMatchObject({ code: 'ECONNECTION' });
  });

  it('a silent server mid-body times out (ETIMEDOUT), never a hang', async () => {
    const port = await serve((s) => s.write('+OK\r\npartial'));
    const client = new Pop3Client({ host: '127.0.0.1', port, security: 'none', allowInsecureAuth: true, timeoutMs: 200, auth: { user: 'u', password: 'p' } });
    await client.connect();
    await expect(client.retr(1)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('the AbortSignal firing mid-RETR is EABORTED, and the connection is closed', async () => {
    const controller = new AbortController();
    const port = await serve((s) => {
      s.write('+OK\r\npartial line\r\n', () => controller.abort());
    });
    const client = new Pop3Client({ host: '127.0.0.1', port, security: 'none', allowInsecureAuth: true, timeoutMs: 5000, signal: controller.signal, auth: { user: 'u', password: 'p' } });
    await client.connect();
    await expect(client.retr(1)).rejects.toMatchObject({ code: 'EABORTED' });
    await expect(client.noop()).rejects.toMatchObject({ code: 'EABORTED' });
  });
});
