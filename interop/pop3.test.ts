import { Pop3Client } from '@mailwire/pop3';
import type { Pop3ClientOptions } from '@mailwire/pop3';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { appendOverImap, imapAs } from './imap-as.js';
import { mintToken } from './lab.js';
import { b64, FAKE_PASSWORD, saveRecording } from './record.js';

const lab = inject('lab');
const now = () => Math.floor(Date.now() / 1000);
const token = (sub = lab.oauthUser, exp = now() + 600) => mintToken(lab.secret, { sub, exp });
type Line = { dir: string; line: string };
const open: Pop3Client[] = [];
afterEach(() => { for (const c of open.splice(0)) (c as unknown as { close?: () => void }).close?.(); });

function client(opts: Partial<Pop3ClientOptions>, log?: Line[]) {
  const c = new Pop3Client({
    host: lab.secureHost, port: lab.ports.pop3, security: 'starttls', tls: { ca: lab.ca, servername: 'localhost' },
    transcript: log ? (e: Line) => log.push(e) : undefined, ...opts,
  } as Pop3ClientOptions);
  open.push(c);
  return c;
}

describe('POP3 against Dovecot: SASL', () => {
  for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
    it(`${mechanism} with a valid token logs in (implicit TLS)`, async () => {
      const log: Line[] = [];
      const c = client({ security: 'tls', port: lab.ports.pop3s, auth: { user: lab.oauthUser, accessToken: token(), mechanism } }, log);
      await c.connect();
      expect(await c.stat()).toMatchObject({ count: expect.any(Number) });
      await c.quit();
      if (mechanism === 'XOAUTH2') saveRecording('pop3-xoauth2.txt', { protocol: 'pop3', connection: 'implicit TLS', user: lab.oauthUser, mechanism,
        note: 'CAPA, AUTH XOAUTH2 with an initial response and a valid token, STAT, QUIT' }, log);
    });
    it(`${mechanism} with an expired token fails with the decoded JSON challenge`, async () => {
      const log: Line[] = [];
      const c = client({ security: 'tls', port: lab.ports.pop3s, auth: { user: lab.oauthUser, accessToken: token(lab.oauthUser, now() - 60), mechanism } }, log);
      const err = await c.connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', responseCode: 'AUTH' });
      expect((err as { oauthError: unknown }).oauthError).toEqual(
        mechanism === 'XOAUTH2' ? { status: '401', schemes: 'bearer', scope: 'mail' } : { status: 'invalid_token' });
      expect(log.some((e) => e.dir === 'S' && e.line.startsWith('+ ey'))).toBe(true);
      if (mechanism === 'XOAUTH2') saveRecording('pop3-xoauth2-expired.txt', { protocol: 'pop3', connection: 'implicit TLS', user: lab.oauthUser, mechanism,
        note: 'AUTH XOAUTH2 with an expired token: the JSON error challenge, the empty response, -ERR [AUTH]' }, log);
    });
    it(`${mechanism} with a token for another user fails`, async () => {
      const c = client({ auth: { user: lab.oauthUser, accessToken: token('mallory@example.test'), mechanism } });
      await expect(c.connect()).rejects.toMatchObject({ code: 'EAUTH' });
    });
  }
  for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
    it(`${mechanism} with the password user over STLS`, async () => {
      const log: Line[] = [];
      const c = client({ auth: { user: lab.passwordUser, password: lab.password, mechanism } }, log);
      await c.connect();
      await c.quit();
      expect(log.some((e) => e.line.includes(lab.password) || e.line.includes(b64(lab.password)))).toBe(false);
      saveRecording(`pop3-${mechanism.toLowerCase()}.txt`, { protocol: 'pop3', connection: 'plaintext, upgraded with STLS', user: lab.passwordUser, mechanism,
        responses: mechanism === 'PLAIN' ? [b64(`\0${lab.passwordUser}\0${FAKE_PASSWORD}`)] : [b64(lab.passwordUser), b64(FAKE_PASSWORD)],
        redacted: `the password replaced by ${FAKE_PASSWORD}: replays only against a scripted server`,
        note: `CAPA, STLS, CAPA, AUTH ${mechanism} with the password user, QUIT` }, log);
    });
  }
  it('a 2 KB token goes two-step (RFC 5034: the AUTH line stays within 255 octets) and succeeds', async () => {
    const big = mintToken(lab.secret, { sub: lab.oauthUser, exp: now() + 600, pad: 'x'.repeat(1500) });
    expect(big.length).toBeGreaterThan(2000);
    const log: Line[] = [];
    const c = client({ security: 'tls', port: lab.ports.pop3s, auth: { user: lab.oauthUser, accessToken: big, mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    expect(log.filter((e) => e.dir === 'C' && e.line.startsWith('AUTH')).map((e) => e.line)).toEqual(['AUTH XOAUTH2']);
    expect(log.some((e) => e.dir === 'S' && e.line === '+ ')).toBe(true);   // Dovecot's bare continuation, trailing space and all
    await c.quit();
  });
  it('127.0.0.2: STLS before any credentials, then success', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, auth: { user: lab.oauthUser, accessToken: token(), mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    const stls = log.findIndex((e) => e.dir === 'C' && e.line === 'STLS');
    const auth = log.findIndex((e) => e.dir === 'C' && e.line.startsWith('AUTH'));
    expect(stls).toBeGreaterThanOrEqual(0);
    expect(auth).toBeGreaterThan(stls);
    await c.quit();
    saveRecording('pop3-stls-required.txt', { protocol: 'pop3', connection: 'plaintext, upgraded with STLS', user: lab.oauthUser, mechanism: 'XOAUTH2',
      note: '127.0.0.2, where Dovecot requires TLS: CAPA without SASL, STLS, CAPA again, AUTH XOAUTH2, QUIT' }, log);
  });
  it('127.0.0.2 refuses plaintext auth itself: its CAPA names no SASL mechanism, so even allowInsecureAuth sends nothing', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, security: 'none', allowInsecureAuth: true, auth: { user: lab.passwordUser, password: lab.password, mechanism: 'PLAIN' } }, log);
    const err = await c.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENOAUTHMECH' });
    expect(log.filter((e) => e.dir === 'S' && e.line.startsWith('SASL'))).toEqual([{ dir: 'S', line: 'SASL' }]);
    expect(log.some((e) => e.dir === 'C' && /^(AUTH|USER|PASS)/.test(e.line))).toBe(false);
    expect(log.some((e) => e.dir === 'C' && e.line.includes(lab.password))).toBe(false);
  });
  it('127.0.0.2 with security none: mailwire refuses to send credentials', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, security: 'none', auth: { user: lab.oauthUser, accessToken: token() } }, log);
    await expect(c.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    expect(log.some((e) => e.dir === 'C' && /^(AUTH|USER|PASS)/.test(e.line))).toBe(false);
  });
});

const MSG = (n: number) => `From: a@example.test\r\nTo: b@example.test\r\nSubject: pop ${n}\r\n\r\n.leading dot ${n}\r\n`;

describe('POP3 against Dovecot: a real session', () => {
  it('messages APPENDed over IMAP: STAT, UIDL, RETR, DELE, QUIT, and the deletion seen from IMAP', async () => {
    const user = 'carol@example.test';
    await appendOverImap(lab, user, token(user), [MSG(1), MSG(2)]);

    const c = client({ security: 'tls', port: lab.ports.pop3s, auth: { user, accessToken: token(user), mechanism: 'OAUTHBEARER' } });
    await c.connect();
    expect(await c.stat()).toEqual({ count: 2, size: MSG(1).length + MSG(2).length });
    const uidl = await c.uidl();
    expect(uidl.map((u) => u.msg)).toEqual([1, 2]);
    expect(new Set(uidl.map((u) => u.uid)).size).toBe(2);
    expect(Buffer.from(await c.retr(1)).toString()).toBe(MSG(1));
    expect(Buffer.from(await c.retr(2)).toString()).toBe(MSG(2));
    await c.dele(1);
    await c.quit();

    const again = imapAs(lab, user, token(user));
    await again.connect();
    expect((await again.select('INBOX')).exists).toBe(1);
    const subjects = [];
    for await (const r of again.fetch('1', ['ENVELOPE'])) subjects.push(r.envelope?.subject);
    expect(subjects).toEqual(['pop 2']);
    await again.logout();
  });
});

describe('POP3 against Dovecot: the recorded session', () => {
  it('XOAUTH2, STAT, UIDL, LIST, RETR x2, DELE, QUIT (fixtures/dovecot/pop3-session.txt)', async () => {
    const user = 'erin@example.test';
    await appendOverImap(lab, user, token(user), [MSG(1), MSG(2)]);
    const log: Line[] = [];
    const c = client({ security: 'tls', port: lab.ports.pop3s, auth: { user, accessToken: token(user), mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    expect(await c.stat()).toEqual({ count: 2, size: MSG(1).length + MSG(2).length });
    expect((await c.uidl()).map((u) => u.msg)).toEqual([1, 2]);
    expect(await c.list()).toEqual([{ msg: 1, size: MSG(1).length }, { msg: 2, size: MSG(2).length }]);
    expect(Buffer.from(await c.retr(1)).toString()).toBe(MSG(1));
    expect(Buffer.from(await c.retr(2)).toString()).toBe(MSG(2));
    await c.dele(1);
    await c.quit();
    // The leading dot of the body went dot-stuffed on the wire.
    expect(log.some((e) => e.dir === 'S' && e.line === '..leading dot 1')).toBe(true);
    saveRecording('pop3-session.txt', { protocol: 'pop3', connection: 'implicit TLS', user, mechanism: 'XOAUTH2',
      note: 'AUTH XOAUTH2, STAT, UIDL, LIST, RETR 1, RETR 2 (dot-stuffed), DELE 1, QUIT' }, log);
  });
});
