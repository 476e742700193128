/**
 * A line-answering server for POP3 and SMTP client tests that need a behaviour no
 * fixture has: it sends a greeting, then hands every line the client sends to `answer`,
 * which may write, end or destroy the socket. Closes everything on close().
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface LineServer {
  port: number;
  /** Every line the client sent, in order. */
  lines: string[];
  close(): Promise<void>;
}

export async function lineServer(greeting: string, answer: (line: string, socket: Socket) => string | void): Promise<LineServer> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(greeting, 'latin1');
    let pending = '';
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      for (let i = pending.indexOf('\r\n'); i >= 0; i = pending.indexOf('\r\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 2);
        lines.push(line);
        const reply = answer(line, socket);
        if (typeof reply === 'string' && !socket.destroyed && socket.writable) socket.write(reply, 'latin1');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    lines,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Writes `chunk` to the socket `times` times, waiting for 'drain' whenever it is full and
 * stopping once it is destroyed (a client that gave up); returns how many went out so far.
 */
export function pumpChunks(socket: Socket, chunk: Buffer, times: number): () => number {
  let written = 0;
  const pump = () => {
    while (written < times && !socket.destroyed) {
      written++;
      if (!socket.write(chunk)) return void socket.once('drain', pump);
    }
  };
  pump();
  return () => written;
}
