/**
 * @mailwire/sasl: one SASL layer for IMAP, POP3 and SMTP — client mechanisms, their
 * server-side verifiers, the exchange driver that frames them per protocol, and tokens.
 */
export type * from './types.js';
export { SaslError } from './sasl-error.js';
export type { SaslErrorCode, SaslErrorOptions } from './sasl-error.js';
export { decodeBase64Strict, encodeBase64 } from './base64.js';
export { encodeXOAuth2, decodeXOAuth2, parseXOAuth2Error, XOAuth2Client, XOAuth2Server, DEFAULT_XOAUTH2_ERROR } from './xoauth2.js';
export type { XOAuth2Error } from './xoauth2.js';
export { OAuthBearerClient, OAuthBearerServer, DEFAULT_OAUTHBEARER_ERROR } from './oauthbearer.js';
export { PlainClient, PlainServer } from './plain.js';
export { LoginClient, LoginServer } from './login.js';
export { CramMd5Client, CramMd5Server } from './cram-md5.js';
export { ScramSha256Client, ScramSha256Server } from './scram-sha-256.js';
export { createClientMechanism, chooseMechanism, TOKEN_MECHANISM_PREFERENCE, PASSWORD_MECHANISM_PREFERENCE } from './client-mechanisms.js';
export { SaslExchange } from './exchange.js';
export type { SaslExchangeOptions, SaslExchangeState, SaslFailureDetails } from './exchange.js';
export { COMMAND_LINE_LIMIT, initialResponseFits } from './initial-response.js';
export type { SaslProtocol } from './initial-response.js';
export { failureHint, appOnlyTokenHint } from './failure-hints.js';
export type { FailureFacts } from './failure-hints.js';
export { resolveToken, isTokenRejection, withFreshTokenRetry } from './token-retry.js';
export { redactSaslLine } from './sasl-error.js';
export { createServerMechanism, SASL_MECHANISMS } from './server-mechanisms.js';
export { decodeSaslResponse, serverNextFromLine } from './server-step.js';
