import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmtpClient } from '@mailwire/smtp';
import type { SmtpClientOptions } from '@mailwire/smtp';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mintToken } from './lab.js';
import { saveRecording } from './record.js';

const lab = inject('lab');
const now = () => Math.floor(Date.now() / 1000);
const token = (sub = lab.oauthUser, exp = now() + 600, extra: Record<string, unknown> = {}) => mintToken(lab.secret, { sub, exp, ...extra });
type Line = { dir: string; line: string };
const open: SmtpClient[] = [];
afterEach(async () => { for (const c of open.splice(0)) await c.quit().catch(() => undefined); });

function client(opts: Partial<SmtpClientOptions>, log?: Line[]) {
  const c = new SmtpClient({
    host: lab.secureHost, port: lab.ports.submission, security: 'starttls', tls: { ca: lab.ca, servername: 'localhost' },
    name: 'client.example.test', transcript: log ? (e: Line) => log.push(e) : undefined, ...opts,
  } as SmtpClientOptions);
  open.push(c);
  return c;
}

describe('SMTP submission against Dovecot: SASL', () => {
  for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
    it(`${mechanism} with a valid token logs in (implicit TLS)`, async () => {
      const log: Line[] = [];
      const c = client({ security: 'tls', port: lab.ports.submissions, auth: { user: lab.oauthUser, accessToken: token(), mechanism } }, log);
      await c.connect();
      expect(c.capabilities.has('CHUNKING')).toBe(true);
      await c.quit();
      if (mechanism === 'XOAUTH2') saveRecording('smtp-xoauth2.txt', { protocol: 'smtp', connection: 'implicit TLS', user: lab.oauthUser, mechanism,
        note: 'EHLO, AUTH XOAUTH2 with a valid token, QUIT' }, log);
    });
    it(`${mechanism} with an expired token fails with the decoded JSON challenge`, async () => {
      const c = client({ auth: { user: lab.oauthUser, accessToken: token(lab.oauthUser, now() - 60), mechanism } });
      const err = await c.connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', replyCode: 535, enhancedCode: '5.7.8' });
      expect((err as { oauthError: unknown }).oauthError).toEqual(
        mechanism === 'XOAUTH2' ? { status: '401', schemes: 'bearer', scope: 'mail' } : { status: 'invalid_token' });
    });
    it(`${mechanism} with a token for another user fails`, async () => {
      const c = client({ auth: { user: lab.oauthUser, accessToken: token('mallory@example.test'), mechanism } });
      await expect(c.connect()).rejects.toMatchObject({ code: 'EAUTH', replyCode: 535 });
    });
  }
  for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
    it(`${mechanism} with the password user over STARTTLS`, async () => {
      const c = client({ auth: { user: lab.passwordUser, password: lab.password, mechanism } });
      await c.connect();
    });
  }
  it('a 2 KB token goes two-step (Dovecot refuses an initial response past ~1017 chars) and succeeds', async () => {
    const big = token(lab.oauthUser, now() + 600, { pad: 'x'.repeat(1500) });
    expect(big.length).toBeGreaterThan(2000);
    const log: Line[] = [];
    const c = client({ auth: { user: lab.oauthUser, accessToken: big, mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    expect(log.some((e) => e.dir === 'C' && /^AUTH XOAUTH2$/.test(e.line))).toBe(true);
    expect(log.some((e) => e.dir === 'S' && e.line.startsWith('235'))).toBe(true);
  });
  it('127.0.0.2: no credentials before STARTTLS, then success after it', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, auth: { user: lab.oauthUser, accessToken: token(), mechanism: 'OAUTHBEARER' } }, log);
    await c.connect();
    const tls = log.findIndex((e) => e.dir === 'C' && e.line === 'STARTTLS');
    const auth = log.findIndex((e) => e.dir === 'C' && e.line.startsWith('AUTH'));
    expect(tls).toBeGreaterThanOrEqual(0);
    expect(auth).toBeGreaterThan(tls);
  });
  it('127.0.0.2 with security none: mailwire refuses to send credentials', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, security: 'none', auth: { user: lab.oauthUser, accessToken: token() } }, log);
    await expect(c.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    expect(log.some((e) => e.dir === 'C' && e.line.startsWith('AUTH'))).toBe(false);
  });
});

describe('SMTP submission against Dovecot: relay to the sink', () => {
  it('a message submitted with XOAUTH2 arrives at the aiosmtpd sink byte for byte', async () => {
    const before = new Set(readdirSync(lab.sinkDir));
    const c = client({ auth: { user: lab.oauthUser, accessToken: token(), mechanism: 'XOAUTH2' } });
    await c.connect();
    const msg = 'From: alice@example.test\r\nTo: carol@example.test\r\nSubject: relayed\r\nMessage-ID: <relay-1@example.test>\r\n\r\n.a dot-stuffed line\r\nbye\r\n';
    const r = await c.send({ from: lab.oauthUser, to: ['carol@example.test'] }, msg);
    expect(r.accepted).toEqual(['carol@example.test']);
    await c.quit();
    // Dovecot's 250 after DATA comes only once the relay (the sink) accepted the message.
    const fresh = readdirSync(lab.sinkDir).filter((f) => f.endsWith('.eml') && !before.has(f));
    expect(fresh).toHaveLength(1);
    const got = readFileSync(join(lab.sinkDir, fresh[0]!), 'latin1');
    expect(got).toContain('X-Sink-To: carol@example.test');
    expect(got).toContain('Subject: relayed');
    expect(got).toContain('\r\n.a dot-stuffed line\r\nbye\r\n');
  });
});
