import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from './connection.js';
import { dial } from './dial.js';

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** A Connection on the server side of a loopback TCP pair, and the client socket. */
async function pair(): Promise<{ conn: Connection; client: Connection }> {
  let accept!: (s: Socket) => void;
  const peer = new Promise<Socket>((resolve) => (accept = resolve));
  server = createServer((s) => accept(s));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = await dial({ port });
  return { conn: new Connection(await peer), client };
}

describe('Connection', () => {
  it('reads a literal larger than its 4 MiB pause mark without stalling', async () => {
    const { conn, client } = await pair();
    const size = 6 * 1024 * 1024;
    void client.write(Buffer.alloc(size, 0x61));
    const got = await Promise.race([conn.readBytes(size), new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 3000))]);
    expect(got === 'stalled' ? 'stalled' : got?.length).toBe(size);
    conn.destroy();
    client.destroy();
  });
});
