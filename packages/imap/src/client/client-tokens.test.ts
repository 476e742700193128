import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { decodeXOAuth2 } from '@mailwire/sasl';

import { ImapClient } from './imap-client.js';
import { fakeServer, tagOf } from './fake-server.test-util.js';
import type { FakeServer } from './fake-server.test-util.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const GREETING = '* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] hi\r\n';

/** A server that accepts only the tokens in `good`; `onCommand(conn, line)` may answer other commands. */
async function tokenServer(good: string[], onCommand: (conn: number, line: string, socket: Socket) => string | undefined = () => undefined) {
  const conns = new WeakMap<Socket, number>();
  let count = 0;
  const tokens: string[] = [];
  const s: FakeServer = await fakeServer(GREETING, (line, socket) => {
    if (!conns.has(socket)) conns.set(socket, ++count);
    const conn = conns.get(socket)!;
    const tag = tagOf(line);
    const auth = /^\S+ AUTHENTICATE XOAUTH2 (\S+)$/.exec(line);
    if (auth) {
      const { accessToken } = decodeXOAuth2(auth[1]!);
      tokens.push(accessToken);
      return good.includes(accessToken) ? `${tag} OK [CAPABILITY IMAP4rev1 IDLE] authenticated\r\n` : `${tag} NO [AUTHENTICATIONFAILED] AUTHENTICATE failed.\r\n`;
    }
    const custom = onCommand(conn, line, socket);
    if (custom !== undefined) return custom;
    if (line.endsWith(' LOGOUT')) return `* BYE bye\r\n${tag} OK\r\n`;
    if (/ (SELECT|EXAMINE) /.test(line)) return `* 5 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n${tag} OK [READ-WRITE] selected\r\n`;
    return `${tag} OK\r\n`;
  });
  cleanups.push(() => s.close());
  return { s, tokens, connections: () => count };
}

describe('ImapClient tokens', () => {
  it('asks a provider once more after a rejected token and retries on a new connection', async () => {
    const { s, tokens, connections } = await tokenServer(['fresh']);
    const issued = ['stale', 'fresh'];
    let asked = 0;
    const client = new ImapClient({
      host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true,
      auth: { user: 'alice@contoso.com', accessToken: async () => issued[asked++]! },
    });
    await client.connect();
    expect(tokens).toEqual(['stale', 'fresh']);
    expect(asked).toBe(2);
    expect(connections()).toBe(2);
    await client.logout();
  });

  it('retries only once: a second rejection is final (EAUTH)', async () => {
    const { s, tokens } = await tokenServer([]);
    let asked = 0;
    const client = new ImapClient({
      host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true,
      auth: { user: 'alice@contoso.com', accessToken: async () => `t${++asked}` },
    });
    await expect(client.connect()).rejects.toMatchObject({ code: 'EAUTH', responseCode: 'AUTHENTICATIONFAILED' });
    expect(tokens).toEqual(['t1', 't2']);
  });

  it('never retries a plain string token', async () => {
    const { s, tokens } = await tokenServer([]);
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, auth: { user: 'a@b.c', accessToken: 'only' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'EAUTH' });
    expect(tokens).toEqual(['only']);
  });

  it('with reconnect.onTokenExpired, reconnects after AccessTokenExpired with a fresh token and re-selects', async () => {
    let noops = 0;
    const { s, tokens, connections } = await tokenServer(['t1', 't2'], (conn, line, socket) => {
      if (conn === 1 && line.endsWith(' NOOP') && ++noops === 1) {
        socket.end('* BYE Session invalidated - AccessTokenExpired\r\n');
        return '';
      }
      return undefined;
    });
    let asked = 0;
    const client = new ImapClient({
      host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true,
      auth: { user: 'alice@contoso.com', accessToken: async () => `t${++asked}` },
      reconnect: { onTokenExpired: true },
    });
    await client.connect();
    await client.select('INBOX');
    await expect(client.noop()).rejects.toMatchObject({ code: 'ETOKENEXPIRED' });
    await client.noop();
    expect(tokens).toEqual(['t1', 't2']);
    expect(connections()).toBe(2);
    expect(client.state).toBe('selected');
    expect(client.mailbox).toMatchObject({ exists: 5, uidValidity: 7 });
    const afterReconnect = s.received().split('A1 AUTHENTICATE')[2] ?? '';
    expect(afterReconnect).toMatch(/SELECT INBOX\r\n.*NOOP\r\n/s);
    await client.logout();
  });
});
