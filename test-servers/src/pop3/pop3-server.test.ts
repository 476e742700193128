import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServers, type TestServers } from '../test-servers.js';
import { LineClient } from '../test-util/line-client.test-util.js';

let servers: TestServers;
const xo = (user: string, token: string) => Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');

beforeAll(async () => {
  servers = await startTestServers({
    personality: 'outlook',
    users: [{ user: 'alice@example.com', password: 'pw', tokens: ['good'], expiredTokens: ['old'] }],
  });
  const inbox = servers.store.find('alice@example.com', 'INBOX')!;
  inbox.append(Buffer.from('Subject: one\r\n\r\n.starts with a dot\r\nline 2\r\n'), [], new Date(0));
  inbox.append(Buffer.from('Subject: two\r\n\r\nbody\r\n'), [], new Date(0));
});
afterAll(async () => {
  expect(servers.errors).toEqual([]);
  await servers.stop();
});

async function loggedIn(): Promise<LineClient> {
  const c = await LineClient.open(servers.pop3.tlsPort, { ca: servers.ca, servername: 'localhost' });
  expect(await c.line()).toMatch(/^\+OK The Microsoft Exchange POP3 service is ready\./);
  expect(await c.exchange('AUTH XOAUTH2', /^/)).toBe('+ ');
  expect(await c.exchange(xo('alice@example.com', 'good'), /^/)).toBe('+OK User successfully authenticated.');
  return c;
}

describe('POP3 server (outlook personality)', () => {
  it('authenticates two-step with the seed\'s texts and refuses a bad token with them', async () => {
    const c = await LineClient.open(servers.pop3.tlsPort, { ca: servers.ca });
    await c.line();
    expect(await c.exchange('CAPA', /^\.$/)).toBe('+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN XOAUTH2\r\n.');
    await c.exchange('AUTH XOAUTH2', /^/);
    // Exchange answers a rejected token at once, without an error challenge (the seed's exchange).
    expect(await c.exchange(xo('alice@example.com', 'bad'), /^/)).toBe('-ERR Authentication failure: unknown user name or bad password.');
    c.close();
  });

  it('offers STLS on the plaintext port and refuses credentials before it', async () => {
    const c = await LineClient.open(servers.pop3.port);
    await c.line();
    expect(await c.exchange('CAPA', /^\.$/)).toBe('+OK\r\nTOP\r\nUIDL\r\nSTLS\r\nUSER\r\n.');
    expect(await c.exchange('AUTH XOAUTH2', /^/)).toBe('-ERR Authentication failure: unknown user name or bad password.');
    expect(await c.exchange('STLS', /^/)).toBe('+OK Begin TLS negotiation.');
    await c.startTls(servers.ca);
    expect(await c.exchange('USER alice@example.com', /^/)).toBe('+OK');
    expect(await c.exchange('PASS pw', /^/)).toBe('+OK User successfully logged on.');
    c.close();
  });

  it('STAT, LIST, UIDL, RETR (dot-stuffed), TOP, and deletes only at QUIT', async () => {
    const c = await loggedIn();
    expect(await c.exchange('STAT', /^/)).toBe('+OK 2 66');
    expect(await c.exchange('LIST', /^\.$/)).toBe('+OK\r\n1 44\r\n2 22\r\n.');
    expect(await c.exchange('UIDL', /^\.$/)).toBe('+OK\r\n1 1\r\n2 2\r\n.');
    expect(await c.exchange('RETR 1', /^\.$/)).toBe('+OK 44 octets\r\nSubject: one\r\n\r\n..starts with a dot\r\nline 2\r\n.');
    expect(await c.exchange('TOP 1 1', /^\.$/)).toBe('+OK\r\nSubject: one\r\n\r\n..starts with a dot\r\n.');
    expect(await c.exchange('DELE 1', /^/)).toMatch(/^\+OK/);
    expect(await c.exchange('RETR 1', /^/)).toMatch(/^-ERR/);
    expect(await c.exchange('RSET', /^/)).toBe('+OK');
    expect(await c.exchange('DELE 2', /^/)).toMatch(/^\+OK/);
    c.close(); // no QUIT: nothing is deleted
    await new Promise((r) => setImmediate(r));
    const d = await loggedIn();
    expect(await d.exchange('STAT', /^/)).toBe('+OK 2 66');
    await d.exchange('DELE 2', /^/);
    expect(await d.exchange('QUIT', /^/)).toBe('+OK Microsoft Exchange Server POP3 server signing off.');
    expect(servers.store.find('alice@example.com', 'INBOX')!.messages.length).toBe(1);
  });

  it('refuses an expired token, unknown commands, and commands in the wrong state', async () => {
    const c = await LineClient.open(servers.pop3.tlsPort, { ca: servers.ca });
    await c.line();
    expect(await c.exchange('STAT', /^/)).toBe('-ERR Protocol error. 14');
    expect(await c.exchange(`AUTH XOAUTH2 ${xo('alice@example.com', 'old')}`, /^/)).toBe('-ERR Authentication failure: unknown user name or bad password.');
    expect(await c.exchange('AUTH PLAIN', /^/)).toBe('+ ');
    expect(await c.exchange('*', /^/)).toBe('-ERR Authentication canceled.');
    expect(await c.exchange('X'.repeat(9000), /^/)).toBe('-ERR Line too long.');
    c.close();
  });

  it('ends a session whose token expired at its next command', async () => {
    const c = await loggedIn();
    servers.expireToken('good');
    await c.send('STAT\r\n');
    expect(await c.rest()).toBe('-ERR Session invalidated - AccessTokenExpired');
  });
});
