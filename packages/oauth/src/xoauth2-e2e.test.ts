/**
 * The whole way: a token from a real authorization server (oidc-provider on loopback,
 * signed in with PKCE through `mailwire login`) opens sessions on the repo's test servers,
 * which check it by asking the same authorization server (RFC 7662 introspection) rather
 * than a fixed token table. A token the authorization server no longer knows (expired) is refused by the
 * mail server; the client asks the provider once more, the provider refreshes, and the
 * session opens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapClient } from '@mailwire/imap';
import { Pop3Client } from '@mailwire/pop3';
import { SmtpClient } from '@mailwire/smtp';
import { startTestServers, type TestServers } from '@mailwire/test-servers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenProvider, OAuthError, TokenCache } from './index.js';
import { loginWithBrowser, startTestAuthServer, type TestAuthServer } from './oidc-provider.test-util.js';

const USER = 'alice@example.com';

describe('XOAUTH2 with tokens from oidc-provider, verified by introspection', () => {
  let auth: TestAuthServer;
  let servers: TestServers;
  let dir: string;
  let env: Record<string, string>;
  const introspected: boolean[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailwire-oauth-'));
    env = { MAILWIRE_TOKEN_CACHE: join(dir, 'tokens.json'), MAILWIRE_TOKEN_KEY: 'a passphrase' };
    auth = await startTestAuthServer({ accountId: USER });
    await loginWithBrowser(auth, env, 'work', USER);
    introspected.length = 0;
    servers = await startTestServers({
      personality: 'outlook',
      users: [{ user: USER }],
      verifyToken: async (user, token) => {
        const answer = await auth.introspect(token);
        introspected.push(answer.active);
        if (!answer.active) return 'expired';
        return answer.sub === user && (answer.scope ?? '').split(' ').includes('mail') ? 'ok' : 'invalid';
      },
    });
  });
  afterEach(async () => {
    await servers?.stop();
    await auth?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const imap = (provider: ReturnType<typeof accountTokenProvider>) =>
    new ImapClient({ host: servers.host, port: servers.imap.tlsPort, security: 'tls', tls: { ca: servers.ca }, timeoutMs: 5000, auth: { user: USER, accessToken: provider, mechanism: 'XOAUTH2' } });

  it('opens an IMAP session with the token the server checked by introspection', async () => {
    const renewals: string[] = [];
    const client = imap(accountTokenProvider('work', { env, onRenewed: (e) => renewals.push(e.reason) }));
    await client.connect();
    expect((await client.select('INBOX')).exists).toBe(0);
    await client.logout();
    expect(introspected).toEqual([true]);
    expect(renewals).toEqual([]);
  });

  it('refreshes once when the mail server refuses a token the authorization server no longer knows, then opens the session', async () => {
    const before = (await new TokenCache(env.MAILWIRE_TOKEN_CACHE!, env.MAILWIRE_TOKEN_KEY).get('work'))!;
    await auth.expireAccessToken(before.tokens.accessToken);
    const renewals: string[] = [];
    const client = imap(accountTokenProvider('work', { env, onRenewed: (e) => renewals.push(e.reason) }));
    await client.connect();
    await client.select('INBOX');
    await client.logout();
    expect(introspected).toEqual([false, true]);
    expect(renewals).toEqual(['rejected']);
  });

  it('fails with a clear OAuthError when the refresh token was revoked too', async () => {
    const before = (await new TokenCache(env.MAILWIRE_TOKEN_CACHE!, env.MAILWIRE_TOKEN_KEY).get('work'))!;
    await auth.revoke(before.tokens.refreshToken!); // ends the grant: the access token goes with it
    const client = imap(accountTokenProvider('work', { env }));
    const error = await client.connect().then(() => null, (e: unknown) => e);
    client.close();
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ step: 'refresh', oauthCode: 'invalid_grant', hint: expect.stringMatching(/mailwire login/) });
    expect(introspected).toEqual([false]);
  });

  it('opens SMTP submission (STARTTLS), IMAP and POP3 (STLS) sessions with the same token: the message sent is read back by both', async () => {
    const provider = accountTokenProvider('work', { env });
    const smtp = new SmtpClient({ host: servers.host, port: servers.smtp.port, security: 'starttls', tls: { ca: servers.ca }, timeoutMs: 5000, auth: { user: USER, accessToken: provider, mechanism: 'XOAUTH2' } });
    await smtp.connect();
    const sent = await smtp.send({ from: USER, to: [USER] }, 'Subject: sent with an OAuth token\r\n\r\nhello\r\n');
    expect(sent.accepted).toEqual([USER]);
    await smtp.quit();
    const client = imap(provider);
    await client.connect();
    expect((await client.select('INBOX')).exists).toBe(1);
    await client.logout();
    const pop = new Pop3Client({ host: servers.host, port: servers.pop3.port, security: 'starttls', tls: { ca: servers.ca }, timeoutMs: 5000, auth: { user: USER, accessToken: provider, mechanism: 'XOAUTH2' } });
    await pop.connect();
    expect(await pop.stat()).toMatchObject({ count: 1 });
    expect(Buffer.from(await pop.retr(1)).toString()).toContain('Subject: sent with an OAuth token');
    await pop.quit();
    expect(introspected).toEqual([true, true, true]);
  });

  it('refuses a live token presented for another mailbox', async () => {
    const client = new ImapClient({ host: servers.host, port: servers.imap.tlsPort, security: 'tls', tls: { ca: servers.ca }, timeoutMs: 5000, auth: { user: 'bob@example.com', accessToken: accountTokenProvider('work', { env }), mechanism: 'XOAUTH2' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'EAUTH', protocol: 'imap' });
    client.close();
  });
});
