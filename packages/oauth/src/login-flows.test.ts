import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLoginCommand, TokenCache } from './index.js';
import { MAIL_SCOPE, PUBLIC_CLIENT, startTestAuthServer, type TestAuthServer } from './oidc-provider.test-util.js';

/** An io whose stderr resolves `waitFor(re)` once a line matches. */
function capture(env: Record<string, string | undefined>) {
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.re.exec(err);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  return {
    io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => ((err += t), check()) }, env },
    out: () => out,
    err: () => err,
    waitFor: (re: RegExp) => new Promise<RegExpExecArray>((resolve) => (waiters.push({ re, resolve }), check())),
  };
}

describe('mailwire login against oidc-provider', () => {
  let auth: TestAuthServer;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailwire-oauth-'));
    env = { MAILWIRE_TOKEN_CACHE: join(dir, 'tokens.json'), MAILWIRE_TOKEN_KEY: 'correct horse battery staple' };
  });
  afterEach(async () => {
    await auth?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs in with the authorization code flow and PKCE on a 127.0.0.1 redirect, and stores the tokens 0600 with the refresh token sealed', async () => {
    auth = await startTestAuthServer();
    const c = capture(env);
    const done = runLoginCommand(['--issuer', auth.issuer, '--client-id', PUBLIC_CLIENT, '--scope', `${MAIL_SCOPE} offline_access`, '--account', 'work', '--user', 'alice@example.com'], c.io);
    const [, url] = await c.waitFor(/^\s+(http\S+)$/m);
    const authUrl = new URL(url!);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const landing = await auth.authorizeInBrowser(url!);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toMatch(/Signed in/);
    expect(await done).toBe(0);
    expect(c.out()).toMatch(/Signed in: account "work".*refresh token stored encrypted/);

    const file = await readFile(env.MAILWIRE_TOKEN_CACHE!, 'utf8');
    expect((await stat(env.MAILWIRE_TOKEN_CACHE!)).mode & 0o777).toBe(0o600);
    const account = await new TokenCache(env.MAILWIRE_TOKEN_CACHE!, env.MAILWIRE_TOKEN_KEY).get('work');
    expect(account?.user).toBe('alice@example.com');
    expect(account?.tokens.refreshToken).toBeTypeOf('string');
    expect(file).not.toContain(account!.tokens.refreshToken!);
    expect((await auth.introspect(account!.tokens.accessToken)).active).toBe(true);
  });

  it('signs in with the device authorization grant, polling at the interval and backing off 5 s on slow_down', async () => {
    auth = await startTestAuthServer({ slowDownPolls: 1 });
    const c = capture(env);
    const sleeps: number[] = [];
    let signedIn!: Promise<Response>;
    const userCode = c.waitFor(/open (\S+) and enter the code (\S+)/);
    const done = runLoginCommand(['--issuer', auth.issuer, '--client-id', PUBLIC_CLIENT, '--device', '--scope', `${MAIL_SCOPE} offline_access`, '--account', 'tv'], c.io, {
      // Polls 1 and 2 go out before the user acts (slow_down, then pending); poll 3 waits for the sign-in.
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) {
          const [, uri, code] = await userCode;
          signedIn = auth.enterUserCode(uri!, code!);
          expect((await signedIn).status).toBe(200);
        }
      },
    });
    expect(await done).toBe(0);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[1]).toBe(sleeps[0]! + 5000);
    expect(sleeps[2]).toBe(sleeps[1]);
    expect(auth.devicePolls()).toBe(3);
    const account = await new TokenCache(env.MAILWIRE_TOKEN_CACHE!, env.MAILWIRE_TOKEN_KEY).get('tv');
    expect((await auth.introspect(account!.tokens.accessToken)).active).toBe(true);
  });

  it('says the sign-in was declined when the user aborts on the device page', async () => {
    auth = await startTestAuthServer();
    const c = capture(env);
    const userCode = c.waitFor(/open (\S+) and enter the code (\S+)/);
    let asked = 0;
    const done = runLoginCommand(['--issuer', auth.issuer, '--client-id', PUBLIC_CLIENT, '--device', '--scope', MAIL_SCOPE], c.io, {
      sleep: async () => {
        if (++asked > 1) return;
        const [, uri, code] = await userCode;
        await auth.enterUserCode(uri!, code!, 'abort');
      },
    });
    expect(await done).toBe(1);
    expect(asked).toBe(1);
    expect(c.err()).toMatch(/polling for the device sign-in failed: the authorization server said access_denied/);
    expect(c.err()).toMatch(/hint: The sign-in was declined/);
  });

  it('refuses bad arguments with the usage and exit code 2', async () => {
    auth = await startTestAuthServer();
    const c = capture(env);
    expect(await runLoginCommand(['microsoft'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--client-id is required/);
    expect(await runLoginCommand(['microsoft', '--client-id', 'x', '--app-only', '--client-secret', 's', '--user', 'a@b.c'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--app-only needs --tenant/);
    expect(await runLoginCommand(['--issuer', auth.issuer, '--client-id', 'x'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--scope is required/);
  });
});
