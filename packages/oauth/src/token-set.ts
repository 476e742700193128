/**
 * A TokenSet is what a token endpoint gave us, with `expires_in` turned into an absolute
 * time so that a cache read later knows how much life is left.
 */
import type { TokenEndpointResponse } from 'oauth4webapi';

export interface TokenSet {
  accessToken: string;
  /** Milliseconds since the epoch; undefined when the server did not say (then the token is used until refused). */
  expiresAt?: number;
  refreshToken?: string;
  /** The scopes granted, space-separated, as the server said them (or as asked when it did not). */
  scope?: string;
  tokenType: string;
}

/** The TokenSet of a token endpoint response received at `now`. */
export function tokenSetFrom(response: TokenEndpointResponse, now: number, askedScope?: string): TokenSet {
  const set: TokenSet = { accessToken: response.access_token, tokenType: response.token_type };
  if (typeof response.expires_in === 'number') set.expiresAt = now + response.expires_in * 1000;
  if (typeof response.refresh_token === 'string' && response.refresh_token !== '') set.refreshToken = response.refresh_token;
  const scope = typeof response.scope === 'string' && response.scope !== '' ? response.scope : askedScope;
  if (scope !== undefined) set.scope = scope;
  return set;
}

/** True when the access token has less than `skewMs` of life left at `now`. */
export function expiresSoon(set: TokenSet, now: number, skewMs: number): boolean {
  return set.expiresAt !== undefined && set.expiresAt - skewMs <= now;
}
