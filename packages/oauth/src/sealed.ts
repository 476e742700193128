/**
 * Secrets at rest: a refresh token or client secret sealed with AES-256-GCM under a key
 * the user holds (MAILWIRE_TOKEN_KEY), bound by the additional data to where it is stored
 * (account and field), so a sealed value moved to another account does not open.
 *
 * A key is 32 raw bytes, or a passphrase stretched with scrypt over a random salt kept
 * beside the sealed value. No key: the value is stored as it is (the file is still 0600).
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { OAuthError } from '@mailwire/errors';

export type TokenKey = Uint8Array | string;

export interface SealedValue {
  alg: 'A256GCM';
  /** base64: the scrypt salt, when the key is a passphrase. */
  salt?: string;
  iv: string;
  tag: string;
  data: string;
}

function keyBytes(key: TokenKey, salt: Buffer | undefined): Buffer {
  if (typeof key !== 'string') {
    if (key.length !== 32) throw new OAuthError('cache', 'a token key must be 32 bytes (AES-256) or a passphrase');
    return Buffer.from(key);
  }
  if (key === '') throw new OAuthError('cache', 'the token key passphrase is empty');
  return scryptSync(key, salt!, 32);
}

/** Seals `plain` under `key`, bound to `where`. */
export function seal(plain: string, key: TokenKey, where: string): SealedValue {
  const salt = typeof key === 'string' ? randomBytes(16) : undefined;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(key, salt), iv);
  cipher.setAAD(Buffer.from(where, 'utf8'));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    ...(salt ? { salt: salt.toString('base64') } : {}),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** True for a value shaped like a SealedValue. */
export function isSealed(v: unknown): v is SealedValue {
  return typeof v === 'object' && v !== null && (v as SealedValue).alg === 'A256GCM' && typeof (v as SealedValue).data === 'string';
}

/** Opens a sealed value; OAuthError step 'cache' when there is no key or it is the wrong one. */
export function open(sealed: SealedValue, key: TokenKey | undefined, where: string): string {
  if (key === undefined) {
    throw new OAuthError('cache', `the stored ${where} is encrypted and no key was given`, { hint: 'Set MAILWIRE_TOKEN_KEY to the key used at login.' });
  }
  try {
    const salt = sealed.salt !== undefined ? Buffer.from(sealed.salt, 'base64') : undefined;
    if (typeof key === 'string' && salt === undefined) throw new Error('sealed with a raw key');
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(key, salt), Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(where, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw new OAuthError('cache', `the stored ${where} does not open with this key`, { hint: 'MAILWIRE_TOKEN_KEY must be the key used at login; otherwise sign in again with `mailwire login`.' });
  }
}
