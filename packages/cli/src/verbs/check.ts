/**
 * `mailwire check URL`: a conformance report for a server, as h2spec is for HTTP/2: each
 * check is pass, fail or not offered, with the RFC section it comes from. It reads what
 * the probe's unauthenticated connection saw, then (with --user) sends a token the server
 * must refuse, to see how it refuses (the RFC 7628 error challenge). Exit 1 when a check
 * failed; "not offered" is not a failure.
 */
import { AuthenticationError } from '@mailwire/errors';
import type { TranscriptEntry } from '@mailwire/net';
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';

import { ArgvError, parseArgs } from '../args.js';
import { sessionClient } from '../clients.js';
import type { Endpoint } from '../endpoint.js';
import { URL_FORMS } from '../endpoint.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { TARGET_OPTIONS, TARGET_USAGE, resolveCredentials, resolveEndpoint } from '../target.js';
import { capabilitiesIn } from '../probe-wire.js';
import { probeServer, type ProbeReport } from './probe.js';
import { capabilityChecks, greetingCheck } from '../checks/advertised.js';
import { behaviourChecks } from '../checks/behaviour.js';
import { NO_TOKEN_WITHOUT_TLS } from '../checks/open-for-checks.js';
import type { CheckResult, Verdict } from '../checks/verdict.js';

export const CHECK_USAGE = `Usage: mailwire check URL [--user USER [--token-file F|--token-env VAR|--token-cmd CMD|--account NAME]]
                      [--ca FILE] [--plaintext] [--send-test-message] [--json]
  URL: ${URL_FORMS}
  Runs RFC checks on the server — what it advertises (greeting, capability syntax, STARTTLS,
  no AUTH before TLS, SASL-IR, OAuth mechanisms; with --user, the error challenge for a token
  that is not one) and how it behaves on the wire (line lengths, tags, literals, multi-line
  replies, dot-stuffing, PIPELINING; with a token also the checks that need a session) — and
  reports each as pass / fail / not offered / not run with its RFC section; --json gives the
  same as one object. "not offered" and "not run" (a check that needs a token) are no failure.
  --send-test-message  with a token, also run the checks that deliver mail: SMTP dot-stuffing
                sends one message to USER itself (without it that check is "not run")
${TARGET_USAGE}
${EXIT_CODES_TEXT}`;

export type { CheckResult, Verdict } from '../checks/verdict.js';

const SCHEMES = ['imap:', 'imaps:', 'pop3:', 'pop3s:', 'smtp:', 'smtps:', 'submission:'];
/** A token no server can accept, for the refusal check: never a real credential. */
const INVALID_TOKEN = 'mailwire-check-invalid-token';

export async function check(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set(TARGET_OPTIONS), new Set(['json', 'help', 'plaintext', 'send-test-message']));
    if (args.positionals.length > 1) throw new ArgvError(`unexpected argument ${JSON.stringify(args.positionals[1])}`);
  } catch (e) {
    io.err(`mailwire check: ${(e as ArgvError).message}\n${CHECK_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) {
    io.out(CHECK_USAGE);
    return EXIT.ok;
  }
  const endpoint = resolveEndpoint('check', args, io, SCHEMES, { plaintext: args.options.has('plaintext') });
  if (typeof endpoint === 'number') return endpoint;
  const ca = args.options.get('ca');
  const tls: ConnectionOptions = typeof ca === 'string' ? { ca: await readFile(ca, 'utf8') } : {};
  // --user alone is enough for the refusal checks; a token source adds the session checks.
  const tokenGiven = ['token-file', 'token-env', 'token-cmd', 'account'].some((o) => args.options.has(o));
  const user = args.options.get('user');
  const credentials = tokenGiven ? await resolveCredentials('check', args, io) : typeof user === 'string' ? { user } : {};
  if (typeof credentials === 'number') return credentials;
  const { report, info } = await probeServer(endpoint, tls, {});
  // A connection that failed after the server spoke still gets the verdicts on what it said: a bad greeting or capability list is often why.
  const results = report.error ? advertisedBeforeFailure(endpoint, report, info) : await runChecks(endpoint, tls, report, credentials.user, credentials.token, { sendTestMessage: args.options.has('send-test-message') });
  const failed = report.error !== undefined || results.some((r) => r.verdict === 'fail');
  if (args.options.has('json')) {
    io.out(JSON.stringify({ url: endpoint.url, protocol: endpoint.protocol, ...(report.error ? { error: report.error, diagnosis: report.diagnosis } : {}), checks: results }, null, 2));
  } else {
    io.out(`${endpoint.protocol.toUpperCase()} ${endpoint.host}:${endpoint.port}`);
    if (report.error) io.out(`  cannot connect: ${report.error.code}: ${report.error.message}\n  ${report.diagnosis.join('\n  ')}`);
    const width = Math.max(0, ...results.map((r) => r.id.length));
    const rfcWidth = Math.max(16, ...results.map((r) => r.rfc.length));
    for (const r of results) io.out(`  ${r.verdict.padEnd(11)} ${r.id.padEnd(width)}  ${r.rfc.padEnd(rfcWidth)} ${r.detail}`);
    const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
    io.out(`check: ${count('pass')} pass, ${count('fail')} fail, ${count('not offered')} not offered, ${count('not run')} not run`);
  }
  if (report.error) return report.exitCode;
  return failed ? EXIT.failed : EXIT.ok;
}

function advertisedBeforeFailure(endpoint: Endpoint, report: ProbeReport, seen: readonly TranscriptEntry[]): CheckResult[] {
  if (report.greeting === undefined) return [];
  const capabilities = capabilitiesIn(endpoint.protocol, seen);
  return [greetingCheck(endpoint.protocol, report.greeting), ...(capabilities.length > 0 ? capabilityChecks(endpoint.protocol, capabilities) : [])];
}

/**
 * The checks for what the server showed; with a user, one refused login; then the
 * behaviour checks on the wire (those that need a session only with a token).
 */
export async function runChecks(
  endpoint: Endpoint,
  tls: ConnectionOptions,
  report: ProbeReport,
  user: string | undefined,
  token?: string,
  options: { sendTestMessage?: boolean } = {},
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const add = (id: string, rfc: string, verdict: Verdict, detail: string) => out.push({ id, rfc, verdict, detail });
  const greeting = report.greeting ?? '';
  const plain = report.capabilities.beforeTls;
  const secured = report.capabilities.afterTls ?? plain ?? [];
  const upper = secured.map((c) => c.toUpperCase());
  const mechanisms = report.saslMechanisms;

  out.push(greetingCheck(endpoint.protocol, greeting));
  out.push(...capabilityChecks(endpoint.protocol, secured));
  if (endpoint.security === 'starttls' || endpoint.security === 'none') {
    const word = endpoint.protocol === 'pop3' ? 'STLS' : 'STARTTLS';
    const rfc = endpoint.protocol === 'imap' ? 'RFC 9051 §6.2.1' : endpoint.protocol === 'smtp' ? 'RFC 3207 §4' : 'RFC 2595 §4';
    add('starttls', rfc, (plain ?? []).some((c) => c.toUpperCase() === word) ? 'pass' : 'not offered', `${word} offered on the plaintext port`);
    // An AUTH or SASL line naming no mechanism (Dovecot's "250-AUTH " where TLS is required) offers none.
    const authBefore = (plain ?? []).some((c) => /^(AUTH[= ]|SASL )\s*\S/i.test(c)) && !(plain ?? []).some((c) => /^LOGINDISABLED$/i.test(c));
    add('no-auth-before-tls', 'RFC 8314 §3', authBefore ? 'fail' : 'pass', 'no SASL mechanism offered before TLS');
  }
  const oauth = mechanisms.filter((m) => m === 'XOAUTH2' || m === 'OAUTHBEARER');
  add('oauth-mechanism', 'RFC 7628 §3', oauth.length > 0 ? 'pass' : 'not offered', oauth.length > 0 ? `offers ${oauth.join(' ')}` : 'neither OAUTHBEARER nor XOAUTH2');

  if (user !== undefined && oauth.length > 0 && endpoint.security === 'none') {
    add('invalid-token-refused', 'RFC 7628 §3.2.2', 'not run', NO_TOKEN_WITHOUT_TLS);
  } else if (user !== undefined && oauth.length > 0) {
    const mechanism = oauth.includes('OAUTHBEARER') ? 'OAUTHBEARER' : 'XOAUTH2';
    const client = sessionClient(endpoint, { tls, auth: { user, accessToken: INVALID_TOKEN, mechanism } });
    try {
      await client.connect();
      await client.end();
      add('invalid-token-refused', 'RFC 7628 §3.2.2', 'fail', 'the server accepted a token that is not one');
    } catch (error) {
      if (error instanceof AuthenticationError) {
        add('invalid-token-refused', 'RFC 7628 §3.2.2', 'pass', `refused: ${error.serverText ?? error.code}`);
        add('error-challenge', 'RFC 7628 §3.2.2', error.oauthError ? 'pass' : 'not offered', error.oauthError ? `the JSON error challenge (status ${String(error.oauthError['status'] ?? '?')})` : 'refused without the JSON error challenge');
      } else {
        add('invalid-token-refused', 'RFC 7628 §3.2.2', 'fail', `not an authentication refusal: ${(error as Error).message}`);
      }
    }
  }
  const mechanism = mechanisms.includes('OAUTHBEARER') ? 'OAUTHBEARER' : 'XOAUTH2';
  await behaviourChecks({ endpoint, tls, mechanism, capabilities: secured, add, oauthOffered: oauth.length > 0, sendTestMessage: options.sendTestMessage === true, ...(user !== undefined ? { user } : {}), ...(token !== undefined ? { token } : {}) });
  return out;
}
