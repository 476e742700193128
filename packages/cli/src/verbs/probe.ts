/**
 * `mailwire probe URL`: connects, reports what the server says about itself (greeting,
 * capabilities before and after TLS, the TLS version and certificate, the SASL
 * mechanisms), then, given credentials, runs the exchange and says in plain words which
 * form went on the wire and why, and for a failure the likely cause and what to do.
 *
 * Two connections: the first unauthenticated (so what the server offers is reported even
 * when the login fails), the second with the credentials. The token is checked locally
 * (JWT claims against what the protocol needs) and never printed.
 */
import { accountFailureHint } from '@mailwire/oauth';
import { AuthenticationError, MailwireError, SecurityError } from '@mailwire/errors';
import type { TlsDetails } from '@mailwire/net';
import { SaslExchange, createClientMechanism } from '@mailwire/sasl';
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';

import { ArgvError, parseArgs } from '../args.js';
import { sessionClient } from '../clients.js';
import type { Endpoint, Protocol } from '../endpoint.js';
import { URL_FORMS } from '../endpoint.js';
import { exitFor } from '../errors-exit.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { fingerprint, type Fingerprint } from '../fingerprint.js';
import { examineToken, type TokenFacts } from '../jwt.js';
import { capabilitiesAfterTls, capabilitiesBeforeTls, capabilitiesIn, greetingOf, saslFormUsed, type TimedEntry } from '../probe-wire.js';
import { TARGET_OPTIONS, TARGET_USAGE, resolveCredentials, resolveEndpoint, type Credentials } from '../target.js';

const SCHEMES = ['imap:', 'imaps:', 'pop3:', 'pop3s:', 'smtp:', 'smtps:', 'submission:'];

export const PROBE_USAGE = `Usage: mailwire probe URL [--user USER --token-file F|--token-env VAR|--token-cmd CMD|--account NAME]
                      [--mech MECH] [--ca FILE] [--plaintext] [--fingerprint] [--json] [--transcript]
  URL: ${URL_FORMS}
  (imap://, pop3://, smtp://, submission:// upgrade with STARTTLS/STLS; the s-schemes are implicit TLS)
Reports the greeting, the capabilities before and after TLS, the TLS version and the server's
certificate, the SASL mechanisms; with a token, runs the exchange and says which form went on
the wire (one line or two steps) and why, and for a failure the likely cause and what to do
(expired token, missing scope, SMTP AUTH disabled, a plaintext port, an untrusted certificate).
The token's JWT claims are checked locally; the token is never printed.
${TARGET_USAGE}
  --mech MECH   XOAUTH2 (default), OAUTHBEARER, ...
  --plaintext   imap://, pop3://, smtp:// without STARTTLS (a token is never sent then)
  --fingerprint with a token, also measure the server on fresh connections: the one-line form
                forced, the two-step form forced, a token that is not one (error challenge?),
                IMAP's LITERAL+/LITERAL- as offered and whether they hold on the wire, and
                the longest command line the server takes (doubling, then halving the gap)
  --json        the report as one stable JSON object
  --transcript  the redacted exchanges, with milliseconds since the probe started
${EXIT_CODES_TEXT}`;

export interface ProbeReport {
  url: string;
  protocol: Protocol;
  host: string;
  port: number;
  security: Endpoint['security'];
  greeting?: string;
  capabilities: { beforeTls?: string[]; afterTls?: string[]; afterLogin?: string[] };
  tls?: TlsDetails;
  saslMechanisms: string[];
  /** Connected (and, with a token, authenticated). */
  ok: boolean;
  user?: string;
  mechanism?: string;
  /** The SASL form that went on the wire, and the RFC reason for it. */
  form?: 'one-line' | 'two-step';
  why?: string;
  token?: TokenFacts & { source: string };
  error?: { code: string; message: string; step: 'connect' | 'authenticate'; hint?: string; replyCode?: number; enhancedCode?: string; responseCode?: string };
  /** Plain-words causes and what to do, most likely first. */
  diagnosis: string[];
  exitCode: number;
  fingerprint?: Fingerprint;
  transcript?: string[];
}

export async function probe(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set([...TARGET_OPTIONS, 'mech']), new Set(['json', 'help', 'transcript', 'plaintext', 'fingerprint']));
    if (args.positionals.length > 1) throw new ArgvError(`unexpected argument ${JSON.stringify(args.positionals[1])}`);
  } catch (e) {
    io.err(`mailwire probe: ${(e as ArgvError).message}\n${PROBE_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) {
    io.out(PROBE_USAGE);
    return EXIT.ok;
  }
  const endpoint = resolveEndpoint('probe', args, io, SCHEMES, { plaintext: args.options.has('plaintext') });
  if (typeof endpoint === 'number') return endpoint;
  const credentials = await resolveCredentials('probe', args, io);
  if (typeof credentials === 'number') return credentials;
  const ca = args.options.get('ca');
  const tls: ConnectionOptions = typeof ca === 'string' ? { ca: await readFile(ca, 'utf8') } : {};
  const mech = args.options.get('mech');
  const mechanism = typeof mech === 'string' ? mech.toUpperCase() : 'XOAUTH2';
  const { report, info, login } = await probeServer(endpoint, tls, credentials, mechanism);
  if (args.options.has('fingerprint') && credentials.user !== undefined && credentials.token !== undefined && report.error?.step !== 'connect') {
    report.fingerprint = await fingerprint(endpoint, tls, credentials.user, credentials.token, mechanism, report.capabilities.afterLogin ?? report.capabilities.afterTls ?? report.capabilities.beforeTls ?? []);
  }
  if (args.options.has('transcript')) report.transcript = [...info, ...login].map((e) => `${String(e.ms).padStart(5)}ms ${e.dir}: ${e.line}`);
  if (args.options.has('json')) io.out(JSON.stringify(report, null, 2));
  else io.out(formatReport(report));
  return report.exitCode;
}

/** Probes one server: an unauthenticated look, then (with a token) the exchange. */
export async function probeServer(
  endpoint: Endpoint,
  tls: ConnectionOptions,
  credentials: Credentials,
  mechanism = 'XOAUTH2',
): Promise<{ report: ProbeReport; info: TimedEntry[]; login: TimedEntry[] }> {
  const report: ProbeReport = {
    url: endpoint.url,
    protocol: endpoint.protocol,
    host: endpoint.host,
    port: endpoint.port,
    security: endpoint.security,
    capabilities: {},
    saslMechanisms: [],
    ok: false,
    diagnosis: [],
    exitCode: EXIT.ok,
  };
  const start = performance.now();
  const recorder = (into: TimedEntry[]) => (e: { dir: 'C' | 'S'; line: string }) => into.push({ ...e, ms: Math.round(performance.now() - start) });
  const info: TimedEntry[] = [];
  const login: TimedEntry[] = [];

  // 1. What the server offers, without credentials.
  const client = sessionClient(endpoint, { tls, transcript: recorder(info) });
  try {
    await client.connect();
    report.saslMechanisms = [...client.authMechanisms];
    const details = client.tlsDetails();
    if (details) report.tls = details;
    await client.end();
    report.ok = true;
  } catch (error) {
    report.error = errorSummary(error, 'connect');
    report.diagnosis.push(...connectionDiagnosis(endpoint, error));
    report.exitCode = exitFor(error);
  }
  const greeting = greetingOf(info);
  if (greeting !== undefined) report.greeting = greeting;
  const before = capabilitiesBeforeTls(endpoint.protocol, info);
  if (endpoint.security === 'none') report.capabilities.beforeTls = capabilitiesIn(endpoint.protocol, info);
  else if (before) {
    report.capabilities.beforeTls = before;
    if (report.tls) report.capabilities.afterTls = capabilitiesAfterTls(endpoint.protocol, info);
  } else if (report.tls) report.capabilities.afterTls = capabilitiesIn(endpoint.protocol, info);
  if (credentials.token === undefined || credentials.user === undefined || report.error) return { report, info, login };

  // 2. The exchange.
  const { token, user } = credentials;
  report.ok = false;
  report.user = user;
  report.mechanism = mechanism;
  report.token = { source: credentials.source ?? 'token', ...examineToken(token, endpoint.protocol, { user }) };
  const expected = expectedForm(endpoint.protocol, mechanism, user, token, report.capabilities.afterTls ?? report.capabilities.beforeTls ?? []);
  if (endpoint.security === 'none') report.diagnosis.push('a plaintext connection: mailwire never sends a token without TLS; use the implicit TLS URL (imaps://, smtps://, pop3s://) or drop --plaintext to upgrade with STARTTLS');
  if (!report.saslMechanisms.includes(mechanism) && report.saslMechanisms.length > 0) {
    report.diagnosis.push(`the server does not offer ${mechanism} (it offers ${report.saslMechanisms.join(' ')})`);
  }
  const authed = sessionClient(endpoint, { tls, auth: { user, accessToken: token, mechanism }, transcript: recorder(login) });
  try {
    await authed.connect();
    report.ok = true;
    if (endpoint.protocol === 'imap') report.capabilities.afterLogin = [...authed.capabilities];
    await authed.end();
  } catch (error) {
    report.exitCode = exitFor(error);
    report.error = errorSummary(error, 'authenticate');
    if (error instanceof AuthenticationError) {
      if (error.code === 'ETOKENEXPIRED') report.diagnosis.push('the server says the token expired: get a fresh one (mailwire login, or refresh it)');
      report.diagnosis.push(...report.token.problems);
      if (error.hint) report.diagnosis.push(error.hint);
      const extra = credentials.account ? accountFailureHint(credentials.account, error) : undefined;
      if (extra) report.diagnosis.push(extra);
    } else report.diagnosis.push(...connectionDiagnosis(endpoint, error));
  }
  const used = saslFormUsed(endpoint.protocol, login);
  if (used) report.form = used;
  report.why = used === undefined ? 'no exchange went on the wire' : used === expected.form ? expected.why : `unexpected: ${expected.why}, yet the client used the ${used} form`;
  if (report.ok && report.token.problems.length > 0) report.diagnosis.push(...report.token.problems.map((p) => `accepted, though ${p}`));
  report.diagnosis = [...new Set(report.diagnosis)];
  return { report, info, login };
}

/** The RFC rule, stated for this server and this token. */
function expectedForm(protocol: Protocol, mechanism: string, user: string, token: string, caps: string[]): { form: 'one-line' | 'two-step'; why: string } {
  const saslIr = caps.some((c) => c.toUpperCase() === 'SASL-IR');
  let exchange: SaslExchange;
  try {
    exchange = new SaslExchange({ protocol, saslIr, tag: 'A2', mechanism: createClientMechanism(mechanism, { user, accessToken: token }) });
  } catch {
    return { form: 'two-step', why: `${mechanism} is not a mechanism mailwire knows` };
  }
  const line = exchange.command();
  const oneLine = exchange.initialResponseSent;
  const octets = Buffer.byteLength(line) + 2;
  if (protocol === 'imap') {
    return saslIr
      ? { form: 'one-line', why: 'the server offers SASL-IR (RFC 4959), so the initial response goes on the AUTHENTICATE line' }
      : { form: 'two-step', why: 'the server does not offer SASL-IR (RFC 4959), so the response waits for its "+" continuation' };
  }
  const limit = protocol === 'smtp' ? 'SMTP\'s 512-octet command line (RFC 4954 §4)' : 'POP3\'s 255-octet command line (RFC 5034 §4)';
  if (oneLine) return { form: 'one-line', why: `the AUTH line with the initial response is ${octets} octets, within ${limit}` };
  const full = new SaslExchange({ protocol, initialResponse: 'always', mechanism: createClientMechanism(mechanism, { user, accessToken: token }) });
  return { form: 'two-step', why: `the AUTH line with the initial response would be ${Buffer.byteLength(full.command()) + 2} octets, over ${limit}, so the response follows the server's empty challenge` };
}

function errorSummary(error: unknown, step: 'connect' | 'authenticate'): NonNullable<ProbeReport['error']> {
  if (!(error instanceof MailwireError)) return { code: 'EUNKNOWN', message: error instanceof Error ? error.message : String(error), step };
  const e = error as MailwireError & { replyCode?: number; enhancedCode?: string; responseCode?: string; hint?: string };
  return {
    code: e.code,
    message: e.message,
    step,
    ...(e.hint ? { hint: e.hint } : {}),
    ...(e.replyCode !== undefined ? { replyCode: e.replyCode } : {}),
    ...(e.enhancedCode !== undefined ? { enhancedCode: e.enhancedCode } : {}),
    ...(e.responseCode !== undefined ? { responseCode: e.responseCode } : {}),
  };
}

function connectionDiagnosis(endpoint: Endpoint, error: unknown): string[] {
  const message = error instanceof Error ? `${error.message} ${(error.cause as Error | undefined)?.message ?? ''}` : String(error);
  const out: string[] = [];
  if (endpoint.security === 'tls' && /wrong version number|packet length|unexpected eof|ECONNRESET|socket disconnected before secure/i.test(message)) {
    out.push(`port ${endpoint.port} does not answer TLS: it is probably a plaintext port; use ${endpoint.protocol}:// (STARTTLS) for it, or the implicit TLS port`);
  }
  if (/self[- ]signed|unable to verify|certificate|altnames/i.test(message)) {
    out.push('the server\'s certificate is not trusted or does not name this host: check the host name, or give the CA with --ca FILE');
  }
  if (error instanceof SecurityError && error.code === 'EINSECURE' && endpoint.security !== 'none') {
    out.push('the server does not offer STARTTLS here, and mailwire does not continue in plaintext: use the implicit TLS URL');
  }
  if (/ECONNREFUSED/.test(message)) out.push(`nothing listens on ${endpoint.host}:${endpoint.port}: check the host and port`);
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) out.push(`the host name ${endpoint.host} does not resolve`);
  const hint = (error as { hint?: unknown }).hint;
  if (typeof hint === 'string') out.push(hint);
  if (out.length === 0) out.push(error instanceof Error ? error.message : String(error));
  return out;
}

export function formatReport(r: ProbeReport): string {
  const lines: string[] = [];
  const security = r.security === 'tls' ? 'implicit TLS' : r.security === 'starttls' ? 'STARTTLS' : 'plaintext';
  lines.push(`${r.protocol.toUpperCase()} ${r.host}:${r.port} (${security})`);
  if (r.greeting !== undefined) lines.push(`  greeting:            ${r.greeting}`);
  if (r.capabilities.beforeTls) lines.push(`  capabilities (plain): ${r.capabilities.beforeTls.join(' ')}`);
  if (r.capabilities.afterTls) lines.push(`  capabilities (TLS):  ${r.capabilities.afterTls.join(' ')}`);
  if (r.tls) {
    lines.push(`  TLS:                 ${r.tls.protocol}, ${r.tls.cipher}, certificate ${r.tls.authorized ? 'verified' : `NOT verified (${r.tls.authorizationError ?? 'unknown'})`}`);
    lines.push(`  certificate:         subject ${r.tls.subject}; issuer ${r.tls.issuer}; valid to ${r.tls.validTo}`);
  }
  lines.push(`  SASL mechanisms:     ${r.saslMechanisms.join(' ') || '(none offered)'}`);
  if (r.error?.step === 'connect') lines.push(`  connection FAILED:   ${r.error.code}: ${r.error.message}`);
  if (r.token) {
    const c = r.token.claims;
    lines.push(`  token:               ${r.token.length} characters from ${r.token.source}, ${r.token.jwt ? 'a JWT' : 'opaque (not a JWT: claims not checked locally)'}`);
    if (c) {
      const aud = c.aud === undefined ? '-' : Array.isArray(c.aud) ? c.aud.join(' ') : c.aud;
      lines.push(`  token claims:        aud ${aud}; scp ${c.scopes.join(' ') || '-'}; roles ${c.roles.join(' ') || '-'}; subject ${c.subject ?? '-'}; exp ${c.exp === undefined ? '-' : new Date(c.exp * 1000).toISOString()}${r.token.expired ? ' (EXPIRED)' : ''}`);
    }
  }
  if (r.user !== undefined) {
    lines.push(`  login:               ${r.ok ? 'OK' : 'FAILED'}: ${r.mechanism} as ${r.user}${r.form ? `, ${r.form === 'one-line' ? 'one line' : 'two steps'}` : ''}`);
    if (r.why) lines.push(`  why that form:       ${r.why}`);
    if (r.error?.step === 'authenticate') {
      const codes = [r.error.replyCode, r.error.enhancedCode, r.error.responseCode].filter((x) => x !== undefined).join(' ');
      lines.push(`  server said:         ${r.error.code}${codes ? ` (${codes})` : ''}: ${r.error.message}`);
    }
  }
  if (r.diagnosis.length > 0) {
    lines.push(r.exitCode === EXIT.ok ? '  notes:' : '  likely cause, and what to do:');
    for (const d of r.diagnosis) lines.push(`    - ${d}`);
  }
  if (r.fingerprint) {
    lines.push('  fingerprint:');
    lines.push(`    one line (forced):   ${r.fingerprint.oneLine}`);
    lines.push(`    two steps (forced):  ${r.fingerprint.twoStep}`);
    lines.push(`    invalid token:       ${r.fingerprint.invalidToken}`);
    if (r.fingerprint.literals) lines.push(`    literals:            ${r.fingerprint.literals}`);
    if (r.fingerprint.literalsOnWire) {
      lines.push(`    {8+} on the wire:    ${r.fingerprint.literalsOnWire.nonSync}`);
      lines.push(`    LITERAL- limit:      ${r.fingerprint.literalsOnWire.minusLimit}`);
    }
    lines.push(`    longest line taken:  ${r.fingerprint.longestLine}`);
  }
  if (r.transcript) lines.push('  transcript (redacted):', ...r.transcript.map((t) => `    ${t}`));
  lines.push(r.exitCode === EXIT.ok ? 'probe: OK' : `probe: FAILED (exit ${r.exitCode})`);
  return lines.join('\n');
}
