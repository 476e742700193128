/**
 * Where a verb's credentials come from: --user with one of --token-file, --token-env,
 * --token-cmd (a command that prints a token: a cache, an MSAL helper), or --account NAME
 * (a `mailwire login` account: its mailbox address and a refreshing token provider).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

import type { AccessTokenSource, ClientAuth } from '@mailwire/net';
import { accountTokenProvider, type TokenProvider } from '@mailwire/oauth';

import { CliUsageError, stringFlag, type FlagSpec, type ParsedArgs } from './args.js';
import type { CliIo } from './io.js';

export const CREDENTIAL_FLAGS: FlagSpec = {
  user: 'string',
  'token-file': 'string',
  'token-env': 'string',
  'token-cmd': 'string',
  account: 'string',
  mech: 'string',
};

export const CREDENTIAL_USAGE = `  --user ADDRESS       the mailbox (user= in XOAUTH2/OAUTHBEARER)
  --token-file FILE    read the access token from FILE
  --token-env NAME     read the access token from the environment variable NAME
  --token-cmd CMD      run CMD (sh -c) and use what it prints as the access token
  --account NAME       use a \`mailwire login\` account: its mailbox and refreshed tokens
  --mech MECH          XOAUTH2 (default where offered), OAUTHBEARER, ...
`;

export interface Credentials {
  auth: ClientAuth;
  /** The token itself, for local checks (never printed); undefined for an account until asked. */
  token: () => Promise<string>;
  source: string;
  provider?: TokenProvider;
}

/** Credentials from the flags, or undefined when none were given. */
export async function credentialsFrom(args: ParsedArgs, io: CliIo): Promise<Credentials | undefined> {
  const sources = ['token-file', 'token-env', 'token-cmd', 'account'].filter((f) => stringFlag(args, f) !== undefined);
  if (sources.length > 1) throw new CliUsageError(`give one of --token-file, --token-env, --token-cmd, --account (got ${sources.map((s) => `--${s}`).join(', ')})`);
  const mech = stringFlag(args, 'mech')?.toUpperCase();
  let user = stringFlag(args, 'user');
  const source = sources[0];
  if (source === undefined) {
    if (user !== undefined) throw new CliUsageError('--user needs a token: --token-file, --token-env, --token-cmd or --account');
    return undefined;
  }
  const value = stringFlag(args, source)!;
  let accessToken: AccessTokenSource;
  let token: () => Promise<string>;
  let provider: TokenProvider | undefined;
  if (source === 'account') {
    provider = accountTokenProvider(value, { env: io.env });
    user ??= (await provider.account()).user;
    if (user === undefined) throw new CliUsageError(`account ${value} has no mailbox address stored: give --user`);
    accessToken = provider;
    token = provider;
  } else {
    const read = await readToken(source, value, io);
    accessToken = read;
    token = async () => read;
  }
  if (user === undefined) throw new CliUsageError(`--${source} needs --user ADDRESS`);
  const auth: ClientAuth = { user, accessToken, mechanism: mech ?? 'XOAUTH2' };
  return { auth, token, source: `--${source} ${source === 'token-cmd' ? '(command)' : value}`, ...(provider ? { provider } : {}) };
}

async function readToken(source: string, value: string, io: CliIo): Promise<string> {
  let text: string;
  if (source === 'token-file') {
    text = await readFile(value, 'utf8').catch((e: Error) => {
      throw new CliUsageError(`cannot read --token-file ${value}: ${e.message}`);
    });
  } else if (source === 'token-env') {
    const v = io.env[value];
    if (v === undefined) throw new CliUsageError(`--token-env ${value}: the variable is not set`);
    text = v;
  } else {
    text = await new Promise<string>((resolve, reject) => {
      execFile('sh', ['-c', value], { env: io.env as NodeJS.ProcessEnv, maxBuffer: 1 << 20 }, (error, stdout) => {
        if (error) reject(new CliUsageError(`--token-cmd failed (${error.code ?? error.message}); nothing was sent to the server`));
        else resolve(stdout);
      });
    });
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token)) throw new CliUsageError(`--${source}: expected one access token, got ${token === '' ? 'nothing' : 'text with spaces or lines'}`);
  return token;
}
