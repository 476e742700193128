/**
 * App-only access (the client credentials grant, Microsoft's IMAP.AccessAsApp): `mailwire
 * login --app-only` gets a token for the app itself, user= names the mailbox, and the mail
 * server opens only the mailboxes the app was granted — the test server's introspection
 * hook plays Exchange's service principal and Add-MailboxPermission. A refused app-only
 * token gets the hint that explains those steps.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError } from '@mailwire/errors';
import { ImapClient } from '@mailwire/imap';
import { startTestServers, type TestServers } from '@mailwire/test-servers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountFailureHint, accountTokenProvider, runLoginCommand, TokenCache } from './index.js';
import { APP_CLIENT, APP_SECRET, MAIL_SCOPE, startTestAuthServer, type TestAuthServer } from './oidc-provider.test-util.js';

const GRANTED = 'shared@example.com';
const OTHER = 'ceo@example.com';

describe('app-only tokens (client credentials)', () => {
  let auth: TestAuthServer;
  let servers: TestServers;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailwire-oauth-'));
    env = { MAILWIRE_TOKEN_CACHE: join(dir, 'tokens.json'), MAILWIRE_TOKEN_KEY: 'a passphrase', MAILWIRE_CLIENT_SECRET: APP_SECRET };
    auth = await startTestAuthServer();
    servers = await startTestServers({
      personality: 'outlook',
      users: [{ user: GRANTED }, { user: OTHER }],
      // The app's service principal has FullAccess on GRANTED only.
      verifyToken: async (user, token) => {
        const answer = await auth.introspect(token);
        if (!answer.active) return 'expired';
        return answer.client_id === APP_CLIENT && user === GRANTED ? 'ok' : 'invalid';
      },
    });
  });
  afterEach(async () => {
    await servers?.stop();
    await auth?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const login = async (account: string, user: string) => {
    let err = '';
    const code = await runLoginCommand(['--issuer', auth.issuer, '--client-id', APP_CLIENT, '--app-only', '--scope', MAIL_SCOPE, '--user', user, '--account', account], {
      env,
      stdout: { write: () => true },
      stderr: { write: (t: string) => (err += t) },
    });
    expect(err).toBe('');
    expect(code).toBe(0);
  };
  const imap = (user: string, account: string) =>
    new ImapClient({ host: servers.host, port: servers.imap.tlsPort, security: 'tls', tls: { ca: servers.ca }, timeoutMs: 5000, auth: { user, accessToken: accountTokenProvider(account, { env }), mechanism: 'XOAUTH2' } });

  it('opens the granted mailbox with an app-only token, stores the client secret sealed, and renews with the grant', async () => {
    await login('app', GRANTED);
    const stored = (await new TokenCache(env.MAILWIRE_TOKEN_CACHE!, env.MAILWIRE_TOKEN_KEY).get('app'))!;
    expect(stored.flow).toBe('app');
    expect(stored.tokens.refreshToken).toBeUndefined();
    expect(stored.clientSecret).toBe(APP_SECRET);
    expect(await readFile(env.MAILWIRE_TOKEN_CACHE!, 'utf8')).not.toContain(APP_SECRET);
    const client = imap(GRANTED, 'app');
    await client.connect();
    await client.select('INBOX');
    await client.logout();
    const renewed = await accountTokenProvider('app', { env, now: () => stored.tokens.expiresAt! })();
    expect(renewed).not.toBe(stored.tokens.accessToken);
    expect((await auth.introspect(renewed)).active).toBe(true);
  });

  it('explains the service principal step when a mailbox refuses the app-only token', async () => {
    await login('app', OTHER);
    const client = imap(OTHER, 'app');
    const error = await client.connect().then(() => null, (e: unknown) => e);
    client.close();
    expect(error).toBeInstanceOf(AuthenticationError);
    const account = await accountTokenProvider('app', { env }).account();
    const hint = accountFailureHint(account, error as AuthenticationError);
    expect(hint).toMatch(/New-ServicePrincipal/);
    expect(hint).toMatch(/Add-MailboxPermission -Identity ceo@example\.com/);
    expect(hint).toMatch(/IMAP\.AccessAsApp/);
  });
});
