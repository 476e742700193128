import { ImapClient } from '@mailwire/imap';
import type { ImapClientOptions as ClientOptions } from '@mailwire/imap';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mintToken } from './lab.js';
import { b64, FAKE_PASSWORD, saveRecording } from './record.js';

const lab = inject('lab');
const now = () => Math.floor(Date.now() / 1000);
const token = (sub = lab.oauthUser, exp = now() + 600) => mintToken(lab.secret, { sub, exp });
const open: ImapClient[] = [];
afterEach(() => { for (const c of open.splice(0)) c.close(); });

function client(opts: Partial<ClientOptions> & { auth?: ClientOptions['auth'] }, log?: { dir: string; line: string }[]) {
  const c = new ImapClient({
    host: lab.secureHost, port: lab.ports.imap, security: 'none', tls: { ca: lab.ca, servername: 'localhost' },
    transcript: log ? (e: { dir: string; line: string }) => log.push(e) : undefined, ...opts,
  } as ClientOptions);
  open.push(c);
  return c;
}

describe('IMAP against Dovecot: SASL', () => {
  for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
    it(`${mechanism} with a valid token logs in`, async () => {
      const log: { dir: string; line: string }[] = [];
      const c = client({ security: 'tls', port: lab.ports.imaps, auth: { user: lab.oauthUser, accessToken: token(), mechanism } }, log);
      await c.connect();
      expect((await c.select('INBOX')).readOnly).toBe(false);
      await c.logout();
      if (mechanism === 'XOAUTH2') saveRecording(`imap-${mechanism.toLowerCase()}.txt`, { protocol: 'imap', connection: 'implicit TLS', user: lab.oauthUser, mechanism,
        note: `AUTHENTICATE ${mechanism} with a valid token, SELECT INBOX, LOGOUT` }, log);
    });
    it(`${mechanism} with an expired token fails with the decoded JSON challenge`, async () => {
      const log: { dir: string; line: string }[] = [];
      const c = client({ security: 'tls', port: lab.ports.imaps, auth: { user: lab.oauthUser, accessToken: token(lab.oauthUser, now() - 60), mechanism } }, log);
      const err = await c.connect().then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', responseCode: 'AUTHENTICATIONFAILED' });
      expect((err as { oauthError: unknown }).oauthError).toEqual(
        mechanism === 'XOAUTH2' ? { status: '401', schemes: 'bearer', scope: 'mail' } : { status: 'invalid_token' });
      // The error challenge is on the wire, answered by the empty response (RFC 7628 3.2.3).
      expect(log.some((e) => e.dir === 'S' && e.line.startsWith('+ ey'))).toBe(true);
      if (mechanism === 'XOAUTH2') saveRecording('imap-xoauth2-expired.txt', { protocol: 'imap', connection: 'implicit TLS', user: lab.oauthUser, mechanism,
        note: 'AUTHENTICATE XOAUTH2 with an expired token: the JSON error challenge, the empty response, NO [AUTHENTICATIONFAILED]' }, log);
    });
    it(`${mechanism} with a token for another user fails`, async () => {
      const c = client({ security: 'tls', port: lab.ports.imaps, auth: { user: lab.oauthUser, accessToken: token('mallory@example.test'), mechanism } });
      await expect(c.connect()).rejects.toMatchObject({ code: 'EAUTH' });
    });
  }
  for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
    it(`${mechanism} with the password user logs in over STARTTLS`, async () => {
      const log: { dir: string; line: string }[] = [];
      const c = client({ security: 'starttls', auth: { user: lab.passwordUser, password: lab.password, mechanism } }, log);
      await c.connect();
      await c.select('INBOX');
      await c.logout();
      expect(log.some((e) => e.line.includes(lab.password) || e.line.includes(b64(lab.password)))).toBe(false);
      saveRecording(`imap-${mechanism.toLowerCase()}.txt`, { protocol: 'imap', connection: 'plaintext, upgraded with STARTTLS', user: lab.passwordUser, mechanism,
        responses: mechanism === 'PLAIN' ? [b64(`\0${lab.passwordUser}\0${FAKE_PASSWORD}`)] : [b64(lab.passwordUser), b64(FAKE_PASSWORD)],
        redacted: `the password replaced by ${FAKE_PASSWORD}: replays only against a scripted server`,
        note: `STARTTLS, AUTHENTICATE ${mechanism} with the password user, SELECT INBOX, LOGOUT` }, log);
    });
  }
  it('a 2 KB token goes one-line with SASL-IR (Dovecot takes up to 8,191 chars) and succeeds', async () => {
    const big = mintToken(lab.secret, { sub: lab.oauthUser, exp: now() + 600, pad: 'x'.repeat(1500) });
    expect(big.length).toBeGreaterThan(2000);
    const log: { dir: string; line: string }[] = [];
    const c = client({ security: 'tls', port: lab.ports.imaps, auth: { user: lab.oauthUser, accessToken: big, mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    expect(log.filter((e) => e.dir === 'C' && / AUTHENTICATE /.test(e.line)).map((e) => e.line.replace(/^\S+ /, ''))).toEqual(['AUTHENTICATE XOAUTH2 [redacted]']);
    expect(log.some((e) => e.dir === 'S' && e.line.startsWith('+'))).toBe(false);
    await c.logout();
  });
  it('a wrong password fails with EAUTH', async () => {
    const c = client({ security: 'tls', port: lab.ports.imaps, auth: { user: lab.passwordUser, password: 'nope', mechanism: 'PLAIN' } });
    await expect(c.connect()).rejects.toMatchObject({ code: 'EAUTH' });
  });
  it('implicit TLS refuses a certificate from an unknown CA', async () => {
    const c = client({ security: 'tls', port: lab.ports.imaps, tls: { servername: 'localhost' } });
    await expect(c.connect()).rejects.toBeTruthy();
  });
});

describe('IMAP against Dovecot: the TLS-required endpoint (127.0.0.2)', () => {
  it('refuses plaintext auth: mailwire will not send credentials and Dovecot says LOGINDISABLED', async () => {
    const log: { dir: string; line: string }[] = [];
    const c = client({ host: lab.insecureHost, security: 'none', auth: { user: lab.oauthUser, accessToken: token() } }, log);
    await expect(c.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    expect(log.some((e) => e.dir === 'C' && /AUTHENTICATE|LOGIN /i.test(e.line))).toBe(false);
  });
  it('even with allowInsecureAuth, the LOGINDISABLED greeting leaves no mechanism: nothing is sent', async () => {
    const log: { dir: string; line: string }[] = [];
    const c = client({ host: lab.insecureHost, security: 'none', allowInsecureAuth: true, auth: { user: lab.passwordUser, password: lab.password, mechanism: 'PLAIN' } }, log);
    await expect(c.connect()).rejects.toMatchObject({ code: 'ENOAUTHMECH' });
    expect(log.some((e) => e.dir === 'C' && /AUTHENTICATE|LOGIN /i.test(e.line))).toBe(false);
  });
  it('works after STARTTLS, with no credentials before the upgrade in the transcript', async () => {
    const log: { dir: string; line: string }[] = [];
    const c = client({ host: lab.insecureHost, security: 'starttls', auth: { user: lab.oauthUser, accessToken: token(), mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    const starttls = log.findIndex((e) => e.dir === 'C' && /STARTTLS/i.test(e.line));
    const auth = log.findIndex((e) => e.dir === 'C' && /AUTHENTICATE/i.test(e.line));
    expect(starttls).toBeGreaterThanOrEqual(0);
    expect(auth).toBeGreaterThan(starttls);
    expect(log.slice(0, starttls).some((e) => e.line.includes('LOGINDISABLED'))).toBe(true);
    await c.logout();
    saveRecording('imap-starttls-required.txt', { protocol: 'imap', connection: 'plaintext, upgraded with STARTTLS', user: lab.oauthUser, mechanism: 'XOAUTH2',
      note: '127.0.0.2, where Dovecot requires TLS: greeting with LOGINDISABLED, STARTTLS, CAPABILITY again, AUTHENTICATE XOAUTH2, LOGOUT' }, log);
  });
});

const MSG = (n: number) =>
  `From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: interop ${n}\r\n` +
  `Message-ID: <interop-${n}@example.test>\r\nDate: Fri, 4 Dec 2026 00:00:0${n} +0000\r\nMIME-Version: 1.0\r\n` +
  `Content-Type: text/plain; charset=utf-8\r\n\r\nbody number ${n}\r\n`;

describe('IMAP against Dovecot: a real session', () => {
  it('APPEND, LIST, SELECT, FETCH, STORE, SEARCH, MOVE, IDLE woken by another APPEND, EXPUNGE', async () => {
    const user = lab.passwordUser;
    const auth = { user, password: lab.password, mechanism: 'PLAIN' as const };
    // Resolved when Dovecot's continuation answers our IDLE: the event the second APPEND waits for.
    let idleAccepted!: () => void;
    const accepted = new Promise<void>((r) => { idleAccepted = r; });
    let idleSent = false;
    const c = client({ security: 'tls', port: lab.ports.imaps, auth, transcript: (e) => {
      if (e.dir === 'C' && / IDLE$/.test(e.line)) idleSent = true;
      else if (idleSent && e.dir === 'S' && e.line.startsWith('+')) idleAccepted();
    } });
    await c.connect();
    await c.create('Archive');
    await c.append('INBOX', MSG(1));
    await c.append('INBOX', MSG(2));
    const names = (await c.list()).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['INBOX', 'Archive']));
    const box = await c.select('INBOX');
    expect(box.exists).toBe(2);

    const got = [];
    for await (const r of c.fetch('1:2', ['UID', 'FLAGS', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY.PEEK[]'])) got.push(r);
    expect(got.map((r) => r.envelope?.subject)).toEqual(['interop 1', 'interop 2']);
    expect(got[0]!.envelope?.from).toEqual([{ name: 'Alice', mailbox: 'alice', host: 'example.test' }]);
    expect(got[0]!.bodyStructure).toMatchObject({ type: 'text', subtype: 'plain', parameters: { charset: 'utf-8' } });
    expect(Buffer.from(got[1]!.body!['BODY[]']!).toString()).toBe(MSG(2));

    await c.store('1', ['\\Flagged']);
    expect(await c.search({ flagged: true })).toEqual([1]);
    expect(await c.search({ subject: 'interop 2' })).toEqual([2]);

    await c.move('1', 'Archive');
    expect(await c.search({ all: true })).toEqual([1]);

    const other = client({ security: 'tls', port: lab.ports.imaps, auth });
    await other.connect();
    const ac = new AbortController();
    const updates: unknown[] = [];
    const idling = c.idle({ signal: ac.signal, onUpdate: (u) => { updates.push(u); if (u.type === 'exists') ac.abort(); } });
    // The APPEND goes only once Dovecot confirmed the IDLE: the EXISTS must wake the idling client.
    await accepted;
    await other.append('INBOX', MSG(3));
    await idling;
    expect(updates).toContainEqual({ type: 'exists', count: 2 });
    await other.logout();

    await c.store('1', ['\\Deleted']);
    await c.expunge();
    expect(await c.search({ all: true })).toEqual([1]);
    const after = [];
    for await (const r of c.fetch('1', ['ENVELOPE'])) after.push(r.envelope?.subject);
    expect(after).toEqual(['interop 3']);
    expect((await c.select('Archive')).exists).toBe(1);
    await c.logout();
  });
});

describe('IMAP against Dovecot: the recorded session', () => {
  it('XOAUTH2, APPEND, CREATE, LIST, SELECT, FETCH, STORE, SEARCH, MOVE, EXPUNGE, LOGOUT (fixtures/dovecot/imap-session.txt)', async () => {
    const user = 'dave@example.test';
    const log: { dir: string; line: string }[] = [];
    const c = client({ security: 'tls', port: lab.ports.imaps, auth: { user, accessToken: token(user), mechanism: 'XOAUTH2' } }, log);
    await c.connect();
    await c.append('INBOX', MSG(1));
    await c.append('INBOX', MSG(2));
    await c.create('Archive');
    expect((await c.list('', '*')).map((e) => e.name).sort()).toEqual(['Archive', 'INBOX']);
    expect(await c.select('INBOX')).toMatchObject({ exists: 2, readOnly: false });
    const got = [];
    for await (const r of c.fetch('1:2', ['UID', 'FLAGS', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY.PEEK[]'])) got.push(r);
    expect(got.map((r) => r.uid)).toEqual([1, 2]);
    expect(got[0]!.envelope).toMatchObject({ subject: 'interop 1', messageId: '<interop-1@example.test>' });
    expect(got[1]!.bodyStructure).toMatchObject({ type: 'text', subtype: 'plain', size: 15, lines: 1 });
    expect(Buffer.from(got[0]!.body!['BODY[]']!).toString('latin1')).toBe(MSG(1));
    await c.store('2', ['\\Seen']);
    expect(await c.search({ seen: true })).toEqual([2]);
    await c.move('2', 'Archive');
    await c.store('1', ['\\Deleted']);
    await c.expunge();
    expect(await c.search({ all: true })).toEqual([]);
    await c.logout();
    saveRecording('imap-session.txt', { protocol: 'imap', connection: 'implicit TLS', user, mechanism: 'XOAUTH2',
      note: 'APPEND x2, CREATE, LIST, SELECT, FETCH (UID FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[]), STORE, SEARCH, MOVE, STORE, EXPUNGE, SEARCH, LOGOUT' }, log);
  });
});
