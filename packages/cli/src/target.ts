/** The connection options every verb shares: a URL, --user, a token source, --ca. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { accountTokenProvider } from '@mailwire/oauth';
import type { Account } from '@mailwire/oauth';
import { ArgvError } from './args.js';
import type { ParsedArgs } from './args.js';
import { parseEndpoint } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

export const TARGET_OPTIONS = ['user', 'token-file', 'token-env', 'token-cmd', 'account', 'ca'] as const;
export const TARGET_USAGE = `  --user USER  --token-file F | --token-env VAR | --token-cmd 'COMMAND' | --account NAME  [--ca FILE (PEM)]
  (--token-cmd runs COMMAND with /bin/sh and takes what it prints as the token: plug in a token cache or an MSAL helper)`;

export interface Target {
  protocol: 'imap' | 'smtp' | 'pop3';
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  user: string;
  token: string;
  tls?: { ca: string };
}

/** What the token flags gave: nothing, or a user and a token (and the account, for its hints). */
export interface Credentials {
  user?: string;
  token?: string;
  account?: Account;
  source?: string;
}

/** A Target, or the exit code after saying what is wrong on stderr. */
export async function resolveTarget(verb: string, args: ParsedArgs, io: CliIo, allowed: readonly string[]): Promise<Target | number> {
  const endpoint = resolveEndpoint(verb, args, io, allowed);
  if (typeof endpoint === 'number') return endpoint;
  const credentials = await resolveCredentials(verb, args, io);
  if (typeof credentials === 'number') return credentials;
  const { user, token } = credentials;
  if (user === undefined || !token) {
    io.err(`mailwire ${verb}: --user and a token (--token-file, --token-env, --token-cmd or --account) are needed`);
    return EXIT.usage;
  }
  const ca = args.options.get('ca');
  return {
    protocol: endpoint.protocol,
    host: endpoint.host,
    port: endpoint.port,
    security: endpoint.security === 'tls' ? 'tls' : 'starttls',
    user,
    token,
    ...(typeof ca === 'string' ? { tls: { ca: await readFile(ca, 'utf8') } } : {}),
  };
}

/** The URL (first positional) as an Endpoint, or EXIT.usage after saying why. */
export function resolveEndpoint(verb: string, args: ParsedArgs, io: CliIo, allowed: readonly string[], options: { plaintext?: boolean } = {}): Endpoint | number {
  const text = args.positionals[0] ?? '';
  const scheme = /^([a-z0-9]+):/.exec(text)?.[1];
  if (scheme === undefined || !allowed.includes(`${scheme}:`)) {
    io.err(`mailwire ${verb}: ${scheme === undefined ? 'a URL is needed' : `${scheme}:// is not supported here`} (${allowed.map((p) => `${p}//`).join(', ')})`);
    return EXIT.usage;
  }
  try {
    return parseEndpoint(text, options);
  } catch (error) {
    if (!(error instanceof ArgvError)) throw error;
    io.err(`mailwire ${verb}: ${error.message}`);
    return EXIT.usage;
  }
}

/** The user and token from --user and one token source, or the exit code after saying what is wrong. */
export async function resolveCredentials(verb: string, args: ParsedArgs, io: CliIo): Promise<Credentials | number> {
  let user = args.options.get('user');
  let token: string | undefined;
  let account: Account | undefined;
  const tokenFile = args.options.get('token-file');
  const tokenEnv = args.options.get('token-env');
  const tokenCmd = args.options.get('token-cmd');
  const accountName = args.options.get('account');
  const sources = [tokenFile, tokenEnv, tokenCmd, accountName].filter((s) => s !== undefined).length;
  if (sources > 1) {
    io.err(`mailwire ${verb}: give one of --token-file, --token-env, --token-cmd, --account`);
    return EXIT.usage;
  }
  let source: string | undefined;
  if (typeof tokenFile === 'string') {
    source = `--token-file ${tokenFile}`;
    try {
      token = (await readFile(tokenFile, 'utf8')).trim();
    } catch (error) {
      io.err(`mailwire ${verb}: cannot read --token-file ${tokenFile}: ${(error as Error).message}`);
      return EXIT.usage;
    }
  } else if (typeof tokenEnv === 'string') {
    source = `--token-env ${tokenEnv}`;
    token = io.env[tokenEnv];
  } else if (typeof tokenCmd === 'string') {
    source = '--token-cmd';
    try {
      token = await tokenFromCommand(tokenCmd, io.env);
    } catch (error) {
      io.err(`mailwire ${verb}: --token-cmd failed: ${(error as Error).message}`);
      return EXIT.auth;
    }
  } else if (typeof accountName === 'string') {
    source = `--account ${accountName}`;
    try {
      const provider = accountTokenProvider(accountName, { env: { ...io.env } });
      account = await provider.account();
      if (typeof user !== 'string') user = account.user;
      token = await provider();
    } catch (error) {
      io.err(`mailwire ${verb}: account ${accountName}: ${(error as Error).message}`);
      return EXIT.auth;
    }
  }
  if (typeof user === 'string' && token === undefined) {
    io.err(`mailwire ${verb}: --user needs a token (--token-file, --token-env, --token-cmd or --account)`);
    return EXIT.usage;
  }
  if (token !== undefined && typeof user !== 'string') {
    io.err(`mailwire ${verb}: the token needs --user (the mailbox address)`);
    return EXIT.usage;
  }
  return {
    ...(typeof user === 'string' ? { user } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(account ? { account } : {}),
    ...(source ? { source } : {}),
  };
}

export function clientOptions(t: Target) {
  return { host: t.host, port: t.port, security: t.security, ...(t.tls ? { tls: t.tls } : {}), auth: { user: t.user, accessToken: t.token } };
}

/** Runs a token command (`/bin/sh -c`) and returns its trimmed output; its stderr passes through. */
function tokenFromCommand(command: string, env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { env: env as NodeJS.ProcessEnv, timeout: 120_000, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) reject(new Error(`the command exited with ${error.code ?? error.signal ?? 'an error'}`));
      else if (stdout.trim() === '') reject(new Error('the command printed no token'));
      else resolve(stdout.trim());
    });
  });
}
