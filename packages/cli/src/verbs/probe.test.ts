import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startTestServers, type TestServers } from '@mailwire/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { run } from '../main.js';
import { probe, type ProbeReport } from './probe.js';

function recordingIo(env: Record<string, string> = {}): CliIo & { out(l: string): void; text: () => string; errText: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { env, out: (l) => out.push(l), err: (l) => err.push(l), text: () => out.join('\n'), errText: () => err.join('\n') };
}

const USER = 'alice@contoso.onmicrosoft.com';
const NO_SMTP = 'noauth@contoso.onmicrosoft.com';

/** An unsigned JWT in Microsoft's shape: the probe only reads the claims. */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256' })}.${part(claims)}.${'s'.repeat(342)}`;
}
const later = Math.floor(Date.now() / 1000) + 3600;
const GOOD = jwt({ aud: 'https://outlook.office.com', iss: 'https://sts.windows.net/t/', scp: 'IMAP.AccessAsUser.All POP.AccessAsUser.All SMTP.Send', upn: USER, exp: later, pad: 'p'.repeat(700) });
const EXPIRED = jwt({ aud: 'https://outlook.office.com', iss: 'https://sts.windows.net/t/', scp: 'IMAP.AccessAsUser.All SMTP.Send', upn: USER, exp: 1_600_000_000 });
const GRAPH = jwt({ aud: 'https://graph.microsoft.com', iss: 'https://sts.windows.net/t/', scp: 'Mail.Read', upn: USER, exp: later });
const NO_SEND = jwt({ aud: 'https://outlook.office.com', iss: 'https://sts.windows.net/t/', scp: 'IMAP.AccessAsUser.All', upn: NO_SMTP, exp: later });

let servers: TestServers;
let dir: string;
let caFile: string;

beforeAll(async () => {
  servers = await startTestServers({
    personality: 'outlook',
    users: [
      { user: USER, tokens: [GOOD], expiredTokens: [EXPIRED] },
      { user: NO_SMTP, tokens: [NO_SEND], smtpAuthDisabled: true },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'mailwire-probe-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, servers.ca);
});
afterAll(async () => {
  await servers?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function probeJson(args: string[], env: Record<string, string> = {}): Promise<{ code: number; report: ProbeReport; err: string }> {
  const io = recordingIo(env);
  const code = await probe([...args, '--ca', caFile, '--json'], io);
  return { code, report: JSON.parse(io.text()) as ProbeReport, err: io.errText() };
}

describe('mailwire probe', () => {
  it('imaps:// without credentials: greeting, capabilities, TLS version and certificate, mechanisms', async () => {
    const { code, report } = await probeJson([`imaps://127.0.0.1:${servers.imap.tlsPort}`]);
    expect(code).toBe(EXIT.ok);
    expect(report.greeting).toMatch(/^\* OK The Microsoft Exchange IMAP4 service is ready/);
    expect(report.capabilities.afterTls).toContain('SASL-IR');
    expect(report.capabilities.beforeTls).toBeUndefined();
    expect(report.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(report.tls?.authorized).toBe(true);
    expect(report.tls?.issuer).toContain('CN=');
    expect(report.saslMechanisms).toEqual(expect.arrayContaining(['XOAUTH2', 'PLAIN']));
  });

  it('submission:// with STARTTLS: capabilities before TLS (no AUTH) and after (AUTH XOAUTH2)', async () => {
    const { code, report } = await probeJson([`submission://127.0.0.1:${servers.smtp.port}`]);
    expect(code).toBe(EXIT.ok);
    expect(report.capabilities.beforeTls).toContain('STARTTLS');
    expect(report.capabilities.beforeTls?.some((c) => c.startsWith('AUTH'))).toBe(false);
    expect(report.capabilities.afterTls).toContain('AUTH PLAIN XOAUTH2');
    expect(report.tls?.protocol).toMatch(/^TLSv1/);
  });

  it('IMAP with a good token: one line, because the server offers SASL-IR; capabilities after login', async () => {
    const { code, report } = await probeJson([`imaps://127.0.0.1:${servers.imap.tlsPort}`, '--user', USER, '--token-env', 'TOKEN'], { TOKEN: GOOD });
    expect(code).toBe(EXIT.ok);
    expect(report).toMatchObject({ ok: true, mechanism: 'XOAUTH2', form: 'one-line' });
    expect(report.why).toContain('SASL-IR (RFC 4959)');
    expect(report.capabilities.afterLogin?.length).toBeGreaterThan(0);
    expect(report.token).toMatchObject({ jwt: true, expired: false, problems: [] });
    expect(report.token?.claims?.scopes).toContain('IMAP.AccessAsUser.All');
  });

  it('SMTP with a long token: two steps, because the AUTH line would pass 512 octets', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${GOOD}\n`);
    const { code, report } = await probeJson([`submission://127.0.0.1:${servers.smtp.port}`, '--user', USER, '--token-file', tokenFile]);
    expect(code).toBe(EXIT.ok);
    expect(report).toMatchObject({ ok: true, form: 'two-step' });
    expect(report.why).toMatch(/would be \d+ octets, over SMTP's 512-octet command line/);
  });

  it('pop3:// with STLS: CAPA before and after TLS, two steps for the long token (RFC 5034 line limit)', async () => {
    const { code, report } = await probeJson([`pop3://127.0.0.1:${servers.pop3.port}`, '--user', USER, '--token-env', 'T'], { T: GOOD });
    expect(code).toBe(EXIT.ok);
    expect(report.capabilities.beforeTls).toContain('STLS');
    expect(report.capabilities.afterTls?.some((c) => /^SASL .*XOAUTH2/.test(c))).toBe(true);
    expect(report.tls?.authorized).toBe(true);
    expect(report).toMatchObject({ ok: true, form: 'two-step' });
    expect(report.why).toMatch(/over POP3's 255-octet command line/);
  });

  it('pop3s:// on the STLS port: exit 3, the port does not speak TLS', async () => {
    const { code, report } = await probeJson([`pop3s://127.0.0.1:${servers.pop3.port}`]);
    expect(code).toBe(EXIT.connection);
    expect(report.diagnosis[0]).toContain('does not answer TLS');
  });

  it('an expired token: exit 4, the expiry read from the claims and the server hint, never the token', async () => {
    const io = recordingIo({});
    const code = await probe([`imaps://127.0.0.1:${servers.imap.tlsPort}`, '--ca', caFile, '--user', USER, '--token-cmd', `printf %s '${EXPIRED}'`, '--transcript'], io);
    expect(code).toBe(EXIT.auth);
    const out = io.text();
    expect(out).toContain('login:               FAILED: XOAUTH2 as alice@contoso.onmicrosoft.com, one line');
    expect(out).toContain('the token expired at 2020-09-13T12:26:40.000Z');
    expect(out).toContain('(EXPIRED)');
    expect(out).toContain('transcript (redacted):');
    expect(out).toMatch(/\dms C: A2 AUTHENTICATE XOAUTH2 \[redacted\]/);
    expect(out).not.toContain(EXPIRED.slice(0, 40));
    expect(out).not.toContain(Buffer.from(`auth=Bearer ${EXPIRED}`).toString('base64').slice(0, 40));
  });

  it('a token for Microsoft Graph: refused, and the cause is the audience and scope', async () => {
    const { code, report } = await probeJson([`imaps://127.0.0.1:${servers.imap.tlsPort}`, '--user', USER, '--token-env', 'T'], { T: GRAPH });
    expect(code).toBe(EXIT.auth);
    expect(report.diagnosis[0]).toContain('the token is for Microsoft Graph');
    expect(report.diagnosis[0]).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    expect(report.diagnosis.join('\n')).toContain('lacks the scope https://outlook.office.com/IMAP.AccessAsUser.All');
  });

  it('SMTP AUTH disabled (535 5.7.139): exit 4, the missing SMTP.Send scope and the admin step', async () => {
    const { code, report } = await probeJson([`submission://127.0.0.1:${servers.smtp.port}`, '--user', NO_SMTP, '--token-env', 'T'], { T: NO_SEND });
    expect(code).toBe(EXIT.auth);
    expect(report.error).toMatchObject({ step: 'authenticate', code: 'EAUTH', replyCode: 535, enhancedCode: '5.7.139' });
    const diagnosis = report.diagnosis.join('\n');
    expect(diagnosis).toContain('lacks the scope https://outlook.office.com/SMTP.Send');
    expect(diagnosis).toContain('SMTP AUTH is disabled');
  });

  it('imaps:// on the plaintext port: exit 3, the port does not speak TLS', async () => {
    const { code, report } = await probeJson([`imaps://127.0.0.1:${servers.imap.port}`]);
    expect(code).toBe(EXIT.connection);
    expect(report.error?.step).toBe('connect');
    expect(report.diagnosis[0]).toContain(`port ${servers.imap.port} does not answer TLS`);
  });

  it('--plaintext with credentials: the token is not sent, exit 4 or 3 with the reason', async () => {
    const { code, report } = await probeJson([`imap://127.0.0.1:${servers.imap.port}`, '--plaintext', '--user', USER, '--token-env', 'T'], { T: GOOD });
    expect(code).not.toBe(EXIT.ok);
    expect(report.diagnosis[0]).toContain('mailwire never sends a token without TLS');
    expect(report.capabilities.beforeTls).toContain('STARTTLS');
  });

  it('an untrusted certificate (no --ca): exit 3, give --ca', async () => {
    const io = recordingIo({});
    const code = await probe([`imaps://127.0.0.1:${servers.imap.tlsPort}`], io);
    expect(code).toBe(EXIT.connection);
    expect(io.text()).toContain('--ca FILE');
  });

  it('--account: the stored mailbox and token; an app-only token refused gets the service principal steps', async () => {
    const { TokenCache } = await import('@mailwire/oauth');
    const cachePath = join(dir, 'tokens.json');
    const cache = new TokenCache(cachePath, 'a key for the test');
    const stored = (accessToken: string, flow: 'user' | 'app') => ({
      provider: { kind: 'microsoft' as const, tenant: 'contoso.onmicrosoft.com' },
      clientId: 'client-id',
      flow,
      scopes: ['https://outlook.office365.com/.default'],
      user: USER,
      tokens: { accessToken, expiresAt: Date.now() + 3_600_000, tokenType: 'Bearer' },
    });
    await cache.put('work', stored(GOOD, 'user'));
    await cache.put('daemon', stored(jwt({ aud: 'https://outlook.office365.com', roles: ['IMAP.AccessAsApp'], exp: later }), 'app'));
    const env = { MAILWIRE_TOKEN_CACHE: cachePath, MAILWIRE_TOKEN_KEY: 'a key for the test' };
    const ok = await probeJson([`imaps://127.0.0.1:${servers.imap.tlsPort}`, '--account', 'work'], env);
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.report).toMatchObject({ ok: true, user: USER, token: { source: '--account work' } });
    const refused = await probeJson([`imaps://127.0.0.1:${servers.imap.tlsPort}`, '--account', 'daemon'], env);
    expect(refused.code).toBe(EXIT.auth);
    expect(refused.report.token?.problems).toEqual([]);
    expect(refused.report.diagnosis.join('\n')).toContain('New-ServicePrincipal');
  });

  it('usage errors: no URL, a bad scheme, two token sources, --user without a token (exit 2)', async () => {
    for (const args of [[], ['http://x'], ['imap://x', '--user', 'u', '--token-env', 'A', '--token-file', 'f'], ['imap://x', '--user', 'u'], ['imaps://x', '--plaintext']]) {
      const io = recordingIo({});
      expect(await run(['probe', ...args], io)).toBe(EXIT.usage);
      expect(io.errText()).toMatch(/mailwire probe: /);
    }
  });
});
