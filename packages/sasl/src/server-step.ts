/**
 * Small builders for SaslServerStep values, shared by every server mechanism.
 */
import type { SaslServerStep } from './types.js';
import { utf8 } from './base64.js';

export const EMPTY = new Uint8Array(0);

export function challenge(bytes: Uint8Array | string): SaslServerStep {
  return { kind: 'challenge', challenge: typeof bytes === 'string' ? utf8(bytes) : bytes };
}

export function failure(reason: string, errorChallenge?: Uint8Array): SaslServerStep {
  return errorChallenge === undefined ? { kind: 'failure', reason } : { kind: 'failure', reason, errorChallenge };
}

export function success(user: string, authzid?: string): SaslServerStep {
  return authzid === undefined || authzid === '' ? { kind: 'success', user } : { kind: 'success', user, authzid };
}

/** The stable reason for a token verdict that is not 'ok'. */
export function tokenReason(verdict: 'expired' | 'invalid'): string {
  return verdict === 'expired' ? 'token-expired' : 'token-invalid';
}
