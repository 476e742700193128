/**
 * A token provider for the clients (`auth.accessToken`): an async function that gives the
 * account's access token from the cache, and renews it first — with the refresh token,
 * or for an app-only account with the client credentials grant — when it has less than
 * `refreshAheadMs` of life left, or when the client says the server just refused it
 * (`{ rejected }`, packages/sasl token-retry.ts: the clients ask once more after a
 * rejection, never in a loop). Renewed tokens are written back to the cache. Calls run one
 * at a time, so concurrent callers share one renewal.
 */
import { OAuthError } from '@mailwire/errors';
import type { TokenRequest } from '@mailwire/sasl';
import { openServer } from './authorization-server.js';
import { clientCredentialsToken, refreshTokens } from './grants.js';
import { defaultCachePath, TokenCache, type Account } from './token-cache.js';
import type { TokenKey } from './sealed.js';
import { expiresSoon } from './token-set.js';

/** Renew when less than this is left (two minutes). */
export const DEFAULT_REFRESH_AHEAD_MS = 120_000;

export interface TokenProviderOptions {
  /** The cache file (default defaultCachePath(env)). */
  cachePath?: string;
  /** The key sealing the refresh token (default env MAILWIRE_TOKEN_KEY). */
  key?: TokenKey;
  env?: Record<string, string | undefined>;
  refreshAheadMs?: number;
  now?: () => number;
  signal?: AbortSignal;
  /** Learns each renewal (for logs and tests); never given a token. */
  onRenewed?: (event: { account: string; reason: 'expiring' | 'rejected'; expiresAt?: number }) => void;
}

export type TokenProvider = ((request?: TokenRequest) => Promise<string>) & {
  /** The account's stored details (the mailbox address for user=, the flow), read fresh from the cache. */
  account(): Promise<Account>;
};

/** The provider for a stored account; OAuthError step 'cache' when there is no such account. */
export function accountTokenProvider(name: string, options: TokenProviderOptions = {}): TokenProvider {
  const env = options.env ?? process.env;
  const key = options.key ?? env['MAILWIRE_TOKEN_KEY'];
  const cache = new TokenCache(options.cachePath ?? defaultCachePath(env), key);
  const now = options.now ?? Date.now;
  const ahead = options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS;
  // One call at a time: a second caller waits, then reads what the first one stored.
  let queue: Promise<unknown> = Promise.resolve();

  const load = async (): Promise<Account> => {
    const account = await cache.get(name);
    if (account === undefined) {
      throw new OAuthError('cache', `no stored account named ${JSON.stringify(name)} in ${cache.path}`, { hint: `Sign in first: mailwire login microsoft|google|--issuer URL --client-id ID --account ${name}` });
    }
    return account;
  };

  const renew = async (account: Account, reason: 'expiring' | 'rejected'): Promise<string> => {
    const server = await openServer(account.provider, { clientId: account.clientId, ...(account.clientSecret !== undefined ? { clientSecret: account.clientSecret } : {}) }, options.signal);
    const grantOptions = { now, ...(options.signal ? { signal: options.signal } : {}) };
    let tokens;
    if (account.flow === 'app') {
      tokens = await clientCredentialsToken(server, account.scopes, grantOptions);
    } else {
      const refreshToken = account.tokens.refreshToken;
      if (refreshToken === undefined) {
        throw new OAuthError('refresh', `the access token of ${JSON.stringify(name)} ${reason === 'rejected' ? 'was refused' : 'has expired'} and there is no refresh token`, {
          hint: 'Sign in again with `mailwire login`; ask for the offline_access scope (Microsoft) so a refresh token is issued.',
        });
      }
      tokens = await refreshTokens(server, refreshToken, undefined, grantOptions);
    }
    await cache.put(name, { ...account, tokens });
    options.onRenewed?.({ account: name, reason, ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}) });
    return tokens.accessToken;
  };

  const next = async (request?: TokenRequest): Promise<string> => {
    const account = await load();
    const current = account.tokens.accessToken;
    const rejected = request?.rejected !== undefined && request.rejected === current;
    if (!rejected && !expiresSoon(account.tokens, now(), ahead)) return current;
    return renew(account, rejected ? 'rejected' : 'expiring');
  };
  const provider = ((request?: TokenRequest): Promise<string> => {
    const run = queue.then(() => next(request));
    queue = run.catch(() => undefined);
    return run;
  }) as TokenProvider;
  provider.account = load;
  return provider;
}
