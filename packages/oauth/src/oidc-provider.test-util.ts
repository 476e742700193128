/**
 * A real authorization server for the tests: oidc-provider on 127.0.0.1 (port 0), with
 * the device flow, PKCE (required), refresh tokens, revocation, introspection and the
 * client credentials grant; an interaction route that signs the configured account in
 * and consents (what a person does in the browser); and a `browser` that plays the
 * user's part with fetch and a cookie jar. `slowDownPolls` turns the first n
 * `authorization_pending` answers to device polls into `slow_down` (oidc-provider never
 * sends it by itself).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const PUBLIC_CLIENT = 'mailwire-cli';
export const APP_CLIENT = 'mailwire-app';
export const APP_SECRET = 'app-secret-0123456789';
export const RESOURCE_SERVER = 'mail-server';
export const RESOURCE_SECRET = 'rs-secret-0123456789';
export const MAIL_RESOURCE = 'urn:mailwire:mail';
export const MAIL_SCOPE = 'mail';

// The device pages, plain: the test reads the xsrf field of the form oidc-provider hands in.
const userCodeInputSource = async (ctx: { body?: unknown }, form: string) => {
  ctx.body = `<!doctype html><title>device</title>${form}`;
};
const successSource = async (ctx: { body?: unknown }) => {
  ctx.body = '<!doctype html><title>device</title><p>Signed in.</p>';
};

export interface TestAuthServerOptions {
  /** The account the browser signs in as. */
  accountId?: string;
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
  slowDownPolls?: number;
}

export interface TestAuthServer {
  issuer: string;
  provider: Provider;
  /** How many device code polls the token endpoint saw. */
  devicePolls(): number;
  /** Plays the browser: follows the authorization URL through sign-in and consent to the redirect. */
  authorizeInBrowser(url: string): Promise<Response>;
  /** Plays the browser on the device page: enters the user code and confirms (or aborts: the user says no). */
  enterUserCode(verificationUri: string, userCode: string, answer?: 'confirm' | 'abort'): Promise<Response>;
  /** Revokes a token of the public client at the server (RFC 7009), as a sign-out or an admin would. */
  revoke(token: string): Promise<void>;
  /** Ends an access token's life at the server, as its expiry would (the refresh token stays good; RFC 7009 revocation of an access token would end the whole grant in oidc-provider). */
  expireAccessToken(token: string): Promise<void>;
  /** RFC 7662 introspection, as the mail server does it. */
  introspect(token: string): Promise<{ active: boolean; sub?: string; scope?: string; client_id?: string }>;
  close(): Promise<void>;
}

export async function startTestAuthServer(options: TestAuthServerOptions = {}): Promise<TestAuthServer> {
  const accountId = options.accountId ?? 'alice@example.com';
  let slowDowns = options.slowDownPolls ?? 0;
  let polls = 0;
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: PUBLIC_CLIENT,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
      { client_id: APP_CLIENT, client_secret: APP_SECRET, token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: MAIL_SCOPE },
      { client_id: RESOURCE_SERVER, client_secret: RESOURCE_SECRET, token_endpoint_auth_method: 'client_secret_post', grant_types: [], response_types: [], redirect_uris: [] },
    ],
    scopes: ['openid', 'offline_access', MAIL_SCOPE],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true, userCodeInputSource, successSource },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => MAIL_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: MAIL_SCOPE, accessTokenFormat: 'opaque', audience: MAIL_RESOURCE }),
      },
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      ClientCredentials: options.accessTokenTtl ?? 3600,
      DeviceCode: 600,
      Grant: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key'] },
  });
  provider.use(async (ctx, next) => {
    await next();
    const params = (ctx as unknown as { oidc?: { params?: Record<string, unknown> } }).oidc?.params;
    if (ctx.path !== '/token' || params?.['grant_type'] !== 'urn:ietf:params:oauth:grant-type:device_code') return;
    polls++;
    const body = ctx.body as { error?: string } | undefined;
    if (slowDowns > 0 && body?.error === 'authorization_pending') {
      slowDowns--;
      ctx.body = { error: 'slow_down', error_description: 'polling too fast' };
    }
  });
  const callback = provider.callback();
  http.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) {
      callback(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const clientId = String(details.params['client_id']);
      const grant = new provider.Grant({ accountId, clientId });
      const scopes = String(details.params['scope'] ?? '').split(' ');
      grant.addOIDCScope(scopes.join(' '));
      grant.addResourceScope(MAIL_RESOURCE, scopes.filter((s) => s === MAIL_SCOPE).join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });

  const jar = new Map<string, string>();
  const browse = async (start: string, init?: RequestInit): Promise<Response> => {
    let url = start;
    let request: RequestInit | undefined = init;
    for (let hops = 0; hops < 20; hops++) {
      const headers = new Headers(request?.headers);
      if (new URL(url).origin === issuer && jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
      const res = await fetch(url, { ...request, headers, redirect: 'manual' });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name);
        else jar.set(name, value);
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) return res;
      await res.arrayBuffer();
      url = new URL(location, url).href;
      request = undefined;
    }
    throw new Error('too many redirects');
  };
  const form = (fields: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const xsrfOf = (html: string): string => {
    const m = /name="xsrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no xsrf field in the device page: ${html.slice(0, 200)}`);
    return m[1]!;
  };
  const rsPost = async (path: string, fields: Record<string, string>): Promise<Response> =>
    fetch(`${issuer}${path}`, form({ client_id: RESOURCE_SERVER, client_secret: RESOURCE_SECRET, ...fields }));

  return {
    issuer,
    provider,
    devicePolls: () => polls,
    authorizeInBrowser: (url) => browse(url),
    enterUserCode: async (verificationUri, userCode, answer = 'confirm') => {
      const page = await (await browse(verificationUri)).text();
      return browse(verificationUri, form({ xsrf: xsrfOf(page), user_code: userCode, [answer]: 'yes' }));
    },
    revoke: async (token) => {
      const res = await fetch(`${issuer}/token/revocation`, form({ client_id: PUBLIC_CLIENT, token }));
      if (res.status !== 200) throw new Error(`revocation failed: ${res.status} ${await res.text()}`);
    },
    expireAccessToken: async (token) => {
      const found = await provider.AccessToken.find(token);
      if (!found) throw new Error('no such access token');
      await found.destroy();
    },
    introspect: async (token) => {
      const res = await rsPost('/token/introspection', { token });
      return (await res.json()) as { active: boolean; sub?: string };
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** Signs `account` in through `mailwire login` with PKCE, the test playing the browser; resolves once the tokens are stored. */
export async function loginWithBrowser(auth: TestAuthServer, env: Record<string, string>, account: string, user = 'alice@example.com'): Promise<void> {
  const { runLoginCommand } = await import('./login-command.js');
  let err = '';
  let browsed: Promise<Response> | undefined;
  const code = await runLoginCommand(['--issuer', auth.issuer, '--client-id', PUBLIC_CLIENT, '--scope', `${MAIL_SCOPE} offline_access`, '--account', account, '--user', user], {
    env,
    stdout: { write: () => true },
    stderr: {
      write: (t: string) => {
        err += t;
        const m = /^\s+(http\S+)$/m.exec(t);
        if (m) browsed = auth.authorizeInBrowser(m[1]!);
        return true;
      },
    },
  });
  if (code !== 0) throw new Error(`login failed: ${err}`);
  const landing = await browsed!;
  if (landing.status !== 200) throw new Error(`the browser landed on ${landing.status}`);
}
