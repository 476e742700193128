/**
 * A TokenCache is the file that keeps each account's tokens between runs: JSON, mode
 * 0600 in a 0700 directory, replaced atomically (written to a temporary file beside it,
 * flushed, renamed over it), so a crash mid-write leaves the old file whole. Writes from
 * one process are serialised per file. The refresh token and any client secret are
 * sealed with AES-256-GCM where a key is given (sealed.ts); the access token, short-lived,
 * is kept as it is.
 *
 * Default place: $MAILWIRE_TOKEN_CACHE, else $XDG_CONFIG_HOME/mailwire/tokens.json, else
 * ~/.config/mailwire/tokens.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readFile, rename, rm, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { OAuthError } from '@mailwire/errors';
import type { ProviderConfig } from './presets.js';
import { isSealed, open, seal, type SealedValue, type TokenKey } from './sealed.js';
import type { TokenSet } from './token-set.js';

/** One account as the caller sees it (secrets open). */
export interface Account {
  provider: ProviderConfig;
  clientId: string;
  clientSecret?: string;
  /** 'user': delegated (code or device flow, refreshed with the refresh token); 'app': the client credentials grant. */
  flow: 'user' | 'app';
  scopes: string[];
  /** The mailbox address for user= in XOAUTH2/OAUTHBEARER, where known. */
  user?: string;
  tokens: TokenSet;
}

interface StoredAccount extends Omit<Account, 'clientSecret' | 'tokens'> {
  clientSecret?: string | SealedValue;
  tokens: Omit<TokenSet, 'refreshToken'> & { refreshToken?: string | SealedValue };
}

interface CacheFile {
  version: 1;
  accounts: Record<string, StoredAccount>;
}

/** The default cache path for an environment. */
export function defaultCachePath(env: Record<string, string | undefined> = process.env): string {
  if (env['MAILWIRE_TOKEN_CACHE']) return env['MAILWIRE_TOKEN_CACHE'];
  const config = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(config, 'mailwire', 'tokens.json');
}

const queues = new Map<string, Promise<unknown>>();

export class TokenCache {
  readonly path: string;
  readonly #key: TokenKey | undefined;

  constructor(path: string, key?: TokenKey) {
    this.path = path;
    this.#key = key === '' ? undefined : key;
  }

  /** The account, or undefined when the file or the account does not exist. */
  async get(name: string): Promise<Account | undefined> {
    const stored = (await this.#read()).accounts[name];
    return stored === undefined ? undefined : this.#open(name, stored);
  }

  /** The names of the stored accounts. */
  async names(): Promise<string[]> {
    return Object.keys((await this.#read()).accounts);
  }

  /** Stores (or replaces) an account. */
  async put(name: string, account: Account): Promise<void> {
    await this.#update((file) => {
      file.accounts[name] = this.#seal(name, account);
    });
  }

  /** Removes an account; true when it was there. */
  async delete(name: string): Promise<boolean> {
    let had = false;
    await this.#update((file) => {
      had = name in file.accounts;
      delete file.accounts[name];
    });
    return had;
  }

  #seal(name: string, a: Account): StoredAccount {
    const { clientSecret, tokens, ...rest } = a;
    const { refreshToken, ...plainTokens } = tokens;
    const out: StoredAccount = { ...rest, tokens: plainTokens };
    const k = this.#key;
    if (refreshToken !== undefined) out.tokens.refreshToken = k === undefined ? refreshToken : seal(refreshToken, k, `${name}.refreshToken`);
    if (clientSecret !== undefined) out.clientSecret = k === undefined ? clientSecret : seal(clientSecret, k, `${name}.clientSecret`);
    return out;
  }

  #open(name: string, s: StoredAccount): Account {
    const { clientSecret, tokens, ...rest } = s;
    const { refreshToken, ...plainTokens } = tokens;
    const out: Account = { ...rest, tokens: { ...plainTokens } };
    if (refreshToken !== undefined) out.tokens.refreshToken = isSealed(refreshToken) ? open(refreshToken, this.#key, `${name}.refreshToken`) : refreshToken;
    if (clientSecret !== undefined) out.clientSecret = isSealed(clientSecret) ? open(clientSecret, this.#key, `${name}.clientSecret`) : clientSecret;
    return out;
  }

  async #read(): Promise<CacheFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, accounts: {} };
      throw new OAuthError('cache', `cannot read the token cache ${this.path}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OAuthError('cache', `the token cache ${this.path} is not JSON`, { hint: 'Remove it and sign in again with `mailwire login`.' });
    }
    const file = parsed as CacheFile;
    if (typeof file !== 'object' || file === null || file.version !== 1 || typeof file.accounts !== 'object' || file.accounts === null) {
      throw new OAuthError('cache', `the token cache ${this.path} is not a mailwire token cache (version 1)`);
    }
    return file;
  }

  /** Read, change, write atomically; one at a time per path within this process. */
  #update(change: (file: CacheFile) => void): Promise<void> {
    const previous = queues.get(this.path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const file = await this.#read();
      change(file);
      await writeAtomically(this.path, `${JSON.stringify(file, null, 2)}\n`);
    });
    queues.set(this.path, next);
    return next.finally(() => {
      if (queues.get(this.path) === next) queues.delete(this.path);
    });
  }
}

/** Writes `text` to `path` through a 0600 temporary file in the same directory, renamed over it. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await openFile(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw new OAuthError('cache', `cannot write the token cache ${path}: ${(error as Error).message}`);
  }
  await handle.close();
  try {
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new OAuthError('cache', `cannot write the token cache ${path}: ${(error as Error).message}`);
  }
}
