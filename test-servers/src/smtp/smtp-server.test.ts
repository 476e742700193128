import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServers, type TestServers } from '../test-servers.js';
import { LineClient } from '../test-util/line-client.test-util.js';

const xo = (user: string, token: string) => Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
const USERS = [
  { user: 'alice@example.com', password: 'pw', tokens: ['good'] },
  { user: 'bob@example.com', tokens: ['bobtok'], smtpAuthDisabled: true },
];

async function ready(port: number, ca?: string): Promise<LineClient> {
  const c = await LineClient.open(port, ca ? { ca, servername: 'localhost' } : undefined);
  await c.line();
  await c.exchange('EHLO client.example', /^250 /);
  return c;
}

describe('SMTP server, outlook', () => {
  let s: TestServers;
  beforeAll(async () => {
    s = await startTestServers({ personality: 'outlook', users: USERS, now: () => new Date('2026-11-23T12:00:00Z') });
  });
  afterAll(() => s.stop());

  it('greets and answers EHLO like Exchange, STARTTLS before AUTH', async () => {
    const c = await LineClient.open(s.smtp.port);
    expect(await c.line()).toBe('220 SN2PR00CA0018.namprd00.prod.outlook.com Microsoft ESMTP MAIL Service ready at Mon, 23 Nov 2026 12:00:00 +0000');
    expect(await c.exchange('EHLO me', /^250 /)).toBe('250-SN2PR00CA0018.namprd00.prod.outlook.com Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 8BITMIME');
    expect(await c.exchange('MAIL FROM:<a@b>', /^/)).toMatch(/^530 5\.7\.57 /);
    expect(await c.exchange('STARTTLS', /^/)).toBe('220 2.0.0 SMTP server ready');
    await c.startTls(s.ca);
    expect(await c.exchange('EHLO me', /^250 /)).toContain('250-AUTH PLAIN XOAUTH2\r\n');
    c.close();
  });

  it('answers 235, 535 5.7.3 and 535 5.7.139 (SMTP AUTH disabled for the tenant)', async () => {
    const c = await ready(s.smtp.tlsPort, s.ca);
    expect(await c.exchange('AUTH XOAUTH2', /^/)).toBe('334 ');
    expect(await c.exchange(xo('alice@example.com', 'nope'), /^/)).toBe('535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]');
    expect(await c.exchange(`AUTH XOAUTH2 ${xo('bob@example.com', 'bobtok')}`, /^/)).toBe(
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN2PR00CA0018.namprd00.prod.outlook.com]',
    );
    await c.exchange('AUTH XOAUTH2', /^/);
    expect(await c.exchange(xo('alice@example.com', 'good'), /^/)).toBe('235 2.7.0 Authentication successful');
    c.close();
  });

  it('unstuffs DATA and delivers to local recipients only; a bare LF never ends DATA', async () => {
    const c = await ready(s.smtp.tlsPort, s.ca);
    await c.exchange(`AUTH PLAIN ${Buffer.from('\0alice@example.com\0pw').toString('base64')}`, /^235/);
    expect(await c.exchange('MAIL FROM:<alice@example.com> SIZE=100', /^/)).toBe('250 2.1.0 Sender OK');
    expect(await c.exchange('RCPT TO:<alice@example.com>', /^/)).toBe('250 2.1.5 Recipient OK');
    expect(await c.exchange('RCPT TO:<someone@elsewhere.example>', /^/)).toBe('250 2.1.5 Recipient OK');
    expect(await c.exchange('DATA', /^/)).toBe('354 Start mail input; end with <CRLF>.<CRLF>');
    const before = s.store.find('alice@example.com', 'INBOX')!.messages.length;
    expect(await c.exchange('Subject: t\r\n\r\n..leading dot\r\nsmuggle\n.\nMAIL FROM:<x@y>\r\n.', /^250/)).toMatch(/^250 2\.0\.0 OK <OUTLOOK000001@/);
    const inbox = s.store.find('alice@example.com', 'INBOX')!.messages;
    expect(inbox.length).toBe(before + 1);
    expect(inbox[inbox.length - 1]!.raw.toString('latin1')).toBe('Subject: t\r\n\r\n.leading dot\r\nsmuggle\n.\nMAIL FROM:<x@y>\r\n');
    expect(await c.exchange('QUIT', /^/)).toBe('221 2.0.0 Service closing transmission channel');
  });

  it('ends a session whose token expired with 421 at its next command', async () => {
    const t = await startTestServers({ personality: 'outlook', users: [{ user: 'e@x', tokens: ['soon-old'] }] });
    const c = await ready(t.smtp.tlsPort, t.ca);
    await c.exchange(`AUTH XOAUTH2 ${xo('e@x', 'soon-old')}`, /^235/);
    t.expireToken('soon-old');
    await c.send('MAIL FROM:<e@x>\r\n');
    expect(await c.rest()).toBe('421 4.7.0 Session invalidated - AccessTokenExpired');
    await t.stop();
  });

  it('answers out-of-order commands, unknown verbs and oversized messages', async () => {
    const c = await LineClient.open(s.smtp.tlsPort, { ca: s.ca });
    await c.line();
    expect(await c.exchange('AUTH PLAIN', /^/)).toBe('503 5.5.2 Send hello first');
    await c.exchange('EHLO x', /^250 /);
    expect(await c.exchange('RCPT TO:<a@b>', /^/)).toBe('503 5.5.2 Send hello first');
    expect(await c.exchange('FROB', /^/)).toBe('500 5.3.3 Unrecognized command');
    await c.exchange(`AUTH PLAIN ${Buffer.from('\0alice@example.com\0pw').toString('base64')}`, /^235/);
    expect(await c.exchange('MAIL FROM:<a@b> SIZE=999999999', /^/)).toBe('552 5.3.4 Message size exceeds fixed maximum message size');
    c.close();
  });
});

describe('SMTP server, gmail', () => {
  let s: TestServers;
  beforeAll(async () => {
    s = await startTestServers({ personality: 'gmail', users: USERS });
  });
  afterAll(() => s.stop());

  it('sends the XOAUTH2 error challenge, then the multi-line 535-5.7.8', async () => {
    const c = await ready(s.smtp.tlsPort, s.ca);
    expect(await c.exchange(`AUTH XOAUTH2 ${xo('alice@example.com', 'nope')}`, /^/)).toBe('334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==');
    expect(await c.exchange('', /^535 /)).toBe('535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3d4e5f6 - gsmtp');
    c.close();
  });

  it('refuses an AUTH line past 700 octets with 555 5.5.2, and takes the same token two-step', async () => {
    const token = 'g'.repeat(600);
    const u = { user: 'carol@example.com', tokens: [token] };
    const t = await startTestServers({ personality: 'gmail', users: [u] });
    const c = await ready(t.smtp.tlsPort, t.ca);
    expect(await c.exchange(`AUTH XOAUTH2 ${xo(u.user, token)}`, /^555 /)).toMatch(/^555-5\.5\.2 Syntax error, command line too long/);
    await c.exchange('AUTH XOAUTH2', /^334/);
    expect(await c.exchange(xo(u.user, token), /^/)).toBe('235 2.7.0 Accepted');
    c.close();
    await t.stop();
  });
});

describe('SMTP server, recipients', () => {
  it('answers 452 4.5.3 past 1000 recipients of one message, and still delivers to the first 1000', async () => {
    const t = await startTestServers({ personality: 'dovecot', users: USERS });
    const c = await ready(t.smtp.port);
    expect(await c.exchange(`AUTH PLAIN ${Buffer.from('\x00alice@example.com\x00pw').toString('base64')}`, /^/)).toMatch(/^235 /);
    expect(await c.exchange('MAIL FROM:<a@b>', /^/)).toMatch(/^250 /);
    const rcpts = Array.from({ length: 1000 }, (_, i) => `RCPT TO:<r${i}@elsewhere>\r\n`).join('');
    await c.send(Buffer.from(rcpts));
    for (let i = 0; i < 1000; i++) expect(await c.line()).toMatch(/^250 /);
    expect(await c.exchange('RCPT TO:<alice@example.com>', /^/)).toBe('452 4.5.3 Too many recipients');
    expect(await c.exchange('DATA', /^/)).toMatch(/^354 /);
    expect(await c.exchange('Subject: x\r\n\r\nbody\r\n.', /^/)).toMatch(/^250 /);
    c.close();
    await t.stop();
  });
});
