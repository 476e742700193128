/** The connection options every verb shares: a URL, --user, a token source, --ca. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { accountTokenProvider } from '@mailwire/oauth';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { ParsedArgs } from './args.js';

export const TARGET_OPTIONS = ['user', 'token-file', 'token-env', 'token-cmd', 'account', 'ca'] as const;
export const TARGET_USAGE = `  --user USER  --token-file F | --token-env VAR | --token-cmd 'COMMAND' | --account NAME  [--ca FILE (PEM)]
  (--token-cmd runs COMMAND with /bin/sh and takes what it prints as the token: plug in a token cache or an MSAL helper)`;

const DEFAULT_PORTS: Record<string, [number, 'tls' | 'starttls']> = {
  'imap:': [143, 'starttls'], 'imaps:': [993, 'tls'],
  'smtp:': [25, 'starttls'], 'smtps:': [465, 'tls'], 'submission:': [587, 'starttls'],
  'pop3:': [110, 'starttls'], 'pop3s:': [995, 'tls'],
};

export interface Target {
  protocol: 'imap' | 'smtp' | 'pop3';
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  user: string;
  token: string;
  tls?: { ca: string };
}

/** A Target, or the exit code after saying what is wrong on stderr. */
export async function resolveTarget(verb: string, args: ParsedArgs, io: CliIo, allowed: readonly string[]): Promise<Target | number> {
  let url: URL;
  try {
    url = new URL(args.positionals[0] ?? '');
  } catch {
    io.err(`mailwire ${verb}: a URL is needed (${allowed.map((p) => `${p}//`).join(', ')})`);
    return EXIT.usage;
  }
  const port = DEFAULT_PORTS[url.protocol];
  if (!port || !allowed.includes(url.protocol)) {
    io.err(`mailwire ${verb}: ${url.protocol}// is not supported here (${allowed.map((p) => `${p}//`).join(', ')})`);
    return EXIT.usage;
  }
  let user = args.options.get('user');
  let token: string | undefined;
  const tokenFile = args.options.get('token-file');
  const tokenEnv = args.options.get('token-env');
  const tokenCmd = args.options.get('token-cmd');
  const account = args.options.get('account');
  if (typeof tokenFile === 'string') token = (await readFile(tokenFile, 'utf8')).trim();
  else if (typeof tokenEnv === 'string') token = io.env[tokenEnv];
  else if (typeof tokenCmd === 'string') {
    try {
      token = await tokenFromCommand(tokenCmd, io.env);
    } catch (error) {
      io.err(`mailwire ${verb}: --token-cmd failed: ${(error as Error).message}`);
      return EXIT.auth;
    }
  }
  else if (typeof account === 'string') {
    try {
      const provider = accountTokenProvider(account, { env: { ...io.env } });
      if (typeof user !== 'string') user = (await provider.account()).user;
      token = await provider();
    } catch (error) {
      io.err(`mailwire ${verb}: account ${account}: ${(error as Error).message}`);
      return EXIT.auth;
    }
  }
  if (typeof user !== 'string' || !token) {
    io.err(`mailwire ${verb}: --user and a token (--token-file, --token-env, --token-cmd or --account) are needed`);
    return EXIT.usage;
  }
  const ca = args.options.get('ca');
  return {
    protocol: url.protocol.startsWith('imap') ? 'imap' : url.protocol.startsWith('pop3') ? 'pop3' : 'smtp',
    host: url.hostname,
    port: Number(url.port || port[0]),
    security: port[1],
    user,
    token,
    ...(typeof ca === 'string' ? { tls: { ca: await readFile(ca, 'utf8') } } : {}),
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
