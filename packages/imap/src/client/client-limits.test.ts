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
});
