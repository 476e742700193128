import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmtpClient } from '@mailwire/smtp';
import type { SmtpClientOptions } from '@mailwire/smtp';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mintToken } from './lab.js';
import { b64, FAKE_PASSWORD, saveRecording } from './record.js';

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
      const log: Line[] = [];
      const c = client({ security: 'tls', port: lab.ports.submissions, auth: { user: lab.oauthUser, accessToken: token(lab.oauthUser, now() - 60), mechanism } }, log);
      const err = await c.connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', replyCode: 535, enhancedCode: '5.7.8' });
      expect((err as { oauthError: unknown }).oauthError).toEqual(
        mechanism === 'XOAUTH2' ? { status: '401', schemes: 'bearer', scope: 'mail' } : { status: 'invalid_token' });
      expect(log.some((e) => e.dir === 'S' && e.line.startsWith('334 ey'))).toBe(true);
      if (mechanism === 'XOAUTH2') saveRecording('smtp-xoauth2-expired.txt', { protocol: 'smtp', connection: 'implicit TLS', user: lab.oauthUser, mechanism,
        note: 'AUTH XOAUTH2 with an expired token: the JSON error challenge (334), the empty response, 535 5.7.8' }, log);
    });
    it(`${mechanism} with a token for another user fails`, async () => {
      const c = client({ auth: { user: lab.oauthUser, accessToken: token('mallory@example.test'), mechanism } });
      await expect(c.connect()).rejects.toMatchObject({ code: 'EAUTH', replyCode: 535 });
    });
  }
  for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
    it(`${mechanism} with the password user over STARTTLS`, async () => {
      const log: Line[] = [];
      const c = client({ auth: { user: lab.passwordUser, password: lab.password, mechanism } }, log);
      await c.connect();
      await c.quit();
      expect(log.some((e) => e.line.includes(lab.password) || e.line.includes(b64(lab.password)))).toBe(false);
      saveRecording(`smtp-${mechanism.toLowerCase()}.txt`, { protocol: 'smtp', connection: 'plaintext, upgraded with STARTTLS', user: lab.passwordUser, mechanism,
        responses: mechanism === 'PLAIN' ? [b64(`\0${lab.passwordUser}\0${FAKE_PASSWORD}`)] : [b64(lab.passwordUser), b64(FAKE_PASSWORD)],
        redacted: `the password replaced by ${FAKE_PASSWORD}: replays only against a scripted server`,
        note: `EHLO, STARTTLS, EHLO, AUTH ${mechanism} with the password user, QUIT` }, log);
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
  it('the same 2 KB token forced onto the AUTH line gets Dovecot\'s 500 5.5.2 Line too long: why the rule matters', async () => {
    const big = token(lab.oauthUser, now() + 600, { pad: 'x'.repeat(1500) });
    const c = client({ auth: { user: lab.oauthUser, accessToken: big, mechanism: 'XOAUTH2', initialResponse: 'always' } });
    const err = await c.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ replyCode: 500 });
    expect(String((err as { serverText?: string }).serverText)).toContain('Line too long');
  });
  it('127.0.0.2 refuses plaintext auth itself: its EHLO names no AUTH mechanism, so even allowInsecureAuth sends nothing', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, security: 'none', allowInsecureAuth: true, auth: { user: lab.passwordUser, password: lab.password, mechanism: 'PLAIN' } }, log);
    const err = await c.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENOAUTHMECH' });
    expect(log.some((e) => e.dir === 'S' && e.line === '250-AUTH ')).toBe(true);
    expect(log.some((e) => e.dir === 'C' && e.line.startsWith('AUTH'))).toBe(false);
    expect(log.some((e) => e.dir === 'C' && e.line.includes(lab.password))).toBe(false);
  });
  for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
    it(`127.0.0.2: no credentials before STARTTLS, then ${mechanism} succeeds after it`, async () => {
      const log: Line[] = [];
      const c = client({ host: lab.insecureHost, auth: { user: lab.oauthUser, accessToken: token(), mechanism } }, log);
      await c.connect();
      const tls = log.findIndex((e) => e.dir === 'C' && e.line === 'STARTTLS');
      const auth = log.findIndex((e) => e.dir === 'C' && e.line.startsWith('AUTH'));
      expect(tls).toBeGreaterThanOrEqual(0);
      expect(auth).toBeGreaterThan(tls);
      // Before the upgrade Dovecot names the AUTH keyword with no mechanism: `250-AUTH ` (trailing space).
      expect(log.slice(0, tls).filter((e) => e.dir === 'S' && e.line.startsWith('250-AUTH')).map((e) => e.line)).toEqual(['250-AUTH ']);
      await c.quit();
      if (mechanism === 'XOAUTH2') saveRecording('smtp-starttls-required.txt', { protocol: 'smtp', connection: 'plaintext, upgraded with STARTTLS', user: lab.oauthUser, mechanism,
        note: '127.0.0.2, where Dovecot requires TLS: EHLO without AUTH, STARTTLS, EHLO again, AUTH XOAUTH2, QUIT' }, log);
    });
  }
  it('127.0.0.2 with security none: mailwire refuses to send credentials', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, security: 'none', auth: { user: lab.oauthUser, accessToken: token() } }, log);
    await expect(c.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    expect(log.some((e) => e.dir === 'C' && e.line.startsWith('AUTH'))).toBe(false);
  });
});

const SEND_MSG = 'From: alice@example.test\r\nTo: carol@example.test, dave@example.test\r\nSubject: recorded\r\nMessage-ID: <recorded-1@example.test>\r\n\r\n.a line with a leading dot\r\nbye\r\n';

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
  it('the recorded submission: XOAUTH2, MAIL, RCPT, the message, QUIT (fixtures/dovecot/smtp-send.txt)', async () => {
    const log: Line[] = [];
    const c = client({ security: 'tls', port: lab.ports.submissions, auth: { user: lab.oauthUser, accessToken: token(), mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    const r = await c.send({ from: lab.oauthUser, to: ['carol@example.test', 'dave@example.test'] }, SEND_MSG);
    expect(r.accepted).toEqual(['carol@example.test', 'dave@example.test']);
    expect(r.reply.code).toBe(250);
    await c.quit();
    saveRecording('smtp-send.txt', { protocol: 'smtp', connection: 'implicit TLS', user: lab.oauthUser, mechanism: 'XOAUTH2',
      note: 'EHLO, AUTH XOAUTH2, MAIL FROM, RCPT TO x2, the message (relayed to the aiosmtpd sink), QUIT' }, log);
  });
});
