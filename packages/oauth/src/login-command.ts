/**
 * `mailwire login`: signs in and stores the tokens for later `--account NAME` use.
 *
 *   mailwire login microsoft|google|--issuer URL --client-id ID [--device] [--account NAME]
 *                  [--tenant T] [--scope S]... [--client-secret S] [--app-only --user MAILBOX]
 *                  [--user MAILBOX] [--port N] [--cache FILE]
 *
 * Without --device, the authorization code flow with PKCE on a 127.0.0.1 redirect (the URL
 * to open is printed); with --device, the device authorization grant (the code and where
 * to enter it are printed). --app-only uses the client credentials grant (Microsoft:
 * scope https://outlook.office365.com/.default, a tenant and a client secret). Prompts go to
 * stderr, the one-line result to stdout. Exit codes: 0 signed in, 1 failed, 2 usage.
 *
 * Environment: MAILWIRE_TOKEN_KEY seals the refresh token (and client secret);
 * MAILWIRE_CLIENT_SECRET stands for --client-secret; MAILWIRE_TOKEN_CACHE for --cache.
 */
import { MailwireError } from '@mailwire/errors';
import { openServer } from './authorization-server.js';
import { deviceAuthorizationFlow } from './device-flow.js';
import { clientCredentialsToken } from './grants.js';
import { authorizationCodeFlow } from './loopback-flow.js';
import { defaultScopes, MICROSOFT_SCOPES, type ProviderConfig } from './presets.js';
import { defaultCachePath, TokenCache, type Account } from './token-cache.js';
import type { TokenSet } from './token-set.js';

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

/** Seams for tests and embedding: how to wait between device polls, the clock, cancellation. */
export interface LoginHooks {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
}

export const LOGIN_USAGE = `Usage: mailwire login microsoft|google|--issuer URL --client-id ID [--device] [--account NAME]
                      [--tenant T] [--scope S]... [--client-secret S] [--app-only] [--user MAILBOX]
                      [--port N] [--cache FILE]
`;

interface LoginArgs {
  provider: ProviderConfig;
  clientId: string;
  clientSecret?: string;
  device: boolean;
  appOnly: boolean;
  account: string;
  scopes: string[];
  user?: string;
  port: number;
  cache: string;
}

class UsageFailure extends Error {}

const VALUE_FLAGS = new Set(['--issuer', '--client-id', '--client-secret', '--account', '--tenant', '--scope', '--user', '--port', '--cache']);

/** Parses the arguments after `login`; throws UsageFailure with what is wrong. */
export function parseLoginArgs(argv: string[], env: Record<string, string | undefined>): LoginArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageFailure(`${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if (arg === '--device' || arg === '--app-only') {
      flags.add(arg);
    } else if (arg.startsWith('-')) {
      throw new UsageFailure(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const one = (name: string) => values.get(name)?.at(-1);
  const issuer = one('--issuer');
  let provider: ProviderConfig;
  if (issuer !== undefined) {
    if (positional.length > 0) throw new UsageFailure('give either a provider name or --issuer, not both');
    provider = { kind: 'issuer', issuer };
  } else if (positional.length === 1 && positional[0] === 'microsoft') {
    const tenant = one('--tenant');
    provider = tenant !== undefined ? { kind: 'microsoft', tenant } : { kind: 'microsoft' };
  } else if (positional.length === 1 && positional[0] === 'google') {
    provider = { kind: 'google' };
  } else {
    throw new UsageFailure(positional.length === 0 ? 'name a provider (microsoft, google) or --issuer URL' : `unknown provider ${positional.join(' ')}`);
  }
  if (one('--tenant') !== undefined && provider.kind !== 'microsoft') throw new UsageFailure('--tenant is for microsoft');
  const clientId = one('--client-id');
  if (clientId === undefined || clientId === '') throw new UsageFailure('--client-id is required (the application (client) ID of your app registration)');
  const appOnly = flags.has('--app-only');
  const device = flags.has('--device');
  if (appOnly && device) throw new UsageFailure('--app-only and --device do not go together: app-only needs no user');
  const clientSecret = one('--client-secret') ?? env['MAILWIRE_CLIENT_SECRET'];
  const scopes = (values.get('--scope') ?? []).flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');
  if (scopes.length === 0) {
    if (appOnly && provider.kind === 'microsoft') scopes.push(MICROSOFT_SCOPES.appOnly);
    else if (!appOnly) scopes.push(...defaultScopes(provider));
  }
  if (scopes.length === 0) throw new UsageFailure('--scope is required for this provider');
  const user = one('--user');
  if (appOnly) {
    if (clientSecret === undefined || clientSecret === '') throw new UsageFailure('--app-only needs --client-secret (or MAILWIRE_CLIENT_SECRET)');
    if (user === undefined) throw new UsageFailure('--app-only needs --user MAILBOX: the mailbox address the app opens (user= in XOAUTH2)');
    if (provider.kind === 'microsoft' && ['common', 'organizations', 'consumers', undefined].includes(provider.tenant)) {
      throw new UsageFailure('--app-only needs --tenant: your tenant ID or domain (not common/organizations/consumers)');
    }
  }
  const portText = one('--port') ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageFailure(`--port ${portText} is not a port number`);
  const account = one('--account') ?? (provider.kind === 'issuer' ? new URL(provider.issuer).hostname : provider.kind);
  return {
    provider,
    clientId,
    ...(clientSecret !== undefined && clientSecret !== '' ? { clientSecret } : {}),
    device,
    appOnly,
    account,
    scopes,
    ...(user !== undefined ? { user } : {}),
    port,
    cache: one('--cache') ?? defaultCachePath(env),
  };
}

/** Runs `mailwire login ...` (argv without the verb); resolves with the exit code. */
export async function runLoginCommand(argv: string[], io: CommandIo, hooks: LoginHooks = {}): Promise<number> {
  let args: LoginArgs;
  try {
    args = parseLoginArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageFailure)) throw error;
    io.stderr.write(`mailwire login: ${error.message}\n${LOGIN_USAGE}`);
    return 2;
  }
  const now = hooks.now ?? Date.now;
  const key = io.env['MAILWIRE_TOKEN_KEY'];
  try {
    const server = await openServer(args.provider, { clientId: args.clientId, ...(args.clientSecret !== undefined ? { clientSecret: args.clientSecret } : {}) }, hooks.signal);
    const common = { now, ...(hooks.signal ? { signal: hooks.signal } : {}) };
    let tokens: TokenSet;
    if (args.appOnly) {
      tokens = await clientCredentialsToken(server, args.scopes, common);
    } else if (args.device) {
      tokens = await deviceAuthorizationFlow(server, {
        ...common,
        scopes: args.scopes,
        ...(hooks.sleep ? { sleep: hooks.sleep } : {}),
        onUserCode: (c) => {
          io.stderr.write(`To sign in, open ${c.verificationUri} and enter the code ${c.userCode}\n`);
          if (c.verificationUriComplete !== undefined) io.stderr.write(`(or open ${c.verificationUriComplete})\n`);
          io.stderr.write(`The code is valid for ${Math.round(c.expiresIn / 60)} minutes. Waiting for the sign-in...\n`);
        },
      });
    } else {
      tokens = await authorizationCodeFlow(server, {
        ...common,
        scopes: args.scopes,
        port: args.port,
        onAuthorizationUrl: (url) => io.stderr.write(`Open this URL in a browser to sign in:\n\n  ${url}\n\nWaiting for the browser to come back to 127.0.0.1...\n`),
      });
    }
    const account: Account = {
      provider: args.provider,
      clientId: args.clientId,
      ...(args.clientSecret !== undefined ? { clientSecret: args.clientSecret } : {}),
      flow: args.appOnly ? 'app' : 'user',
      scopes: args.scopes,
      ...(args.user !== undefined ? { user: args.user } : {}),
      tokens,
    };
    await new TokenCache(args.cache, key).put(args.account, account);
    const until = tokens.expiresAt !== undefined ? `, valid until ${new Date(tokens.expiresAt).toISOString()}` : '';
    const refresh = args.appOnly ? ', renewed with the client credentials grant' : tokens.refreshToken === undefined ? ', no refresh token (ask for offline_access to get one)' : key ? ', refresh token stored encrypted' : ', refresh token stored (set MAILWIRE_TOKEN_KEY to encrypt it)';
    io.stdout.write(`Signed in: account "${args.account}" in ${args.cache}${until}${refresh}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof MailwireError)) throw error;
    io.stderr.write(`mailwire login: ${error.message}\n`);
    const hint = (error as { hint?: unknown }).hint;
    if (typeof hint === 'string') io.stderr.write(`hint: ${hint}\n`);
    return 1;
  }
}
