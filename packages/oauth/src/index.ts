/**
 * @mailwire/oauth: getting, caching and refreshing the access tokens that XOAUTH2 and
 * OAUTHBEARER need, on oauth4webapi — the authorization code flow with PKCE on a
 * loopback redirect, the device authorization grant, refresh, the client credentials
 * grant (Microsoft app-only), presets for Microsoft and Google, any issuer by discovery,
 * a token cache file and the token provider the clients take.
 */
export { openServer, isLoopbackUrl } from './authorization-server.js';
export type { OAuthServer, ClientRegistration } from './authorization-server.js';
export { authorizationCodeFlow } from './loopback-flow.js';
export type { LoopbackFlowOptions } from './loopback-flow.js';
export { deviceAuthorizationFlow, DEFAULT_INTERVAL_SECONDS, SLOW_DOWN_SECONDS } from './device-flow.js';
export type { DeviceFlowOptions, UserCode } from './device-flow.js';
export { refreshTokens, clientCredentialsToken } from './grants.js';
export type { GrantOptions } from './grants.js';
export { MICROSOFT_SCOPES, GOOGLE_SCOPES, DEFAULT_SCOPES, microsoftMetadata, googleMetadata, defaultScopes } from './presets.js';
export type { ProviderConfig, ProviderName, ServerMetadata } from './presets.js';
export { tokenSetFrom, expiresSoon } from './token-set.js';
export type { TokenSet } from './token-set.js';
export { TokenCache, defaultCachePath, writeAtomically } from './token-cache.js';
export type { Account } from './token-cache.js';
export type { TokenKey, SealedValue } from './sealed.js';
export { accountTokenProvider, DEFAULT_REFRESH_AHEAD_MS } from './token-provider.js';
export type { TokenProvider, TokenProviderOptions } from './token-provider.js';
export { runLoginCommand, parseLoginArgs, LOGIN_USAGE } from './login-command.js';
export type { CommandIo, LoginHooks } from './login-command.js';
export { oauthHint } from './oauth-errors.js';
export { accountFailureHint } from './account-hint.js';
export { OAuthError } from '@mailwire/errors';
