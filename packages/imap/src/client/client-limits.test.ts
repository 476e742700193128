import { afterEach, describe, expect, it } from 'vitest';

import { ImapClient } from './imap-client.js';
import { fakeServer, tagOf } from './fake-server.test-util.js';
import type { FakeServer } from './fake-server.test-util.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fake(answer: Parameters<typeof fakeServer>[1], greeting = '* OK [CAPABILITY IMAP4rev1] hi\r\n'): Promise<FakeServer> {
  const s = await fakeServer(greeting, answer);
  cleanups.push(() => s.close());
  return s;
}

async function client(s: FakeServer, extra: Partial<ConstructorParameters<typeof ImapClient>[0]> = {}): Promise<ImapClient> {
  const c = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', ...extra });
  await c.connect();
  return c;
}

describe('ImapClient limits', () => {
  it('a server flooding one command past limits.maxResponsesPerCommand gets EPROTOCOL and a closed connection', async () => {
    const s = await fake((line) => {
      const tag = tagOf(line);
      if (line.includes('SEARCH')) return `${'* SEARCH 1 2 3\r\n'.repeat(40)}${tag} OK done\r\n`;
      return `${tag} OK done\r\n`;
    });
    const c = await client(s, { limits: { maxResponsesPerCommand: 100 } });
    await expect(c.search({})).rejects.toMatchObject({ code: 'EPROTOCOL' });
    await expect(c.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });

  it('search returns a result of hundreds of thousands of numbers (no spread into push)', async () => {
    const count = 300_000;
    const s = await fake((line) => {
      const tag = tagOf(line);
      if (line.includes('SEARCH')) return `* SEARCH${' 7'.repeat(count)}\r\n${tag} OK done\r\n`;
      return `${tag} OK done\r\n`;
    });
    const c = await client(s);
    expect((await c.search({})).length).toBe(count);
    await c.logout();
  });

  it('a server closing mid-literal, mid-IDLE, mid-AUTHENTICATE or with commands pending fails each with ECONNECTION', async () => {
    const s = await fake((line, socket) => {
      const tag = tagOf(line);
      if (line.includes('FETCH 1 ')) {
        socket.end(`* 1 FETCH (BODY[] {100000}\r\n${'x'.repeat(1000)}`);
        return undefined;
      }
      if (line.includes('FETCH 2 ')) {
        socket.end(`* 2 FETCH (FLAGS () BODY[] {10}\r\n12345`);
        return undefined;
      }
      if (line.endsWith(' IDLE')) {
        socket.end('+ idling\r\n');
        return undefined;
      }
      if (line.endsWith(' AUTHENTICATE PLAIN')) {
        socket.end('+ \r\n');
        return undefined;
      }
      if (line.endsWith(' NOOP')) return undefined;
      if (line.includes(' CREATE ')) {
        socket.end();
        return undefined;
      }
      return `${tag} OK done\r\n`;
    }, '* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] hi\r\n');
    const drainAll = async (it: AsyncIterable<unknown>) => {
      for await (const x of it) void x;
    };
    await expect(drainAll((await client(s)).fetchBodyStream('1'))).rejects.toMatchObject({ code: 'ECONNECTION' });
    await expect(drainAll((await client(s)).fetch('2', ['FLAGS', 'BODY.PEEK[]']))).rejects.toMatchObject({ code: 'ECONNECTION' });
    const idler = await client(s);
    await expect(idler.idle({ signal: new AbortController().signal, onUpdate: () => undefined })).rejects.toMatchObject({ code: 'ECONNECTION' });
    const auth = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, auth: { user: 'u', password: 'p' } });
    await expect(auth.connect()).rejects.toMatchObject({ code: 'ECONNECTION' });
    const busy = await client(s);
    const pending = [busy.noop(), busy.noop(), busy.create('x')];
    for (const p of pending) await expect(p).rejects.toMatchObject({ code: 'ECONNECTION' });
  });

  it('mailbox.exists follows VANISHED expunges (QRESYNC) as it follows EXPUNGE', async () => {
    const s = await fake((line) => {
      const tag = tagOf(line);
      if (line.includes(' SELECT ')) return `* 10 EXISTS\r\n${tag} OK [READ-WRITE] done\r\n`;
      if (line.endsWith(' NOOP')) return `* VANISHED 3:4,9\r\n* 1 EXPUNGE\r\n${tag} OK done\r\n`;
      return `${tag} OK done\r\n`;
    });
    const c = await client(s);
    await c.select('INBOX');
    await c.noop();
    expect(c.mailbox?.exists).toBe(6);
    await c.logout();
  });

  it('fetchBody() holds no more than limits.maxLiteralBytes: EPROTOCOL and a closed connection, without waiting for the rest', async () => {
    const s = await fake((line, socket) => {
      const tag = tagOf(line);
      if (!line.includes('FETCH')) return `${tag} OK\r\n`;
      socket.write(`* 1 FETCH (BODY[] {${2 ** 40}}\r\n${'q'.repeat(500_000)}`); // and never the rest
      return undefined;
    });
    const c = await client(s, { limits: { maxLiteralBytes: 200_000 } });
    await expect(c.fetchBody('1')).rejects.toMatchObject({ code: 'EPROTOCOL' });
    await expect(c.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });
  it('fetchBody() keeps at most twice the body alive: a small body that came inside a large read is copied out of it', async () => {
    const s = await fake((line) => {
      const tag = tagOf(line);
      if (!line.includes('FETCH')) return `${tag} OK\r\n`;
      // one write: the body, then 60,000 bytes of other responses in the same read
      return `* 1 FETCH (BODY[] {5}\r\nhello)\r\n* OK ${'p'.repeat(60_000)}\r\n${tag} OK done\r\n`;
    });
    const c = await client(s);
    const body = await c.fetchBody('1');
    expect(Buffer.from(body).toString('latin1')).toBe('hello');
    expect(body.buffer.byteLength).toBeLessThan(60_000); // not the read buffer (a small copy may sit in Node's 8 KiB pool)
    const whole = await c.fetchBody('1');
    expect(Buffer.isBuffer(whole)).toBe(true);
    await c.logout();
  });

  it('a body literal announced past limits.maxLiteralBytes fails at the announcement, with no byte of it sent (fetchBody and fetch)', async () => {
    const s = await fake((line, socket) => {
      const tag = tagOf(line);
      if (!line.includes('FETCH')) return `${tag} OK\r\n`;
      socket.write(`* 1 FETCH (BODY[] {${2 ** 40}}\r\n`); // the announcement only: waiting would hang
      return undefined;
    });
    // No progress timeout: only the announcement can end these calls.
    const one = await client(s, { timeoutMs: 0, limits: { maxLiteralBytes: 200_000 } });
    await expect(one.fetchBody('1')).rejects.toMatchObject({ code: 'EPROTOCOL' });
    const two = await client(s, { timeoutMs: 0, limits: { maxLiteralBytes: 200_000 } });
    const drain = async () => { for await (const _ of two.fetch('1', ['BODY.PEEK[]'])) void _; };
    await expect(drain()).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });
});
