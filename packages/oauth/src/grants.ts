/**
 * The two grants that need no user: the refresh token grant (RFC 6749 §6), used to get a
 * new access token before the old one expires, and the client credentials grant (§4.4),
 * Microsoft's app-only access (scope https://outlook.office365.com/.default; the
 * mailbox is named by user= in XOAUTH2, not by the token).
 */
import { OAuthError } from '@mailwire/errors';
import * as oauth from 'oauth4webapi';
import type { OAuthServer } from './authorization-server.js';
import { toOAuthError } from './oauth-errors.js';
import { tokenSetFrom, type TokenSet } from './token-set.js';

export interface GrantOptions {
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Exchanges a refresh token for new tokens. The server may rotate the refresh token; when
 * it sends none, the old one stays in use. A revoked or expired one gives OAuthError
 * step 'refresh', oauthCode 'invalid_grant', with a hint to sign in again.
 */
export async function refreshTokens(server: OAuthServer, refreshToken: string, scopes: string[] | undefined, options: GrantOptions = {}): Promise<TokenSet> {
  const now = options.now ?? Date.now;
  try {
    const response = await oauth.refreshTokenGrantRequest(server.as, server.client, server.clientAuth, refreshToken, {
      ...server.http,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(scopes !== undefined && scopes.length > 0 ? { additionalParameters: { scope: scopes.join(' ') } } : {}),
    });
    const result = await oauth.processRefreshTokenResponse(server.as, server.client, response);
    const set = tokenSetFrom(result, now(), scopes?.join(' '));
    if (set.refreshToken === undefined) set.refreshToken = refreshToken;
    return set;
  } catch (error) {
    const e = toOAuthError('refresh', error, 'refreshing the access token');
    if (e.oauthCode === 'invalid_grant') {
      throw new OAuthError('refresh', `the refresh token was refused (invalid_grant): it was revoked or has expired${e.description ? ` — ${e.description}` : ''}`, {
        oauthCode: 'invalid_grant',
        ...(e.description !== undefined ? { description: e.description } : {}),
        ...(e.status !== undefined ? { status: e.status } : {}),
        hint: e.hint ?? 'Sign in again with `mailwire login`.',
      });
    }
    throw e;
  }
}

/** The client credentials grant: an app-only token (needs a client secret). */
export async function clientCredentialsToken(server: OAuthServer, scopes: string[], options: GrantOptions = {}): Promise<TokenSet> {
  const now = options.now ?? Date.now;
  try {
    const response = await oauth.clientCredentialsGrantRequest(server.as, server.client, server.clientAuth, { scope: scopes.join(' ') }, {
      ...server.http,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const result = await oauth.processClientCredentialsResponse(server.as, server.client, response);
    return tokenSetFrom(result, now(), scopes.join(' '));
  } catch (error) {
    throw toOAuthError('client-credentials', error, 'the client credentials grant');
  }
}
