/**
 * `mailwire probe URL`: connect, report capabilities and SASL mechanisms, say which form the
 * SASL exchange takes (one line or two steps) and why, authenticate with the token, and for a
 * failure the likely cause in plain words. The token's JWT claims are read locally and checked
 * against the protocol; the token itself is never printed whole.
 */
import { ImapClient } from '@mailwire/imap';
import { Pop3Client } from '@mailwire/pop3';
import { SaslExchange, createClientMechanism } from '@mailwire/sasl';
import { SmtpClient } from '@mailwire/smtp';
import { ArgvError, parseArgs } from '../args.js';
import { exitFor } from '../errors-exit.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { claimProblems, decodeClaims } from '../jwt-claims.js';
import { TARGET_OPTIONS, TARGET_USAGE, clientOptions, resolveTarget } from '../target.js';
import type { Target } from '../target.js';

export const PROBE_USAGE = `Usage: mailwire probe URL [--json] [--transcript]
  URL: imap:// (STARTTLS), imaps://, pop3:// (STLS), pop3s://, smtp:// (STARTTLS), smtps://, submission:// (587, STARTTLS)
${TARGET_USAGE}
  --json        the report as one stable JSON object
  --transcript  the redacted exchange, with milliseconds since connecting
${EXIT_CODES_TEXT}`;

function redact(token: string): string {
  return token.length <= 8 ? '***' : `${token.slice(0, 4)}...(${token.length} chars)`;
}

/** One line or two steps, and why, for XOAUTH2 on this protocol. */
function formOf(t: Target, capabilities: ReadonlySet<string>): { form: string; why: string } {
  const saslIr = t.protocol === 'imap' && capabilities.has('SASL-IR');
  const exchange = new SaslExchange({
    protocol: t.protocol,
    saslIr,
    mechanism: createClientMechanism('XOAUTH2', { user: t.user, accessToken: t.token }),
  });
  const octets = exchange.command().length + 2;
  if (exchange.initialResponseSent) return { form: 'one-line', why: `the server offers SASL-IR and the command is ${octets} octets` };
  if (t.protocol === 'imap') return { form: 'two-step', why: 'the server does not offer SASL-IR' };
  return { form: 'two-step', why: `the one-line command would be ${octets} octets, over the ${t.protocol === 'smtp' ? '512' : '255'}-octet line limit` };
}

export async function probe(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set(TARGET_OPTIONS), new Set(['json', 'help', 'transcript']));
  } catch (e) {
    io.err(`mailwire probe: ${(e as ArgvError).message}\n${PROBE_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) {
    io.out(PROBE_USAGE);
    return EXIT.ok;
  }
  const target = await resolveTarget('probe', args, io, ['imap:', 'imaps:', 'pop3:', 'pop3s:', 'smtp:', 'smtps:', 'submission:']);
  if (typeof target === 'number') return target;
  const report: Record<string, unknown> = {
    url: `${args.positionals[0]!.split(':')[0]}://${target.host}:${target.port}`,
    user: target.user,
    token: redact(target.token),
  };
  const claims = decodeClaims(target.token);
  report.claims = claims ?? 'opaque (not a JWT): nothing to read locally';
  const problems = claims ? claimProblems(claims, target.protocol, Math.floor(Date.now() / 1000)) : [];
  if (problems.length > 0) report.claimProblems = problems;
  const started = Date.now();
  const transcript: string[] = [];
  const options = { ...clientOptions(target), transcript: ({ dir, line }: { dir: string; line: string }) => transcript.push(`${String(Date.now() - started).padStart(5)}ms ${dir}: ${line}`) };
  const client = target.protocol === 'imap' ? new ImapClient(options) : target.protocol === 'pop3' ? new Pop3Client(options) : new SmtpClient(options);
  let code: number = EXIT.ok;
  try {
    await client.connect();
    report.ok = true;
    report.capabilities = [...client.capabilities];
    report.saslMechanisms = [...client.authMechanisms];
    Object.assign(report, formOf(target, client.capabilities));
    await (client instanceof ImapClient ? client.logout() : client.quit());
  } catch (error) {
    client.close();
    const e = error as { code?: string; message: string; hint?: string };
    report.ok = false;
    report.error = { code: e.code ?? 'ERROR', message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    code = exitFor(error);
  }
  if (args.options.has('transcript')) report.transcript = transcript;
  if (args.options.has('json')) io.out(JSON.stringify(report, null, 2));
  else {
    for (const [k, v] of Object.entries(report)) {
      if (k === 'transcript') for (const line of v as string[]) io.out(`  ${line}`);
      else io.out(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    }
  }
  return code;
}
