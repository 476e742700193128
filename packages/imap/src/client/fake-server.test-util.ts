/**
 * A tiny line-answering IMAP server for client tests that need a behaviour no fixture
 * has (a stall, a large literal, a deflate stream): it sends a greeting, records every
 * byte the client sent (latin1), and answers each client command — literals included, with "+"
 * for synchronizing ones — through `answer` (a string to write, or nothing).
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface FakeServer {
  port: number;
  /** Everything the client sent, as latin1 text. */
  received(): string;
  close(): Promise<void>;
}

export async function fakeServer(
  greeting: string,
  answer: (line: string, socket: Socket) => string | undefined | void,
): Promise<FakeServer> {
  let received = '';
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(greeting);
    let pending = '';
    let command = '';
    let literal = 0;
    socket.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      received += text;
      pending += text;
      for (;;) {
        if (literal > 0) {
          const take = Math.min(literal, pending.length);
          command += pending.slice(0, take);
          pending = pending.slice(take);
          literal -= take;
          if (literal > 0) return;
        }
        const i = pending.indexOf('\r\n');
        if (i < 0) return;
        const line = pending.slice(0, i);
        pending = pending.slice(i + 2);
        command += line;
        const lit = /\{(\d+)(\+?)\}$/.exec(line);
        if (lit) {
          // A literal follows (RFC 9051 §4.3): read it as part of the command, never as lines.
          literal = Number(lit[1]);
          command += '\r\n';
          if (lit[2] === '') socket.write('+ go ahead\r\n');
          continue;
        }
        const whole = command;
        command = '';
        const reply = answer(whole, socket);
        if (typeof reply === 'string' && !socket.destroyed) socket.write(reply, 'latin1');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The tag of a command line. */
export const tagOf = (line: string): string => line.split(' ')[0]!;
