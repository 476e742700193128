/**
 * ImapClient against the real test servers (test-servers: a working IMAP server with a
 * store, personalities, XOAUTH2/OAUTHBEARER verification) over TLS and STARTTLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServers } from '@mailwire/test-servers';

import { ImapClient } from './imap-client.js';
import type { ImapClientOptions } from './client-options.js';

type Servers = Awaited<ReturnType<typeof startTestServers>>;

const USERS = [
  { user: 'alice@contoso.com', tokens: ['tok-1', 'tok-2', 'tok-3', 'tok-live-1', 'tok-live-2'], expiredTokens: ['tok-old'], password: 'pencil' },
];

for (const personality of ['dovecot', 'outlook', 'gmail'] as const) {
  describe(`ImapClient against the ${personality} test server`, () => {
    let servers: Servers;
    beforeAll(async () => {
      servers = await startTestServers({ personality, users: USERS });
    });
    afterAll(async () => {
      await servers.stop();
    });

    const options = (extra: Partial<ImapClientOptions> = {}): ImapClientOptions => ({
      host: servers.host,
      port: servers.imap.tlsPort,
      security: 'tls',
      tls: { ca: servers.ca },
      timeoutMs: 5000,
      auth: { user: 'alice@contoso.com', accessToken: 'tok-1' },
      ...extra,
    });

    it('logs in over implicit TLS and works a mailbox end to end', async () => {
      const client = new ImapClient(options());
      await client.connect();
      expect(client.secure).toBe(true);
      const appended = await client.append('INBOX', 'Subject: one\r\n\r\nfirst body\r\n', { flags: ['\\Seen'] });
      await client.append('INBOX', 'Subject: two\r\n\r\nsecond body\r\n');
      const info = await client.select('INBOX');
      expect(info.exists).toBeGreaterThanOrEqual(2);
      const uids: number[] = [];
      for await (const r of client.fetch('1:*', ['UID', 'FLAGS', 'ENVELOPE'])) uids.push(r.uid!);
      expect(uids.length).toBe(info.exists);
      if (appended) expect(uids).toContain(appended.uid);
      const last = uids[uids.length - 1]!;
      expect(Buffer.from(await client.fetchBody(String(last), { uid: true })).toString()).toBe('Subject: two\r\n\r\nsecond body\r\n');
      const unseen = await client.search({ seen: false }, { uid: true });
      expect(unseen).toContain(last);
      await client.store(String(last), ['\\Flagged'], { uid: true });
      expect(await client.search({ flagged: true }, { uid: true })).toEqual([last]);
      await client.create('Archive');
      await client.move(String(last), 'Archive', { uid: true });
      expect((await client.status('Archive', ['MESSAGES'])).messages).toBe(1); // the test servers do not answer STATUS HIGHESTMODSEQ yet
      expect((await client.list()).map((e) => e.name)).toEqual(expect.arrayContaining(['INBOX', 'Archive']));
      await client.logout();
    });

    it('upgrades with STARTTLS on the plain port before authenticating', async () => {
      const client = new ImapClient(options({ port: servers.imap.port, security: 'starttls', auth: { user: 'alice@contoso.com', accessToken: 'tok-2' } }));
      await client.connect();
      expect(client.secure).toBe(true);
      expect(client.state).toBe('authenticated');
      await client.logout();
    });

    it('refuses an expired token with EAUTH and a hint', async () => {
      const client = new ImapClient(options({ auth: { user: 'alice@contoso.com', accessToken: 'tok-old' } }));
      const err = await client.connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH' });
      expect((err as { hint?: string }).hint).toBeTruthy();
    });

    it('retries once with a fresh token from a provider', async () => {
      const issued = ['tok-old', 'tok-3'];
      const client = new ImapClient(options({ auth: { user: 'alice@contoso.com', accessToken: async () => issued.shift()! } }));
      await client.connect();
      expect(issued).toEqual([]);
      await client.logout();
    });

    it('ends a session whose token expired with ETOKENEXPIRED, and reconnects when asked to', async () => {
      let n = 0;
      const tokens = ['tok-live-1', 'tok-live-2'];
      const client = new ImapClient(options({
        auth: { user: 'alice@contoso.com', accessToken: async () => tokens[n++]! },
        reconnect: { onTokenExpired: true },
      }));
      await client.connect();
      await client.select('INBOX');
      servers.expireToken('tok-live-1');
      await expect(client.noop()).rejects.toMatchObject({ code: 'ETOKENEXPIRED' });
      await client.noop();
      expect(n).toBe(2);
      expect(client.state).toBe('selected');
      await client.logout();
    });
  });
}
