/**
 * Access tokens from a string or a provider, and the one retry a provider earns.
 *
 * A provider (an async function) is asked for a token before each attempt. When the
 * attempt fails because the server rejected the token (`isTokenRejection`), the provider
 * is asked once more — told which token was refused (`{ rejected }`) — and the attempt runs once more, on whatever the caller's attempt
 * does (normally a new connection). Never a loop: a second rejection is final. A plain
 * string token is never retried: asking again would give the same string.
 */
import { AuthenticationError } from '@mailwire/errors';
import type { TokenRequest, TokenSource } from './types.js';
import { oauthErrorSaysTokenRejected } from './failure-hints.js';
import { SaslError } from './sasl-error.js';

const OAUTH = new Set(['XOAUTH2', 'OAUTHBEARER']);

/** Resolves a token source to a string; throws SaslError ESASLINPUT when a provider gives no string. */
export async function resolveToken(source: TokenSource, request?: TokenRequest): Promise<string> {
  const token = typeof source === 'function' ? await (request === undefined ? source() : source(request)) : source;
  if (typeof token !== 'string' || token === '') {
    throw new SaslError('ESASLINPUT', 'the access token provider returned no token', { reason: 'missing-token' });
  }
  return token;
}

/**
 * True when the failure says the token expired or was rejected: the JSON challenge
 * said 401/invalid_token; or, for XOAUTH2/OAUTHBEARER, IMAP NO with AUTHENTICATIONFAILED
 * (or no response code), POP3 -ERR, SMTP 535 other than 5.7.139 (SMTP AUTH disabled);
 * and ETOKENEXPIRED always. Plaintext refusals and temporary failures are not.
 */
export function isTokenRejection(error: AuthenticationError): boolean {
  if (error.code === 'ETOKENEXPIRED') return true;
  if (error.code !== 'EAUTH') return false;
  if (oauthErrorSaysTokenRejected(error.oauthError)) return true;
  if (error.mechanism === undefined || !OAUTH.has(error.mechanism.toUpperCase())) return false;
  const text = error.serverText ?? '';
  if (/plaintext|PRIVACYREQUIRED|UNAVAILABLE|SYS\/TEMP|IN-USE|temporar/i.test(text)) return false;
  switch (error.protocol) {
    case 'imap':
      return error.responseCode === undefined || error.responseCode === 'AUTHENTICATIONFAILED' || error.responseCode === 'EXPIRED';
    case 'pop3':
      return true;
    case 'smtp':
      return error.replyCode === 535 && error.enhancedCode !== '5.7.139';
    default:
      return false;
  }
}

/**
 * Runs `attempt` with a token from `source`; when a provider's token is rejected, asks
 * the provider once more and runs `attempt` once more. Any other failure, a second
 * rejection, or a rejection of a plain string token is thrown as it is.
 */
export async function withFreshTokenRetry<T>(source: TokenSource, attempt: (token: string) => Promise<T>): Promise<T> {
  const first = await resolveToken(source);
  if (typeof source === 'string') return attempt(first);
  try {
    return await attempt(first);
  } catch (error) {
    if (!(error instanceof AuthenticationError) || !isTokenRejection(error)) throw error;
    return attempt(await resolveToken(source, { rejected: first }));
  }
}
