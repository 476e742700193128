import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountTokenProvider, OAuthError, TokenCache } from './index.js';
import { loginWithBrowser, startTestAuthServer, type TestAuthServer } from './oidc-provider.test-util.js';

describe('accountTokenProvider against oidc-provider', () => {
  let auth: TestAuthServer;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailwire-oauth-'));
    env = { MAILWIRE_TOKEN_CACHE: join(dir, 'tokens.json'), MAILWIRE_TOKEN_KEY: 'a passphrase' };
    auth = await startTestAuthServer();
    await loginWithBrowser(auth, env, 'work');
  });
  afterEach(async () => {
    await auth.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cached = async () => (await new TokenCache(env.MAILWIRE_TOKEN_CACHE!, env.MAILWIRE_TOKEN_KEY).get('work'))!;

  it('hands out the cached access token while it has life left, without asking the server', async () => {
    const stored = await cached();
    const renewals: string[] = [];
    const provider = accountTokenProvider('work', { env, onRenewed: (e) => renewals.push(e.reason) });
    expect(await provider()).toBe(stored.tokens.accessToken);
    expect(await provider()).toBe(stored.tokens.accessToken);
    expect(renewals).toEqual([]);
    expect((await provider.account()).user).toBe('alice@example.com');
  });

  it('refreshes ahead of expiry, stores the new tokens, and the new access token is live', async () => {
    const before = await cached();
    const renewals: string[] = [];
    // The clock stands one minute before expiry: inside the two-minute margin.
    const provider = accountTokenProvider('work', { env, now: () => before.tokens.expiresAt! - 60_000, onRenewed: (e) => renewals.push(e.reason) });
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a).toBe(b);
    expect(a).not.toBe(before.tokens.accessToken);
    expect(renewals).toEqual(['expiring']);
    const after = await cached();
    expect(after.tokens.accessToken).toBe(a);
    expect(after.tokens.refreshToken).toBeTypeOf('string');
    expect((await auth.introspect(a)).active).toBe(true);
  });

  it('refreshes once when told the server refused the current token, and not for a stale one', async () => {
    const before = await cached();
    const renewals: string[] = [];
    const provider = accountTokenProvider('work', { env, onRenewed: (e) => renewals.push(e.reason) });
    expect(await provider({ rejected: 'some-older-token' })).toBe(before.tokens.accessToken);
    const fresh = await provider({ rejected: before.tokens.accessToken });
    expect(fresh).not.toBe(before.tokens.accessToken);
    expect(renewals).toEqual(['rejected']);
  });

  it('says clearly that a revoked refresh token needs a new sign-in', async () => {
    const before = await cached();
    await auth.revoke(before.tokens.refreshToken!);
    const provider = accountTokenProvider('work', { env, now: () => before.tokens.expiresAt! + 1 });
    const error = await provider().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ code: 'EOAUTH', protocol: 'oauth', step: 'refresh', oauthCode: 'invalid_grant' });
    expect((error as OAuthError).message).toMatch(/refresh token was refused \(invalid_grant\): it was revoked or has expired/);
    expect((error as OAuthError).hint).toMatch(/mailwire login/);
    expect(JSON.stringify(error) + (error as Error).message).not.toContain(before.tokens.refreshToken!);
  });

  it('keeps the cache 0600, the refresh token sealed, no temporary files, and refuses a wrong key', async () => {
    const before = await cached();
    expect((await stat(env.MAILWIRE_TOKEN_CACHE!)).mode & 0o777).toBe(0o600);
    expect(await readFile(env.MAILWIRE_TOKEN_CACHE!, 'utf8')).not.toContain(before.tokens.refreshToken!);
    await accountTokenProvider('work', { env, now: () => before.tokens.expiresAt! })();
    expect(await readdir(dir)).toEqual(['tokens.json']);
    const wrong = accountTokenProvider('work', { env: { ...env, MAILWIRE_TOKEN_KEY: 'not it' }, now: () => before.tokens.expiresAt! + 120_000 });
    await expect(wrong()).rejects.toMatchObject({ code: 'EOAUTH', step: 'cache', message: expect.stringMatching(/does not open with this key/) });
    const missing = accountTokenProvider('nobody', { env });
    await expect(missing()).rejects.toMatchObject({ step: 'cache', message: expect.stringMatching(/no stored account named "nobody"/) });
    await writeFile(env.MAILWIRE_TOKEN_CACHE!, 'not json');
    await expect(accountTokenProvider('work', { env })()).rejects.toMatchObject({ step: 'cache', message: expect.stringMatching(/not JSON/) });
  });
});
