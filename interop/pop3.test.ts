import { ImapClient } from '@mailwire/imap';
import { Pop3Client } from '@mailwire/pop3';
import type { Pop3ClientOptions } from '@mailwire/pop3';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mintToken } from './lab.js';
import { saveRecording } from './record.js';

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
      const c = client({ auth: { user: lab.oauthUser, accessToken: token(lab.oauthUser, now() - 60), mechanism } });
      const err = await c.connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', responseCode: 'AUTH' });
      expect((err as { oauthError: unknown }).oauthError).toEqual(
        mechanism === 'XOAUTH2' ? { status: '401', schemes: 'bearer', scope: 'mail' } : { status: 'invalid_token' });
    });
    it(`${mechanism} with a token for another user fails`, async () => {
      const c = client({ auth: { user: lab.oauthUser, accessToken: token('mallory@example.test'), mechanism } });
      await expect(c.connect()).rejects.toMatchObject({ code: 'EAUTH' });
    });
  }
  for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
    it(`${mechanism} with the password user over STLS`, async () => {
      const c = client({ auth: { user: lab.passwordUser, password: lab.password, mechanism } });
      await c.connect();
      await c.quit();
    });
  }
  it('127.0.0.2: STLS before any credentials, then success', async () => {
    const log: Line[] = [];
    const c = client({ host: lab.insecureHost, auth: { user: lab.oauthUser, accessToken: token(), mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    const stls = log.findIndex((e) => e.dir === 'C' && e.line === 'STLS');
    const auth = log.findIndex((e) => e.dir === 'C' && e.line.startsWith('AUTH'));
    expect(stls).toBeGreaterThanOrEqual(0);
    expect(auth).toBeGreaterThan(stls);
    await c.quit();
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
    const imap = new ImapClient({ host: lab.secureHost, port: lab.ports.imaps, security: 'tls', tls: { ca: lab.ca, servername: 'localhost' },
      auth: { user, accessToken: token(user), mechanism: 'XOAUTH2' } });
    await imap.connect();
    await imap.append('INBOX', MSG(1));
    await imap.append('INBOX', MSG(2));
    await imap.logout();

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

    const again = new ImapClient({ host: lab.secureHost, port: lab.ports.imaps, security: 'tls', tls: { ca: lab.ca, servername: 'localhost' },
      auth: { user, accessToken: token(user), mechanism: 'XOAUTH2' } });
    await again.connect();
    expect((await again.select('INBOX')).exists).toBe(1);
    const subjects = [];
    for await (const r of again.fetch('1', ['ENVELOPE'])) subjects.push(r.envelope?.subject);
    expect(subjects).toEqual(['pop 2']);
    await again.logout();
  });
});
