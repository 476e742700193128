/**
 * The device authorization grant (RFC 8628): ask for a device code (§3.1), show the user
 * code and the verification URI (§3.3) through `onUserCode`, then poll the token endpoint
 * (§3.4) every `interval` seconds (5 when the server names none, §3.5) until the user has
 * signed in. `authorization_pending` means poll again; `slow_down` adds 5 seconds to the
 * interval for this and every later poll (§3.5); `access_denied` and `expired_token` end
 * the flow with an OAuthError, as does the device code's own `expires_in` running out.
 */
import { OAuthError } from '@mailwire/errors';
import * as oauth from 'oauth4webapi';
import type { OAuthServer } from './authorization-server.js';
import { toOAuthError } from './oauth-errors.js';
import { tokenSetFrom, type TokenSet } from './token-set.js';

export interface UserCode {
  userCode: string;
  verificationUri: string;
  /** The URI with the code already in it, where the server gives one (§3.3.1). */
  verificationUriComplete?: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
  /** The server's own message (Entra ID sends one), if any. */
  message?: string;
}

export interface DeviceFlowOptions {
  scopes: string[];
  /** Called once with what the user must see: the code and where to enter it. */
  onUserCode(code: UserCode): void;
  /** Waits between polls; default a timer. Tests pass one that waits for an event. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
}

/** RFC 8628 §3.5: the default polling interval, and what slow_down adds. */
export const DEFAULT_INTERVAL_SECONDS = 5;
export const SLOW_DOWN_SECONDS = 5;

/** Runs the flow to the end: resolves with the tokens, rejects with OAuthError. */
export async function deviceAuthorizationFlow(server: OAuthServer, options: DeviceFlowOptions): Promise<TokenSet> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? timerSleep;
  const signal = options.signal;
  const scope = options.scopes.join(' ');
  const http = { ...server.http, ...(signal ? { signal } : {}) };
  if (server.as.device_authorization_endpoint === undefined) {
    throw new OAuthError('device-authorization', 'the authorization server offers no device authorization endpoint (RFC 8628)', { hint: 'Use the browser flow instead (leave out --device).' });
  }
  let device: oauth.DeviceAuthorizationResponse;
  try {
    const response = await oauth.deviceAuthorizationRequest(server.as, server.client, server.clientAuth, { scope }, http);
    device = await oauth.processDeviceAuthorizationResponse(server.as, server.client, response);
  } catch (error) {
    throw toOAuthError('device-authorization', error, 'asking for a device code');
  }
  const code: UserCode = { userCode: device.user_code, verificationUri: device.verification_uri, expiresIn: device.expires_in };
  if (typeof device.verification_uri_complete === 'string') code.verificationUriComplete = device.verification_uri_complete;
  if (typeof device['message'] === 'string') code.message = device['message'];
  options.onUserCode(code);

  const deadline = now() + device.expires_in * 1000;
  let interval = typeof device.interval === 'number' && device.interval > 0 ? device.interval : DEFAULT_INTERVAL_SECONDS;
  for (;;) {
    if (signal?.aborted) throw new OAuthError('device-poll', 'the sign-in was aborted');
    await sleep(interval * 1000, signal);
    if (now() >= deadline) {
      throw new OAuthError('device-poll', 'the device code expired before the sign-in was completed', { oauthCode: 'expired_token', hint: 'Run the command again and finish the sign-in sooner.' });
    }
    try {
      const response = await oauth.deviceCodeGrantRequest(server.as, server.client, server.clientAuth, device.device_code, http);
      const result = await oauth.processDeviceCodeResponse(server.as, server.client, response);
      return tokenSetFrom(result, now(), scope);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && error.error === 'authorization_pending') continue;
      if (error instanceof oauth.ResponseBodyError && error.error === 'slow_down') {
        interval += SLOW_DOWN_SECONDS;
        continue;
      }
      throw toOAuthError('device-poll', error, 'polling for the device sign-in');
    }
  }
}

function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new OAuthError('device-poll', 'the sign-in was aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OAuthError('device-poll', 'the sign-in was aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
