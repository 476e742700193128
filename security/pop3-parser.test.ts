/**
 * Issue 11, item 4 for POP3, through the client over a socket: EOF before the final "."
 * of every multi-line answer, multi-line data nobody asked for, and a line without CRLF
 * past the line limit. Each ends in a typed MailwireError, never a success or a hang.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { MailwireError } from '@mailwire/errors';
import { Pop3Client } from '@mailwire/pop3';

import { lineServer, pumpChunks, type LineServer } from './line-server.js';

const servers: LineServer[] = [];
const clients: Pop3Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

const CAPA = '+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n';

async function open(answer: (line: string) => string | 'close' | undefined): Promise<Pop3Client> {
  const s = await lineServer('+OK ready\r\n', (line, socket) => {
    if (line === 'CAPA') return CAPA;
    if (line.startsWith('USER ')) return '+OK\r\n';
    if (line.startsWith('PASS ')) return '+OK logged in\r\n';
    const r = answer(line);
    if (r === 'close') return void socket.destroy();
    if (r !== undefined && r.endsWith('<EOF>')) return void socket.end(r.slice(0, -5), 'latin1');
    return r ?? '+OK\r\n';
  });
  servers.push(s);
  const c = new Pop3Client({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, timeoutMs: 60_000, auth: { user: 'u', password: 'p' } });
  clients.push(c);
  await c.connect();
  return c;
}

async function failure(p: Promise<unknown>): Promise<MailwireError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'must fail').toBeInstanceOf(MailwireError);
  return err as MailwireError;
}

async function drain(it: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of it) n += c.length;
  return n;
}

describe('POP3: EOF before the final "."', () => {
  const cut = (body: string) => [body, body.slice(0, -3), body.slice(0, -5), body.slice(0, 5), body.slice(0, 1)];
  const cases: [string, (c: Pop3Client) => Promise<unknown>, string][] = [
    ['RETR', (c) => c.retr(1), '+OK 20 octets\r\nSubject: a\r\n\r\nbody\r\n.\r\n'],
    ['retrStream', (c) => drain(c.retrStream(1)), '+OK 20 octets\r\nSubject: a\r\n\r\nbody\r\n.\r\n'],
    ['TOP', (c) => c.top(1, 0), '+OK\r\nSubject: a\r\n\r\n.\r\n'],
    ['LIST', (c) => c.list(), '+OK 2 messages\r\n1 10\r\n2 20\r\n.\r\n'],
    ['UIDL', (c) => c.uidl(), '+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n'],
  ];
  for (const [name, run, whole] of cases) {
    it(`${name}: every cut of the answer before its final "." is a typed error, none a success`, async () => {
      // The whole answer works; every shorter one must not.
      const ok = await open(() => whole);
      await run(ok);
      for (const part of cut(whole).slice(1)) {
        const c = await open((line) => (/^(RETR|TOP|LIST|UIDL)\b/.test(line) ? `${part}<EOF>` : undefined));
        const err = await failure(run(c));
        expect(['ECONNLOST', 'ECONNECTION', 'EPROTOCOL']).toContain(err.code);
      }
    });
  }
});

describe('POP3: data nobody asked for', () => {
  it.each([
    ['a multi-line block after NOOP', '+OK\r\n1 10\r\n2 20\r\n.\r\n'],
    ['a message after NOOP', '+OK\r\n+OK 5 octets\r\nhello\r\n.\r\n'],
    ['a bare "." after NOOP', '+OK\r\n.\r\n'],
  ])('%s fails the next command with EPROTOCOL, never as its answer', async (_name, reply) => {
    const c = await open((line) => (line === 'NOOP' ? reply : line === 'STAT' ? '+OK 2 30\r\n' : undefined));
    const err = await failure(c.noop().then(() => c.stat()));
    expect(err.code).toBe('EPROTOCOL');
  });

  it('a multi-line body for a single-line command (DELE) is EPROTOCOL', async () => {
    const c = await open((line) => (line.startsWith('DELE') ? '+OK deleted\r\nextra\r\n.\r\n' : line === 'STAT' ? '+OK 1 1\r\n' : undefined));
    const err = await failure(c.dele(1).then(() => c.stat()));
    expect(err.code).toBe('EPROTOCOL');
  });
});

describe('POP3: a line without CRLF', () => {
  it('a 100 MB status line is refused past the line limit: the client stops reading long before the end', async () => {
    let written = () => 0;
    const s = await lineServer('+OK ready\r\n', (line, socket) => {
      if (line === 'CAPA') return CAPA;
      if (line !== 'STAT') return '+OK\r\n';
      const chunk = Buffer.alloc(1 << 20, 0x78);
      chunk.write('+OK ');
      written = pumpChunks(socket, chunk, 100);
    });
    servers.push(s);
    const c = new Pop3Client({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 60_000 });
    clients.push(c);
    await c.connect();
    const err = await failure(c.stat());
    expect(err.code).toBe('EPROTOCOL');
    expect(written()).toBeLessThan(100);
  });
});

describe('POP3: a body that never ends', () => {
  it('retr() stops at maxResponseBytes with EPROTOCOL instead of holding it all', async () => {
    let written = () => 0;
    const s = await lineServer('+OK ready\r\n', (line, socket) => {
      if (line === 'CAPA') return CAPA;
      if (line !== 'RETR 1') return '+OK\r\n';
      const chunk = Buffer.alloc(1 << 20, 0x78);
      chunk.write('+OK huge\r\n');
      chunk.write('\r\n', chunk.length - 2);
      written = pumpChunks(socket, chunk, 100);
    });
    servers.push(s);
    const c = new Pop3Client({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 60_000, maxResponseBytes: 4 << 20 });
    clients.push(c);
    await c.connect();
    const err = await failure(c.retr(1));
    expect(err.code).toBe('EPROTOCOL');
    expect(err.message).toMatch(/maxResponseBytes/);
    expect(written()).toBeLessThan(100);
  });
});
