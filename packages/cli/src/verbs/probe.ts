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

import { booleanFlag, parseArgs } from '../args.js';
import { sessionClient } from '../clients.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, endpointFrom } from '../connection-flags.js';
import { CREDENTIAL_FLAGS, CREDENTIAL_USAGE, credentialsFrom, type Credentials } from '../credentials.js';
import type { Endpoint, Protocol } from '../endpoint.js';
import { URL_FORMS } from '../endpoint.js';
import { exitCodeFor } from '../failure.js';
import { EXIT, EXIT_CODES_TEXT, type CliIo, type Verb } from '../io.js';
import { examineToken, type TokenFacts } from '../jwt.js';
import { capabilitiesAfterTls, capabilitiesBeforeTls, capabilitiesIn, greetingOf, saslFormUsed, type TimedEntry } from '../probe-wire.js';

const USAGE = `usage: mailwire probe URL [--user ADDRESS --token-file FILE|--token-env NAME|--token-cmd CMD | --account NAME]
                      [--mech MECH] [--ca FILE] [--plaintext] [--json] [--transcript]

URL is one of ${URL_FORMS}.
Reports the greeting, the capabilities before and after TLS, the TLS version and the
server's certificate, the SASL mechanisms offered; with credentials, runs the exchange
and says which form was used (one line or two steps) and why, and for a failure the
likely cause (expired token, missing scope, SMTP AUTH disabled, a plaintext port, ...).
The token's claims are checked locally where it is a JWT; the token is never printed.

${CREDENTIAL_USAGE}${CONNECTION_USAGE}  --json               the report as JSON (stable field names)
  --transcript         print the redacted exchanges with timings

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
  token?: TokenFacts & { source: string };
  auth?: {
    user: string;
    mechanism: string;
    ok: boolean;
    form?: 'one-line' | 'two-step';
    why?: string;
    error?: { code: string; message: string; replyCode?: number; enhancedCode?: string; responseCode?: string };
  };
  connectionError?: { code: string; message: string };
  /** Plain-words causes and what to do, most likely first. */
  diagnosis: string[];
  exitCode: number;
}

export const probeVerb: Verb = {
  name: 'probe',
  summary: 'report what a server offers and diagnose an XOAUTH2 login',
  usage: USAGE,
  run: runProbe,
};

export async function runProbe(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { ...CREDENTIAL_FLAGS, ...CONNECTION_FLAGS, json: 'boolean', transcript: 'boolean' });
  if (args.flags['help']) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const { endpoint, tls } = await endpointFrom(args, 'probe');
  const credentials = await credentialsFrom(args, io);
  const report = await probe(endpoint, tls, credentials);
  if (booleanFlag(args, 'json')) io.stdout.write(`${JSON.stringify(report.report, null, 2)}\n`);
  else io.stdout.write(formatReport(report.report));
  if (booleanFlag(args, 'transcript')) {
    for (const [title, entries] of [['unauthenticated connection', report.info], ['authenticated connection', report.login]] as const) {
      if (entries.length === 0) continue;
      (booleanFlag(args, 'json') ? io.stderr : io.stdout).write(`\ntranscript (${title}, redacted):\n${entries.map((e) => `${String(e.ms).padStart(6)} ms ${e.dir}: ${e.line}`).join('\n')}\n`);
    }
  }
  return report.report.exitCode;
}

export async function probe(
  endpoint: Endpoint,
  tls: import('node:tls').ConnectionOptions,
  credentials: Credentials | undefined,
): Promise<{ report: ProbeReport; info: TimedEntry[]; login: TimedEntry[] }> {
  const report: ProbeReport = {
    url: endpoint.url,
    protocol: endpoint.protocol,
    host: endpoint.host,
    port: endpoint.port,
    security: endpoint.security,
    capabilities: {},
    saslMechanisms: [],
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
  } catch (error) {
    report.connectionError = errorSummary(error);
    report.diagnosis.push(...connectionDiagnosis(endpoint, error));
    report.exitCode = exitCodeFor(error);
  }
  const greeting = greetingOf(info);
  if (greeting !== undefined) report.greeting = greeting;
  const before = capabilitiesBeforeTls(endpoint.protocol, info);
  if (endpoint.security === 'none') report.capabilities.beforeTls = capabilitiesIn(endpoint.protocol, info);
  else if (before) {
    report.capabilities.beforeTls = before;
    if (report.tls) report.capabilities.afterTls = capabilitiesAfterTls(endpoint.protocol, info);
  } else if (report.tls) report.capabilities.afterTls = capabilitiesIn(endpoint.protocol, info);
  if (credentials === undefined || report.connectionError) return { report, info, login };

  // 2. The exchange.
  const token = await credentials.token();
  const mechanism = (credentials.auth.mechanism ?? 'XOAUTH2').toUpperCase();
  report.token = { source: credentials.source, ...examineToken(token, endpoint.protocol, { user: credentials.auth.user }) };
  report.auth = { user: credentials.auth.user, mechanism, ok: false };
  const expected = expectedForm(endpoint.protocol, mechanism, credentials.auth.user, token, report.capabilities.afterTls ?? report.capabilities.beforeTls ?? []);
  if (endpoint.security === 'none') report.diagnosis.push('a plaintext connection: mailwire never sends a token without TLS; use the implicit TLS URL (imaps://, smtps://, pop3s://) or drop --plaintext to upgrade with STARTTLS');
  if (!report.saslMechanisms.includes(mechanism) && report.saslMechanisms.length > 0) {
    report.diagnosis.push(`the server does not offer ${mechanism} (it offers ${report.saslMechanisms.join(' ')})`);
  }
  const authed = sessionClient(endpoint, { tls, auth: { ...credentials.auth, accessToken: token }, transcript: recorder(login) });
  try {
    await authed.connect();
    report.auth.ok = true;
    if (endpoint.protocol === 'imap') report.capabilities.afterLogin = [...authed.capabilities];
    await authed.end();
  } catch (error) {
    report.exitCode = exitCodeFor(error);
    report.auth.error = errorSummary(error);
    if (error instanceof AuthenticationError) {
      if (error.code === 'ETOKENEXPIRED') report.diagnosis.push('the server says the token expired: get a fresh one (mailwire login, or refresh it)');
      report.diagnosis.push(...report.token.problems);
      if (error.hint) report.diagnosis.push(error.hint);
      if (credentials.provider) {
        const account = await credentials.provider.account().catch(() => undefined);
        const extra = account ? accountFailureHint(account, error) : undefined;
        if (extra) report.diagnosis.push(extra);
      }
    } else report.diagnosis.push(...connectionDiagnosis(endpoint, error));
  }
  const used = saslFormUsed(endpoint.protocol, login);
  if (used) report.auth.form = used;
  report.auth.why = used === undefined ? 'no exchange went on the wire' : used === expected.form ? expected.why : `unexpected: ${expected.why}, yet the client used the ${used} form`;
  if (report.auth.ok && report.token.problems.length > 0) report.diagnosis.push(...report.token.problems.map((p) => `accepted, though ${p}`));
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

function errorSummary(error: unknown): { code: string; message: string; replyCode?: number; enhancedCode?: string; responseCode?: string } {
  if (!(error instanceof MailwireError)) return { code: 'EUNKNOWN', message: error instanceof Error ? error.message : String(error) };
  const e = error as MailwireError & { replyCode?: number; enhancedCode?: string; responseCode?: string };
  return {
    code: e.code,
    message: e.message,
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
  if (r.connectionError) lines.push(`  connection FAILED:   ${r.connectionError.code}: ${r.connectionError.message}`);
  if (r.token) {
    const c = r.token.claims;
    lines.push(`  token:               ${r.token.length} characters from ${r.token.source}, ${r.token.jwt ? 'a JWT' : 'opaque (not a JWT: claims not checked locally)'}`);
    if (c) {
      const aud = c.aud === undefined ? '-' : Array.isArray(c.aud) ? c.aud.join(' ') : c.aud;
      lines.push(`  token claims:        aud ${aud}; scp ${c.scopes.join(' ') || '-'}; roles ${c.roles.join(' ') || '-'}; subject ${c.subject ?? '-'}; exp ${c.exp === undefined ? '-' : new Date(c.exp * 1000).toISOString()}${r.token.expired ? ' (EXPIRED)' : ''}`);
    }
  }
  if (r.auth) {
    const a = r.auth;
    lines.push(`  login:               ${a.ok ? 'OK' : 'FAILED'}: ${a.mechanism} as ${a.user}${a.form ? `, ${a.form === 'one-line' ? 'one line' : 'two steps'}` : ''}`);
    if (a.why) lines.push(`  why that form:       ${a.why}`);
    if (a.error) {
      const codes = [a.error.replyCode, a.error.enhancedCode, a.error.responseCode].filter((x) => x !== undefined).join(' ');
      lines.push(`  server said:         ${a.error.code}${codes ? ` (${codes})` : ''}: ${a.error.message}`);
    }
  }
  if (r.diagnosis.length > 0) {
    lines.push(r.exitCode === EXIT.ok ? '  notes:' : '  likely cause, and what to do:');
    for (const d of r.diagnosis) lines.push(`    - ${d}`);
  }
  lines.push(r.exitCode === EXIT.ok ? 'probe: OK' : `probe: FAILED (exit ${r.exitCode})`);
  return `${lines.join('\n')}\n`;
}
