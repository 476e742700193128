/**
 * The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636) for a native app
 * (RFC 8252): a one-shot HTTP server on 127.0.0.1 (port 0: the OS picks) is the redirect
 * URI, the authorization URL is handed to `onAuthorizationUrl` (printed for the user to
 * open), and the browser's redirect brings the code back. `state` guards the redirect;
 * the code verifier never leaves this process except to the token endpoint.
 *
 * Steps: listen -> URL (S256 challenge, state) -> wait for GET /callback -> validate
 * (state, error) -> answer the browser -> close -> exchange the code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthError } from '@mailwire/errors';
import * as oauth from 'oauth4webapi';
import type { OAuthServer } from './authorization-server.js';
import { toOAuthError } from './oauth-errors.js';
import { tokenSetFrom, type TokenSet } from './token-set.js';

export interface LoopbackFlowOptions {
  scopes: string[];
  /** Called once with the URL the user must open in a browser. */
  onAuthorizationUrl(url: string): void;
  /** The loopback port (default 0: any free port; Entra ID and Google accept any port on a loopback redirect). */
  port?: number;
  /** The path of the redirect URI (default /callback). */
  path?: string;
  /** Extra authorization request parameters (login_hint, prompt, ...). */
  extraParams?: Record<string, string>;
  signal?: AbortSignal;
  now?: () => number;
}

const PAGE_OK = '<!doctype html><title>mailwire</title><p>Signed in. You can close this window and go back to the terminal.</p>';
const PAGE_FAILED = '<!doctype html><title>mailwire</title><p>The sign-in did not complete. Go back to the terminal for the reason.</p>';

/** Runs the flow to the end: resolves with the tokens, rejects with OAuthError. */
export async function authorizationCodeFlow(server: OAuthServer, options: LoopbackFlowOptions): Promise<TokenSet> {
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const path = options.path ?? '/callback';
  const endpoint = server.as.authorization_endpoint;
  if (endpoint === undefined) throw new OAuthError('authorization', 'the authorization server has no authorization endpoint');

  const callback = await listenForCallback(options.port ?? 0, path, options.signal);
  const redirectUri = `http://127.0.0.1:${callback.port}${path}`;
  let callbackUrl: URL;
  try {
    const url = new URL(endpoint);
    url.searchParams.set('client_id', server.client.client_id);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', options.scopes.join(' '));
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    for (const [k, v] of Object.entries(options.extraParams ?? {})) url.searchParams.set(k, v);
    options.onAuthorizationUrl(url.href);
    callbackUrl = await callback.url;
  } finally {
    await callback.close();
  }

  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(server.as, server.client, callbackUrl, state);
  } catch (error) {
    throw toOAuthError('authorization', error, 'the authorization');
  }
  try {
    const response = await oauth.authorizationCodeGrantRequest(server.as, server.client, server.clientAuth, params, redirectUri, verifier, {
      ...server.http,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const result = await oauth.processAuthorizationCodeResponse(server.as, server.client, response, { requireIdToken: false });
    return tokenSetFrom(result, (options.now ?? Date.now)(), options.scopes.join(' '));
  } catch (error) {
    throw toOAuthError('token', error, 'exchanging the authorization code');
  }
}

interface Callback {
  port: number;
  /** The full redirect URL the browser came back with. */
  url: Promise<URL>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 for the one redirect to `path`; other paths get 404. */
async function listenForCallback(port: number, path: string, signal?: AbortSignal): Promise<Callback> {
  let resolve!: (u: URL) => void;
  let reject!: (e: unknown) => void;
  const url = new Promise<URL>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let done = false;
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const got = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || got.pathname !== path || done) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    done = true;
    const ok = got.searchParams.has('code') && !got.searchParams.has('error');
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(ok ? PAGE_OK : PAGE_FAILED);
    resolve(new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}${req.url ?? '/'}`));
  });
  const onAbort = () => reject(new OAuthError('authorization', 'the sign-in was aborted'));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  await new Promise<void>((res, rej) => {
    http.once('error', (e) => rej(new OAuthError('authorization', `cannot listen on 127.0.0.1:${port} for the redirect: ${e.message}`)));
    http.listen(port, '127.0.0.1', () => res());
  });
  return {
    port: (http.address() as AddressInfo).port,
    url,
    close: () =>
      new Promise<void>((res) => {
        signal?.removeEventListener('abort', onAbort);
        http.closeAllConnections();
        http.close(() => res());
      }),
  };
}
