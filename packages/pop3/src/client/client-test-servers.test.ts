/**
 * Pop3Client against the repo's test servers (a working POP3 server over a mail store,
 * in the outlook, gmail and dovecot personalities) on loopback TCP and TLS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startTestServers } from '@mailwire/test-servers';

import { Pop3Client } from './pop3-client.js';
import type { Pop3ClientOptions } from './client-options.js';

type Servers = Awaited<ReturnType<typeof startTestServers>>;

const USER = 'alice@contoso.com';
const USERS = [{ user: USER, tokens: ['tok-1', 'tok-2'], expiredTokens: ['tok-old'], password: 'pencil' }];
const MESSAGES = ['Subject: one\r\n\r\nfirst\r\n.starts with a dot\r\n', 'Subject: two\r\n\r\nsecond\r\nline 2\r\nline 3\r\n', 'Subject: three\r\n\r\nthird\r\n'];

function inbox(servers: Servers): number {
  return servers.store.find(USER, 'INBOX')?.messages.length ?? 0;
}

function refill(servers: Servers): void {
  const box = servers.store.find(USER, 'INBOX');
  if (box) box.messages = [];
  for (const m of MESSAGES) servers.store.deliver(USER, Buffer.from(m));
}

for (const personality of ['outlook', 'gmail', 'dovecot'] as const) {
  describe(`Pop3Client against the ${personality} test server`, () => {
    let servers: Servers;
    const clients: Pop3Client[] = [];
    beforeAll(async () => {
      servers = await startTestServers({ personality, users: USERS });
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) await c.quit().catch(() => undefined);
    });
    afterAll(async () => {
      await servers.stop();
      expect(servers.errors).toEqual([]);
    });

    const client = (extra: Partial<Pop3ClientOptions> = {}): Pop3Client => {
      const c = new Pop3Client({ host: servers.host, port: servers.pop3.tlsPort, security: 'tls', tls: { ca: servers.ca }, timeoutMs: 5000, auth: { user: USER, accessToken: 'tok-1' }, ...extra });
      clients.push(c);
      return c;
    };

    it('XOAUTH2 over implicit TLS: STAT, LIST, UIDL, RETR, TOP, retrStream, NOOP', async () => {
      refill(servers);
      const c = client();
      await c.connect();
      expect(c.state).toBe('TRANSACTION');
      expect(await c.stat()).toEqual({ count: 3, size: MESSAGES.reduce((n, m) => n + m.length, 0) });
      expect(await c.list()).toEqual(MESSAGES.map((m, i) => ({ msg: i + 1, size: m.length })));
      const uids = await c.uidl();
      expect(uids.map((u) => u.msg)).toEqual([1, 2, 3]);
      expect(new Set(uids.map((u) => u.uid)).size).toBe(3);
      // One message: the single-line scan and unique-id listings.
      expect(await c.list(2)).toEqual([{ msg: 2, size: MESSAGES[1]!.length }]);
      expect(await c.uidl(3)).toEqual([uids[2]]);
      expect(Buffer.from(await c.retr(1)).toString()).toBe(MESSAGES[0]);
      expect(Buffer.from(await c.top(2, 1)).toString()).toBe('Subject: two\r\n\r\nsecond\r\n');
      const parts: Buffer[] = [];
      for await (const chunk of c.retrStream(3)) parts.push(Buffer.from(chunk));
      expect(Buffer.concat(parts).toString()).toBe(MESSAGES[2]);
      await c.noop();
    });

    it('STLS on the plaintext port, CAPA again after TLS, then the login', async () => {
      refill(servers);
      const c = client({ port: servers.pop3.port, security: 'starttls' });
      await c.connect();
      expect(c.secure).toBe(true);
      expect(c.capabilities.has('STLS')).toBe(false);
      expect(c.authMechanisms.has('XOAUTH2')).toBe(true);
      expect((await c.stat()).count).toBe(3);
    });

    it('DELE is committed by a clean QUIT, and RSET undoes marks', async () => {
      refill(servers);
      const c = client();
      await c.connect();
      await c.dele(1);
      await c.rset();
      await c.dele(2);
      expect(inbox(servers)).toBe(3);
      await c.quit();
      expect(inbox(servers)).toBe(2);
    });

    it('a connection closed without QUIT deletes nothing', async () => {
      refill(servers);
      const c = client();
      await c.connect();
      await c.dele(1);
      await c.dele(2);
      c.close();
      await expect(c.stat()).rejects.toMatchObject({ code: 'ECONNECTION' });
      const next = client();
      await next.connect();
      expect((await next.stat()).count).toBe(3);
      expect(inbox(servers)).toBe(3);
    });

    it('RETR cut mid-body by the server is ECONNECTION and deletes nothing', async () => {
      const faulty = await startTestServers({ personality, users: USERS, faults: { closeAfterBytes: 2000 } });
      try {
        faulty.store.deliver(USER, Buffer.from('Subject: small\r\n\r\nx\r\n'));
        faulty.store.deliver(USER, Buffer.from(`Subject: big\r\n\r\n${`${'y'.repeat(76)}\r\n`.repeat(200)}`));
        const cut = new Pop3Client({ host: faulty.host, port: faulty.pop3.tlsPort, security: 'tls', tls: { ca: faulty.ca }, timeoutMs: 5000, auth: { user: USER, accessToken: 'tok-1' } });
        await cut.connect();
        await cut.dele(1);
        await expect(cut.retr(2)).rejects.toMatchObject({ code: 'ECONNECTION', command: 'RETR' });
        await expect(cut.quit()).rejects.toMatchObject({ code: 'ECONNECTION' });
        expect(faulty.store.find(USER, 'INBOX')!.messages.length).toBe(2);
      } finally {
        await faulty.stop();
      }
    });

    it('a refused token is EAUTH with a hint; an expired one from a provider is asked for again', async () => {
      const refused = client({ auth: { user: USER, accessToken: 'tok-old' } });
      const err = await refused.connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', protocol: 'pop3', mechanism: expect.stringMatching(/XOAUTH2|OAUTHBEARER/) });
      const hint = { outlook: /POP\.AccessAsUser\.All/, gmail: /https:\/\/mail\.google\.com\//, dovecot: /expired or is not valid/ }[personality];
      expect((err as { hint?: string }).hint).toMatch(hint);
      const tokens = ['tok-old', 'tok-1'];
      let asked = 0;
      const retried = client({ auth: { user: USER, accessToken: async () => tokens[asked++]! } });
      await retried.connect();
      expect(asked).toBe(2);
      expect(retried.state).toBe('TRANSACTION');
    });

    it('a token expiring mid-session is ETOKENEXPIRED, and the marked deletion is not committed', async () => {
      refill(servers);
      const c = client({ auth: { user: USER, accessToken: 'tok-2' } });
      await c.connect();
      await c.dele(1);
      servers.expireToken('tok-2');
      const err = await c.stat().then(() => null, (e: unknown) => e);
      // Exchange: "Session invalidated - AccessTokenExpired"; Gmail: "Session expired, please login again."; Dovecot: "Access token expired."
      expect(err).toMatchObject({ code: 'ETOKENEXPIRED', protocol: 'pop3', command: 'STAT' });
      await expect(c.noop()).rejects.toMatchObject({ code: 'ETOKENEXPIRED' });
      expect(inbox(servers)).toBe(3);
    });

    it('many concurrent RETRs (pipelined where CAPA offers PIPELINING) each get their own message', async () => {
      refill(servers);
      const c = client();
      await c.connect();
      const bodies = await Promise.all([1, 2, 3, 1, 3].map((m) => c.retr(m)));
      expect(bodies.map((b) => Buffer.from(b).toString())).toEqual([1, 2, 3, 1, 3].map((m) => MESSAGES[m - 1]));
      expect(c.capabilities.has('PIPELINING')).toBe(personality === 'dovecot');
    });

    it('a refused password is EAUTH with the personality\'s hint', async () => {
      const err = await client({ auth: { user: USER, password: 'wrong', mechanism: 'USER' } }).connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', protocol: 'pop3', mechanism: 'USER', command: 'PASS [redacted]' });
      const hint = { outlook: /basic authentication/, gmail: /app password/, dovecot: /user name or password/ }[personality];
      expect((err as { hint?: string }).hint).toMatch(hint);
    });

    it('USER/PASS or a SASL password mechanism with a password', async () => {
      refill(servers);
      const c = client({ auth: { user: USER, password: 'pencil' } });
      await c.connect();
      expect((await c.stat()).count).toBe(3);
    });
  });
}
