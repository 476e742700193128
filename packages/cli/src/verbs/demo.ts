/**
 * `mailwire demo` (and `npm run demo`): mailwire end to end on this machine, no network.
 *
 * It starts the test servers with the Office 365 personality on loopback, then shows the
 * seed's flow for real:
 *   1. the seed's XOAUTH2 vector, and where the initial-response rule puts a
 *      Microsoft-sized token (one line in IMAP with SASL-IR, two steps in POP3 and SMTP);
 *   2. SMTP submission (STARTTLS, AUTH XOAUTH2 in two steps: 334, then the response)
 *      sending a message;
 *   3. IMAP over implicit TLS (AUTHENTICATE XOAUTH2 in one line with SASL-IR) reading
 *      that message back;
 *   4. failed logins with their diagnosis: an expired token, SMTP AUTH disabled (5.7.139);
 *   5. a token provider asked once more after a refusal.
 * Every exchange prints its redacted transcript; the demo checks that no transcript line
 * holds the token. Exit 1 if any step does not behave as described.
 */
import { AuthenticationError } from '@mailwire/errors';
import { ImapClient } from '@mailwire/imap';
import type { TranscriptEntry } from '@mailwire/net';
import { SaslExchange, createClientMechanism, encodeXOAuth2 } from '@mailwire/sasl';
import { SmtpClient } from '@mailwire/smtp';
import { startTestServers } from '@mailwire/test-servers';

import { CliUsageError, parseArgs } from '../args.js';
import { EXIT, EXIT_CODES_TEXT, type CliIo, type Verb } from '../io.js';
import { transcriptPrinter } from '../transcript-print.js';

export const DEMO_USER = 'test@contoso.onmicrosoft.com';
const NO_SMTP_USER = 'shared@contoso.onmicrosoft.com';
/** A stand-in for a Microsoft access token: about 1,200 characters, as theirs are. */
export const DEMO_TOKEN = `EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA${'x'.repeat(1160)}`;
const EXPIRED = `EwBAexpired${'y'.repeat(1189)}`;
const SEED_VECTOR =
  'dXNlcj10ZXN0QGNvbnRvc28ub25taWNyb3NvZnQuY29tAWF1dGg9QmVhcmVyIEV3QkFBbDNCQUFVRkZwVUFvN0ozVmUwYmpMQldaV0NjbFJDM0VvQUEBAQ==';

const USAGE = `usage: mailwire demo

Starts the test servers (Office 365 personality) on 127.0.0.1 and runs the seed's flow:
XOAUTH2 over IMAP (one line, SASL-IR) and SMTP (two steps), a message sent by SMTP and
read back by IMAP, failed logins with their diagnosis, the redacted transcripts.

${EXIT_CODES_TEXT}`;

class DemoFailure extends Error {}

export const demoVerb: Verb = {
  name: 'demo',
  summary: 'run the whole XOAUTH2 flow against local test servers',
  usage: USAGE,
  run: runDemo,
};

export async function runDemo(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {});
  if (args.flags['help']) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new CliUsageError('demo takes no arguments');
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const check = (condition: boolean, what: string): void => {
    if (!condition) throw new DemoFailure(what);
  };
  // Every transcript line goes through here: printed, and checked for the token.
  const leaks: string[] = [];
  const transcript = (entry: TranscriptEntry): void => {
    if (entry.line.includes(DEMO_TOKEN.slice(0, 60)) || entry.line.includes(Buffer.from(`auth=Bearer ${DEMO_TOKEN}`).toString('base64').slice(0, 60))) leaks.push(entry.line);
    print(entry);
  };
  const print = transcriptPrinter(io);

  try {
    showInitialResponseRule(out, check);
    const servers = await startTestServers({
      personality: 'outlook',
      users: [
        { user: DEMO_USER, tokens: [DEMO_TOKEN], expiredTokens: [EXPIRED] },
        { user: NO_SMTP_USER, tokens: [DEMO_TOKEN], smtpAuthDisabled: true },
      ],
    });
    try {
      const tls = { ca: servers.ca };
      const subject = 'Hello from mailwire';
      const message = [
        'From: Test <test@contoso.onmicrosoft.com>',
        `To: Test <${DEMO_USER}>`,
        `Subject: ${subject}`,
        'Date: Mon, 23 Nov 2026 10:00:00 +0000',
        'Message-ID: <demo-1@contoso.onmicrosoft.com>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Sent by SMTP with XOAUTH2 in two steps, read back by IMAP with XOAUTH2 in one line.',
        '',
      ].join('\r\n');

      out(`\n== SMTP submission (STARTTLS, port ${servers.smtp.port}): AUTH XOAUTH2 in two steps, then the message`);
      const smtp = new SmtpClient({
        host: servers.host,
        port: servers.smtp.port,
        security: 'starttls',
        tls,
        name: 'demo.contoso.com',
        auth: { user: DEMO_USER, accessToken: DEMO_TOKEN, mechanism: 'XOAUTH2' },
        transcript,
      });
      await smtp.connect();
      const sent = await smtp.send({ from: DEMO_USER, to: [DEMO_USER] }, message);
      await smtp.quit();
      out(`  accepted: ${sent.accepted.join(', ')}; server said ${sent.reply.code} ${sent.reply.text ?? ''}`.trimEnd());
      check(sent.accepted.length === 1, 'the server accepted the recipient');

      out(`\n== IMAP over TLS (port ${servers.imap.tlsPort}): AUTHENTICATE XOAUTH2 in one line (SASL-IR), the message read back`);
      const imap = new ImapClient({
        host: servers.host,
        port: servers.imap.tlsPort,
        security: 'tls',
        tls,
        auth: { user: DEMO_USER, accessToken: DEMO_TOKEN, mechanism: 'XOAUTH2' },
        transcript,
      });
      await imap.connect();
      check(imap.capabilities.has('SASL-IR'), 'the IMAP server offers SASL-IR');
      const box = await imap.select('INBOX');
      out(`  INBOX: ${box.exists} message(s), UIDVALIDITY ${box.uidValidity}, UIDNEXT ${box.uidNext}`);
      const subjects: string[] = [];
      for await (const m of imap.fetch('1:*', ['UID', 'FLAGS', 'ENVELOPE', 'BODY.PEEK[TEXT]'])) {
        const text = Buffer.from(m.body?.['BODY[TEXT]'] ?? new Uint8Array()).toString('utf8').trim();
        out(`  message ${m.seq}: uid ${m.uid}, subject "${m.envelope?.subject}", text "${text}"`);
        subjects.push(m.envelope?.subject ?? '');
      }
      await imap.logout();
      check(subjects.includes(subject), 'the message sent by SMTP is read back by IMAP');

      out('\n== A failed login: an expired token (IMAP), and what the error says to do');
      const expired = new ImapClient({
        host: servers.host,
        port: servers.imap.tlsPort,
        security: 'tls',
        tls,
        auth: { user: DEMO_USER, accessToken: EXPIRED, mechanism: 'XOAUTH2' },
        transcript,
      });
      await expectRefusal(() => expired.connect(), out, check);

      out('\n== A failed login: SMTP AUTH disabled for the mailbox (535 5.7.139)');
      const disabled = new SmtpClient({
        host: servers.host,
        port: servers.smtp.port,
        security: 'starttls',
        tls,
        auth: { user: NO_SMTP_USER, accessToken: DEMO_TOKEN, mechanism: 'XOAUTH2' },
        transcript,
      });
      const e = await expectRefusal(() => disabled.connect(), out, check);
      check(e.enhancedCode === '5.7.139', 'the 5.7.139 refusal');

      out('\n== A token provider: asked again once after the refusal, then the login succeeds');
      const handed: string[] = [];
      const provider = async (): Promise<string> => {
        const token = handed.length === 0 ? EXPIRED : DEMO_TOKEN;
        handed.push(token === DEMO_TOKEN ? 'fresh' : 'expired');
        return token;
      };
      const retried = new ImapClient({ host: servers.host, port: servers.imap.tlsPort, security: 'tls', tls, auth: { user: DEMO_USER, accessToken: provider } });
      await retried.connect();
      await retried.logout();
      out(`  provider calls: ${handed.join(', ')}; connected and authenticated`);
      check(handed.join(',') === 'expired,fresh', 'exactly one retry with a fresh token');
      check(servers.errors.length === 0, 'the test servers saw no internal errors');
    } finally {
      await servers.stop();
    }
    check(leaks.length === 0, 'no transcript line holds the token');
  } catch (error) {
    if (error instanceof DemoFailure) {
      io.stderr.write(`mailwire demo: FAILED: ${error.message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
  out('\ndemo: all steps behaved as described');
  return EXIT.ok;
}

async function expectRefusal(attempt: () => Promise<void>, out: (t: string) => void, check: (c: boolean, w: string) => void): Promise<AuthenticationError> {
  try {
    await attempt();
  } catch (error) {
    check(error instanceof AuthenticationError, `an AuthenticationError (got ${String(error)})`);
    const e = error as AuthenticationError;
    const server = [e.replyCode, e.enhancedCode, e.responseCode].filter((x) => x !== undefined).join(' ');
    out(`  ${e.code}${server ? ` (${server})` : ''}: ${e.message}`);
    out(`  hint: ${e.hint ?? '(none)'}`);
    check(e.hint !== undefined && e.hint !== '', 'the error carries a hint');
    return e;
  }
  check(false, 'the login must be refused');
  throw new Error('unreachable');
}

function showInitialResponseRule(out: (t: string) => void, check: (c: boolean, w: string) => void): void {
  out('== SASL XOAUTH2: the seed vector and the initial-response rule');
  const vector = encodeXOAuth2(DEMO_USER, 'EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA');
  out(`  encodeXOAuth2(${DEMO_USER}, EwBAAl3B...) = ${vector}`);
  check(vector === SEED_VECTOR, 'the seed vector');
  out(`  a ${DEMO_TOKEN.length}-character token, base64 ${encodeXOAuth2(DEMO_USER, DEMO_TOKEN).length} characters:`);
  for (const [protocol, saslIr] of [['imap', true], ['imap', false], ['pop3', false], ['smtp', false]] as const) {
    const exchange = new SaslExchange({ protocol, saslIr, mechanism: createClientMechanism('XOAUTH2', { user: DEMO_USER, accessToken: DEMO_TOKEN }) });
    const command = exchange.command();
    const form = exchange.initialResponseSent ? `one line (${command.length + 2} octets)` : 'two steps';
    const label = protocol === 'imap' ? (saslIr ? 'imap with SASL-IR' : 'imap without SASL-IR') : protocol;
    out(`  ${label.padEnd(20)} ${form}: ${exchange.redactedCommand()}`);
    if (protocol === 'smtp' || protocol === 'pop3') check(!exchange.initialResponseSent, `${protocol} uses two steps past its line limit`);
    if (saslIr) check(exchange.initialResponseSent, 'imap with SASL-IR uses one line');
  }
}
