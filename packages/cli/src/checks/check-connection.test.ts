import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { CheckConnection } from './check-connection.js';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that greets and then says nothing more, whatever it is sent. */
async function silentAfterGreeting(): Promise<number> {
  server = createServer((socket) => {
    sockets.push(socket);
    socket.write('* OK ready\r\n');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('CheckConnection', () => {
  it('a server that stops answering fails the read with ETIMEDOUT after the progress timeout, instead of hanging the check', async () => {
    const port = await silentAfterGreeting();
    const conn = await CheckConnection.open({ url: '', protocol: 'imap', host: '127.0.0.1', port, security: 'none' }, {}, 50);
    try {
      expect(await conn.line()).toBe('* OK ready');
      await conn.send('m1 ID ("name" {8}\r\n');
      await expect(conn.line()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      conn.close();
    }
  });
});
