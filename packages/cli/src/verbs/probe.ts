/**
 * `mailwire probe URL`: connect, report capabilities and SASL mechanisms, authenticate
 * with a token, and say what failed in plain words. IMAP (imap://, imaps://) for now;
 * POP3 and SMTP URLs are refused with a usage error until their paths are wired.
 */
import { readFile } from 'node:fs/promises';
import { AuthenticationError, ConnectionError, MailwireError, SecurityError } from '@mailwire/errors';
import { ImapClient } from '@mailwire/imap';
import { accountTokenProvider } from '@mailwire/oauth';
import { ArgvError, parseArgs } from '../args.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export const PROBE_USAGE = `Usage: mailwire probe URL --user USER (--token-file F | --token-env VAR | --account NAME) [--ca FILE] [--json]
  URL: imap://host[:port] (STARTTLS) or imaps://host[:port] (implicit TLS)
${EXIT_CODES_TEXT}`;

function redact(token: string): string {
  return token.length <= 8 ? '***' : `${token.slice(0, 4)}...(${token.length} chars)`;
}

export async function probe(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set(['user', 'token-file', 'token-env', 'ca', 'mech', 'account']), new Set(['json', 'help']));
  } catch (e) {
    io.err(`mailwire probe: ${(e as ArgvError).message}\n${PROBE_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) {
    io.out(PROBE_USAGE);
    return EXIT.ok;
  }
  const [raw] = args.positionals;
  let user = args.options.get('user');
  let url: URL;
  try {
    url = new URL(raw ?? '');
  } catch {
    io.err(`mailwire probe: a URL is needed\n${PROBE_USAGE}`);
    return EXIT.usage;
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') {
    io.err(`mailwire probe: ${url.protocol}// is not wired yet (imap:// and imaps:// are)`);
    return EXIT.usage;
  }
  const tokenFile = args.options.get('token-file');
  const tokenEnv = args.options.get('token-env');
  let token: string | undefined;
  if (typeof tokenFile === 'string') token = (await readFile(tokenFile, 'utf8')).trim();
  else if (typeof tokenEnv === 'string') token = io.env[tokenEnv];
  const account = args.options.get('account');
  if (typeof account === 'string') {
    try {
      const provider = accountTokenProvider(account, { env: { ...io.env } });
      if (typeof user !== 'string') user = (await provider.account()).user;
      token = await provider();
    } catch (error) {
      io.err(`mailwire probe: account ${account}: ${(error as Error).message}`);
      return EXIT.auth;
    }
  }
  if (typeof user !== 'string' || !token) {
    io.err(`mailwire probe: --user and a token are needed\n${PROBE_USAGE}`);
    return EXIT.usage;
  }
  const ca = args.options.get('ca');
  const tls = typeof ca === 'string' ? { ca: await readFile(ca, 'utf8') } : undefined;
  const implicit = url.protocol === 'imaps:';
  const report: Record<string, unknown> = {
    url: `${url.protocol}//${url.hostname}:${url.port || (implicit ? 993 : 143)}`,
    user,
    token: redact(token),
  };
  const transcript: string[] = [];
  const client = new ImapClient({
    host: url.hostname,
    port: Number(url.port || (implicit ? 993 : 143)),
    security: implicit ? 'tls' : 'starttls',
    ...(tls ? { tls } : {}),
    auth: { user, accessToken: token },
    transcript: ({ dir, line }) => transcript.push(`${dir}: ${line}`),
  });
  let code: number = EXIT.ok;
  try {
    await client.connect();
    report.ok = true;
    report.secure = client.secure;
    report.capabilities = [...client.capabilities];
    report.saslMechanisms = [...client.authMechanisms];
    await client.logout();
  } catch (error) {
    client.close();
    const e = error as MailwireError;
    report.ok = false;
    report.error = { code: e.code, message: e.message, hint: (e as { hint?: string }).hint };
    code = error instanceof AuthenticationError ? EXIT.auth
      : error instanceof ConnectionError || error instanceof SecurityError ? EXIT.connection
      : EXIT.protocol;
  }
  if (args.options.has('json')) io.out(JSON.stringify(report, null, 2));
  else {
    for (const [k, v] of Object.entries(report)) io.out(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return code;
}
