/**
 * Issue 11, item 6 for POP3 and SMTP: a CR, LF or NUL in any caller-given argument (POP3
 * USER name, password, mechanism, message numbers; SMTP addresses, DSN parameters, sizes,
 * EHLO name, AUTH user and mechanism) is refused with EUSAGE, and the line that would have
 * held it is never written — nor anything after it. Neither protocol has literals, so
 * refusing is the only defence.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { Pop3Client } from '@mailwire/pop3';
import { SmtpClient } from '@mailwire/smtp';

import { lineServer, type LineServer } from './line-server.js';

const BAD = { CR: '\r', LF: '\n', CRLF: '\r\n', NUL: '\0' } as const;
const MARK = 'INJECTED';
const inject = (bad: string) => `x${bad}${MARK} y`;
const cases = <T>(table: [string, T][]) => table.flatMap(([name, run]) => Object.entries(BAD).map(([bad, ch]) => [name, bad, run, ch] as const));

const servers: LineServer[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  for (const s of servers.splice(0)) await s.close();
});

/** Runs `fn`, catching a synchronous throw too (a constructor refusing an option). */
async function attempt(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

/**
 * The injected text never starts a line the server read. Refused: a typed refusal made
 * before the line that would have held it was written. Not refused: the value travelled
 * encoded (base64 in SASL, xtext in ENVID) or was not sent at all.
 */
function expectNoInjection(err: unknown, s: LineServer, sentBefore: number): void {
  expect(s.lines.filter((l) => l.startsWith(MARK) || l.startsWith(' y'))).toEqual([]);
  if (err !== undefined) {
    expect(err).toMatchObject({ code: expect.stringMatching(/^(EUSAGE|ESASLINPUT|ENOAUTHMECH)$/) });
    expect(s.lines.slice(sentBefore).join('\n')).not.toContain(MARK);
  }
}

describe('POP3: CR, LF and NUL in caller-given arguments', () => {
  async function pop3(): Promise<LineServer> {
    const s = await lineServer('+OK ready\r\n', (line) => {
      if (line === 'CAPA') return '+OK\r\nUSER\r\nSASL PLAIN LOGIN XOAUTH2\r\nUIDL\r\nTOP\r\n.\r\n';
      if (line === 'LIST' || line === 'UIDL') return '+OK\r\n.\r\n';
      return '+OK\r\n';
    });
    servers.push(s);
    return s;
  }
  const client = (s: LineServer, auth?: Record<string, unknown>) => {
    const c = new Pop3Client({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, timeoutMs: 60_000, ...(auth ? { auth: auth as never } : {}) });
    closers.push(() => c.close());
    return c;
  };

  const atLogin = cases<(v: string) => Record<string, unknown>>([
    ['USER name', (v) => ({ user: v, password: 'p', mechanism: 'USER' })],
    ['PASS password', (v) => ({ user: 'u', password: v, mechanism: 'USER' })],
    ['AUTH mechanism', (v) => ({ user: 'u', password: 'p', mechanism: `PLAIN${v}` })],
    ['AUTH PLAIN user', (v) => ({ user: v, password: 'p', mechanism: 'PLAIN' })],
  ]);
  it.each(atLogin)('%s with %s: refused before its line is written, or sent encoded', async (name, bad, auth, ch) => {
    const s = await pop3();
    const err = await attempt(() => client(s, auth(inject(ch))).connect());
    expectNoInjection(err, s, 0);
    // Only PLAIN's base64 can carry a CR or LF harmlessly; a NUL there would shift the fields.
    if (!(name === 'AUTH PLAIN user' && bad !== 'NUL')) expect(err).toBeDefined();
  });

  const commands = cases<(c: Pop3Client, v: string) => Promise<unknown>>([
    ['RETR number', (c, v) => c.retr(v as never)],
    ['TOP number', (c, v) => c.top(1, v as never)],
    ['DELE number', (c, v) => c.dele(v as never)],
  ]);
  it.each(commands)('%s with %s: a rejected promise (EUSAGE), nothing written', async (_name, _bad, run, ch) => {
    const s = await pop3();
    const c = client(s, { user: 'u', password: 'p', mechanism: 'USER' });
    await c.connect();
    const before = s.lines.length;
    const p = run(c, `1${ch}${MARK} 2`);
    await expect(p).rejects.toMatchObject({ code: 'EUSAGE' });
    expect(s.lines.slice(before)).toEqual([]);
    await c.noop();
  });
});

describe('SMTP: CR, LF and NUL in caller-given arguments', () => {
  async function smtp(): Promise<LineServer> {
    let data = false;
    const s = await lineServer('220 mx ready\r\n', (line) => {
      if (data) {
        if (line === '.') {
          data = false;
          return '250 queued\r\n';
        }
        return;
      }
      if (line.startsWith('EHLO')) return '250-mx\r\n250-PIPELINING\r\n250-DSN\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n';
      if (line === 'DATA') {
        data = true;
        return '354 go\r\n';
      }
      if (line.startsWith('AUTH')) return '235 ok\r\n';
      return '250 ok\r\n';
    });
    servers.push(s);
    return s;
  }
  const client = (s: LineServer, extra: Record<string, unknown> = {}) => {
    const c = new SmtpClient({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, timeoutMs: 60_000, pipelining: false, ...extra });
    closers.push(() => c.close());
    return c;
  };

  const envelopes = cases<(v: string) => Record<string, unknown>>([
    ['MAIL FROM address', (v) => ({ from: `a${v}@x.org`, to: ['b@y.org'] })],
    ['RCPT TO address', (v) => ({ from: 'a@x.org', to: [`b${v}@y.org`] })],
    ['second RCPT TO address', (v) => ({ from: 'a@x.org', to: ['b@y.org', `c${v}@y.org`] })],
    ['DSN ENVID', (v) => ({ from: 'a@x.org', to: ['b@y.org'], dsn: { envid: v } })],
    ['DSN RET', (v) => ({ from: 'a@x.org', to: ['b@y.org'], dsn: { ret: v } })],
    ['DSN NOTIFY', (v) => ({ from: 'a@x.org', to: ['b@y.org'], dsn: { notify: [v] } })],
    ['SIZE', (v) => ({ from: 'a@x.org', to: ['b@y.org'], size: `1${v}` })],
  ]);
  it.each(envelopes)('%s with %s: refused before any envelope line, or sent encoded', async (name, _bad, envelope, ch) => {
    const s = await smtp();
    const c = client(s);
    await c.connect();
    const before = s.lines.length;
    const err = await attempt(() => c.send(envelope(inject(ch)) as never, 'Subject: x\r\n\r\nbody\r\n'));
    expectNoInjection(err, s, before);
    if (err !== undefined) expect(s.lines.slice(before)).toEqual([]);
    // ENVID goes as xtext (RFC 3461 §4), SIZE is measured for a string message: neither sends the caller's bytes raw.
    if (!/ENVID|SIZE/.test(name)) expect(err).toBeDefined();
    await c.noop();
  });

  const atConnect = cases<(v: string) => Record<string, unknown>>([
    ['EHLO name', (v) => ({ name: v })],
    ['AUTH mechanism', (v) => ({ auth: { user: 'u', password: 'p', mechanism: `PLAIN${v}` } })],
    ['AUTH PLAIN user', (v) => ({ auth: { user: v, password: 'p', mechanism: 'PLAIN' } })],
  ]);
  it.each(atConnect)('%s with %s: refused before its line is written, or sent encoded', async (name, bad, extra, ch) => {
    const s = await smtp();
    const err = await attempt(() => client(s, extra(inject(ch))).connect());
    expectNoInjection(err, s, 0);
    if (!(name === 'AUTH PLAIN user' && bad !== 'NUL')) expect(err).toBeDefined();
    if (name === 'EHLO name') expect(s.lines).toEqual([]);
  });
});
