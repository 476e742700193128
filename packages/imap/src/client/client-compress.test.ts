/**
 * COMPRESS=DEFLATE (RFC 4978) end to end: after the OK, both directions are raw DEFLATE
 * with sync flushes; the server here is node:zlib on a plain socket.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { constants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';

import { ImapClient } from './imap-client.js';

const sockets = new Set<Socket>();
afterEach(() => {
  for (const s of sockets) s.destroy();
  sockets.clear();
});

describe('ImapClient.compress', () => {
  it('switches both directions to DEFLATE after the OK, including bytes that came with it', async () => {
    const plainLines: string[] = [];
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.write('* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n');
      const deflate = createDeflateRaw();
      let capture: Buffer[] | null = null;
      deflate.on('data', (d: Buffer) => (capture ? capture.push(d) : socket.write(d)));
      const send = (text: string) => {
        deflate.write(text);
        deflate.flush(constants.Z_SYNC_FLUSH);
      };
      const inflate = createInflateRaw();
      let compressed = false;
      let buffer = '';
      const onLine = (line: string) => {
        plainLines.push(line);
        const tag = line.split(' ')[0];
        if (line.endsWith('COMPRESS DEFLATE')) {
          compressed = true;
          // The OK and, in the same TCP write, the first compressed bytes: an untagged update.
          capture = [];
          deflate.write('* 7 EXISTS\r\n');
          deflate.flush(constants.Z_SYNC_FLUSH, () => {
            socket.write(Buffer.concat([Buffer.from(`${tag} OK DEFLATE active\r\n`), ...capture!]));
            capture = null;
          });
          return;
        }
        if (line.endsWith('LOGOUT')) return send(`* BYE bye\r\n${tag} OK done\r\n`);
        const reply = `${tag} OK ${'padding '.repeat(200)}done\r\n`;
        if (compressed) send(reply);
        else socket.write(reply);
      };
      const take = (text: string) => {
        buffer += text;
        for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
          onLine(buffer.slice(0, i));
          buffer = buffer.slice(i + 2);
        }
      };
      inflate.on('data', (d: Buffer) => take(d.toString('latin1')));
      socket.on('data', (d: Buffer) => (compressed ? inflate.write(d) : take(d.toString('latin1'))));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const updates: unknown[] = [];
      const client = new ImapClient({ host: '127.0.0.1', port, security: 'none', onUpdate: (u) => updates.push(u) });
      await client.connect();
      await client.compress();
      await client.noop();
      await client.noop();
      await client.logout();
      expect(plainLines).toEqual(['A1 COMPRESS DEFLATE', 'A2 NOOP', 'A3 NOOP', 'A4 LOGOUT']);
      expect(updates).toEqual([{ type: 'exists', count: 7 }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
