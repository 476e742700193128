/**
 * Each client quirk (quirks.ts ImapClientQuirks) turned off changes what the client does
 * with the same server behaviour; the "on" side is in client-replay.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { SESSIONS_DIR } from '../session/replay.test-util.js';
import { STRICT_QUIRKS } from '../quirks.js';
import { ImapClient } from './imap-client.js';
import { fakeServer, tagOf } from './fake-server.test-util.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function scripted(name: string): Promise<ScriptedServer> {
  const s = await startScriptedServer({ transcript: `${SESSIONS_DIR}${name}` });
  cleanups.push(() => s.close());
  return s;
}

const AUTH = { user: 'alice@contoso.com', accessToken: 'EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA', mechanism: 'XOAUTH2' as const };

describe('ImapClient quirks turned off', () => {
  it('tokenExpiredBye off: the AccessTokenExpired BYE is a plain ECONNECTION', async () => {
    const s = await scripted('exchange-token-expired.txt');
    const client = new ImapClient({ host: s.host, port: s.port, security: 'none', allowInsecureAuth: true, auth: AUTH, quirks: { tokenExpiredBye: false } });
    await client.connect();
    await client.select('INBOX');
    await expect(client.noop()).rejects.toMatchObject({ code: 'ECONNECTION' });
  });

  it('authenticatedNotConnected off: the BAD is a plain ECOMMAND', async () => {
    const s = await scripted('exchange-not-connected.txt');
    const client = new ImapClient({ host: s.host, port: s.port, security: 'none', allowInsecureAuth: true, auth: { ...AUTH, user: 'shared@contoso.com' }, quirks: { authenticatedNotConnected: false } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ECOMMAND', status: 'BAD' });
  });

  it('twoStepWithoutSaslIr off: the initial response goes on the command line without SASL-IR', async () => {
    const s = await fakeServer('* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] hi\r\n', (line) => `${tagOf(line)} OK done\r\n`);
    cleanups.push(() => s.close());
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, auth: AUTH, quirks: { twoStepWithoutSaslIr: false } });
    await client.connect();
    expect(s.received()).toMatch(/^A1 AUTHENTICATE XOAUTH2 dXNlcj1hbGljZUBjb250b3NvLmNvbQFhdXRoPUJlYXJlciBFd0JBQWwzQkFBVUZGcFVBbzdKM1ZlMGJqTEJXWldDY2xSQzNFb0FBAQE=\r\n/);
    client.close();
  });
});

describe('ImapClient parseQuirks', () => {
  // Yahoo's `* SEARCH 7456 ` (fixtures/imap/quirks/yahoo-search-space.txt) over a real socket.
  async function yahooSearch(parseQuirks?: ConstructorParameters<typeof ImapClient>[0]['parseQuirks']) {
    const s = await fakeServer('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => {
      const tag = tagOf(line);
      return line.includes('SEARCH') ? `* SEARCH 7456 \r\n${tag} OK SEARCH completed\r\n` : `${tag} OK done\r\n`;
    });
    cleanups.push(() => s.close());
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', ...(parseQuirks ? { parseQuirks } : {}) });
    cleanups.push(async () => client.close());
    await client.connect();
    return client;
  }

  it('on by default: the server is read as it meant', async () => {
    const client = await yahooSearch();
    expect(await client.search({})).toEqual([7456]);
  });

  it('one turned off: that break is EPROTOCOL and the connection is closed', async () => {
    const client = await yahooSearch({ trailingSpaceInSearch: false });
    await expect(client.search({})).rejects.toMatchObject({ code: 'EPROTOCOL' });
    await expect(client.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });

  it('STRICT_QUIRKS: the same', async () => {
    const client = await yahooSearch(STRICT_QUIRKS);
    await expect(client.search({})).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });
});
