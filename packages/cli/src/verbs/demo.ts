/**
 * The demo (`npm run demo`): mailwire end to end on this machine, no network needed.
 *
 * It starts the test servers with the Office 365 personality on loopback, then
 *   1. shows the seed's XOAUTH2 vector and how the initial-response rule places a
 *      Microsoft-sized token (one line in IMAP with SASL-IR, two steps in POP3 and SMTP);
 *   2. connects ImapClient over implicit TLS (certificate verified against the test CA),
 *      authenticates with XOAUTH2, appends a message, selects INBOX and fetches it,
 *      printing the redacted wire transcript;
 *   3. shows the actionable error an expired token gives, and a token provider that is
 *      asked once for a fresh token and succeeds on the retry.
 * Returns non-zero if any step does not behave as described. `mailwire demo` runs it;
 */
import { AuthenticationError } from '@mailwire/errors';
import { ImapClient } from '@mailwire/imap';
import { Pop3Client } from '@mailwire/pop3';
import { SmtpClient } from '@mailwire/smtp';
import { SaslExchange, createClientMechanism, encodeXOAuth2 } from '@mailwire/sasl';
import { startTestServers } from '@mailwire/test-servers';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

const USER = 'test@contoso.onmicrosoft.com';
const NO_SMTP_USER = 'shared@contoso.onmicrosoft.com';
/** A stand-in for a Microsoft access token: about 1,200 characters, as theirs are. */
export const TOKEN = `EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA${'x'.repeat(1160)}`;
const EXPIRED = `EwBAexpired${'y'.repeat(1189)}`;
/** The token, and its XOAUTH2 base64 form, must appear in no transcript line. */
const SECRETS = [TOKEN.slice(0, 48), Buffer.from(`user=${USER}\x01auth=Bearer ${TOKEN}`).toString('base64').slice(0, 48)];
const leaks: string[] = [];

/** Prints a redacted transcript line (long lines shortened) and notes any that holds the token. */
function wire({ dir, line }: { dir: string; line: string }): void {
  if (SECRETS.some((s) => line.includes(s))) leaks.push(line);
  io.out(`  ${dir}: ${line.length > 110 ? `${line.slice(0, 107)}...` : line}`);
}

class DemoFailed extends Error {}
let io: CliIo;

function heading(text: string): void {
  io.out(`\n== ${text}`);
}

function check(condition: boolean, what: string): void {
  if (!condition) {
    io.err(`demo: FAILED: ${what}`);
    throw new DemoFailed(what);
  }
}

function showInitialResponseRule(): void {
  heading('SASL XOAUTH2: the seed vector and the initial-response rule');
  const vector = encodeXOAuth2(USER, 'EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA');
  io.out(`encodeXOAuth2(${USER}, EwBAAl3B...) = ${vector}`);
  check(
    vector ===
      'dXNlcj10ZXN0QGNvbnRvc28ub25taWNyb3NvZnQuY29tAWF1dGg9QmVhcmVyIEV3QkFBbDNCQUFVRkZwVUFvN0ozVmUwYmpMQldaV0NjbFJDM0VvQUEBAQ==',
    'the seed vector',
  );
  for (const [protocol, saslIr] of [['imap', true], ['imap', false], ['pop3', false], ['smtp', false]] as const) {
    const exchange = new SaslExchange({
      protocol,
      saslIr,
      mechanism: createClientMechanism('XOAUTH2', { user: USER, accessToken: TOKEN }),
    });
    const command = exchange.command();
    const form = exchange.initialResponseSent ? `one line (${command.length + 2} octets)` : 'two steps';
    io.out(`  ${protocol.padEnd(4)}${protocol === 'imap' ? (saslIr ? ' with SASL-IR   ' : ' without SASL-IR') : '                '}: ${form}: ${exchange.redactedCommand()}`);
    check(exchange.initialResponseSent === saslIr, `${protocol}${saslIr ? ' with SASL-IR' : ''}: ${saslIr ? 'one line' : 'two steps'} for a ${TOKEN.length}-character token`);
  }
}

async function steps(): Promise<void> {
  showInitialResponseRule();
  const servers = await startTestServers({
    personality: 'outlook',
    users: [
      { user: USER, tokens: [TOKEN], expiredTokens: [EXPIRED] },
      { user: NO_SMTP_USER, tokens: [TOKEN], smtpAuthDisabled: true },
    ],
  });
  try {
    const base = { host: servers.host, port: servers.imap.tlsPort, security: 'tls' as const, tls: { ca: servers.ca } };

    heading(`IMAP over TLS with XOAUTH2 against the outlook test server (127.0.0.1:${servers.imap.tlsPort})`);
    const client = new ImapClient({
      ...base,
      auth: { user: USER, accessToken: TOKEN },
      transcript: wire,
    });
    await client.connect();
    check(client.authMechanisms.has('XOAUTH2'), 'the server offers XOAUTH2');
    const message = [
      'From: Alice <alice@contoso.com>',
      `To: Test <${USER}>`,
      'Subject: Hello from mailwire',
      'Date: Mon, 23 Nov 2026 10:00:00 +0000',
      'Message-ID: <demo-1@contoso.com>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Sent with XOAUTH2, read back with XOAUTH2.',
      '',
    ].join('\r\n');
    heading(`SMTP submission with XOAUTH2, two steps (127.0.0.1:${servers.smtp.port}, STARTTLS)`);
    const smtp = new SmtpClient({
      host: servers.host, port: servers.smtp.port, security: 'starttls', tls: { ca: servers.ca },
      auth: { user: USER, accessToken: TOKEN },
      transcript: wire,
    });
    await smtp.connect();
    const sent = await smtp.send({ from: 'alice@contoso.com', to: [USER] }, message);
    await smtp.quit();
    io.out(`  accepted: ${sent.accepted.join(', ')}; server said ${sent.reply.code} ${sent.reply.text}`);
    check(sent.accepted.length === 1, 'the SMTP server accepted the message');
    heading('Back to IMAP: the message sent by SMTP, read by IMAP');
    const box = await client.select('INBOX');
    io.out(`  INBOX: ${box.exists} message(s), UIDVALIDITY ${box.uidValidity}, UIDNEXT ${box.uidNext}`);
    let seen = 0;
    for await (const m of client.fetch('1:*', ['UID', 'FLAGS', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY.PEEK[TEXT]'])) {
      seen++;
      const body = Buffer.from(m.body?.['BODY[TEXT]'] ?? new Uint8Array()).toString('utf8').trim();
      io.out(`  message ${m.seq}: uid ${m.uid}, flags ${m.flags?.join(' ')}, subject "${m.envelope?.subject}", ` +
        `${m.bodyStructure?.type}/${m.bodyStructure?.subtype}, text "${body}"`);
      check(m.envelope?.subject === 'Hello from mailwire', 'the subject read back');
    }
    check(seen === 1, 'one message fetched');
    await client.logout();

    heading(`POP3 with XOAUTH2, two steps (127.0.0.1:${servers.pop3.port}, STLS): the same message`);
    const pop3 = new Pop3Client({
      host: servers.host, port: servers.pop3.port, security: 'starttls', tls: { ca: servers.ca },
      auth: { user: USER, accessToken: TOKEN },
      transcript: wire,
    });
    await pop3.connect();
    const stat = await pop3.stat();
    const top = Buffer.from(await pop3.top(1, 0)).toString('utf8');
    await pop3.quit();
    io.out(`  STAT: ${stat.count} message(s), ${stat.size} octets; TOP 1 0 has "${top.split('\r\n').find((l) => l.startsWith('Subject:'))}"`);
    check(stat.count === 1 && top.includes('Subject: Hello from mailwire'), 'POP3 sees the message sent by SMTP');

    heading('An expired token: the error says what happened and what to do');
    const expired = new ImapClient({ ...base, auth: { user: USER, accessToken: EXPIRED }, transcript: wire });
    try {
      await expired.connect();
      check(false, 'an expired token must be refused');
    } catch (error) {
      check(error instanceof AuthenticationError, 'an AuthenticationError');
      const e = error as AuthenticationError;
      io.out(`  code ${e.code}, mechanism ${e.mechanism}, server said "${e.serverText}"`);
      io.out(`  hint: ${e.hint}`);
      check(e.hint !== undefined, 'the refusal carries a hint');
    }

    heading('SMTP AUTH disabled for the mailbox (535 5.7.139): the error names the admin step');
    const disabled = new SmtpClient({
      host: servers.host, port: servers.smtp.port, security: 'starttls', tls: { ca: servers.ca },
      auth: { user: NO_SMTP_USER, accessToken: TOKEN },
      transcript: wire,
    });
    try {
      await disabled.connect();
      check(false, 'SMTP AUTH must be refused for this mailbox');
    } catch (error) {
      check(error instanceof AuthenticationError && error.enhancedCode === '5.7.139', 'a 535 5.7.139 AuthenticationError');
      const e = error as AuthenticationError;
      io.out(`  code ${e.code}, reply ${e.replyCode} ${e.enhancedCode}`);
      io.out(`  hint: ${e.hint}`);
    }

    heading('A token provider: asked again once after the refusal, then the login succeeds');
    const handed: string[] = [];
    const provider = async (): Promise<string> => {
      const token = handed.length === 0 ? EXPIRED : TOKEN;
      handed.push(token === TOKEN ? 'fresh' : 'expired');
      return token;
    };
    const retried = new ImapClient({ ...base, auth: { user: USER, accessToken: provider } });
    await retried.connect();
    io.out(`  provider calls: ${handed.join(', ')}; connected and authenticated`);
    check(handed.join(',') === 'expired,fresh', 'exactly one retry with a fresh token');
    await retried.logout();
    check(servers.errors.length === 0, 'the test servers saw no internal errors');
  } finally {
    await servers.stop();
  }
  check(leaks.length === 0, 'no transcript line holds the token');
  io.out('\ndemo: all steps behaved as described');
}

export const DEMO_USAGE = `Usage: mailwire demo
  Starts the test servers (Office 365 personality) on loopback and shows XOAUTH2 end to end with a
  1,200-character token: IMAP one line (SASL-IR), SMTP and POP3 two steps, a message sent by SMTP and
  read back by IMAP and POP3, refused logins (expired token, SMTP AUTH disabled 5.7.139) with their
  diagnosis, a token provider retried once; every transcript redacted.
${EXIT_CODES_TEXT}`;

export async function demo(argv: readonly string[], cliIo: CliIo): Promise<number> {
  if (argv.includes('--help')) {
    cliIo.out(DEMO_USAGE);
    return EXIT.ok;
  }
  io = cliIo;
  leaks.length = 0;
  try {
    await steps();
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof DemoFailed)) io.err(`demo: FAILED: ${String(error)}`);
    return EXIT.failed;
  }
}
