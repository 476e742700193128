import { describe, expect, it } from 'vitest';
import { startTestServers } from '../test-servers.js';
import { LineClient } from '../test-util/line-client.test-util.js';

const USERS = [{ user: 'u@example.com', password: 'pw', tokens: ['t'] }];

describe('faults on the normal servers', () => {
  it('injectAfterStarttls: the injected response arrives in the same write as the go-ahead', async () => {
    const s = await startTestServers({ personality: 'dovecot', users: USERS, faults: { injectAfterStarttls: '* OK injected\r\n' } });
    const c = await LineClient.open(s.imap.port);
    await c.line();
    await c.send('a STARTTLS\r\n');
    expect(await c.line()).toBe('a OK Begin TLS negotiation now.');
    expect(await c.line()).toBe('* OK injected');
    await c.startTls(s.ca);
    expect(await c.imap('b', 'NOOP')).toBe('b OK Noop completed.');
    c.close();
    await s.stop();
  });

  it('STARTTLS discards what a client pipelined after the command (RFC 3207 §4.2)', async () => {
    const s = await startTestServers({ personality: 'dovecot', users: USERS });
    const c = await LineClient.open(s.imap.port);
    await c.line();
    await c.send('a STARTTLS\r\nb LOGIN u@example.com pw\r\n');
    expect(await c.line()).toBe('a OK Begin TLS negotiation now.');
    await c.startTls(s.ca);
    // "b LOGIN" was plaintext sent before the handshake: never executed.
    expect(await c.imap('c', 'NOOP')).toBe('c OK Noop completed.');
    expect(await c.imap('d', 'SELECT INBOX')).toMatch(/^d BAD .*not valid in this state/);
    c.close();
    await s.stop();
  });

  it('garbage: bytes instead of the first reply, then the session goes on', async () => {
    const s = await startTestServers({ personality: 'dovecot', users: USERS, faults: { garbage: '\x00\xff* garbage\r\n' } });
    const c = await LineClient.open(s.imap.port);
    await c.line();
    expect(await c.imap('a', 'NOOP')).toBe('\x00\xff* garbage\r\na OK Noop completed.');
    c.close();
    await s.stop();
  });

  it('byeMidCommand: once authenticated, the next command gets BYE / -ERR / 421 and the connection closes', async () => {
    const s = await startTestServers({ personality: 'dovecot', users: USERS, faults: { byeMidCommand: true } });
    const i = await LineClient.open(s.imap.port);
    await i.line();
    await i.imap('a', 'LOGIN u@example.com pw');
    await i.send('b SELECT INBOX\r\n');
    expect(await i.rest()).toBe('* BYE Server shutting down.');
    const p = await LineClient.open(s.pop3.port);
    await p.line();
    await p.exchange('USER u@example.com', /^/);
    await p.exchange('PASS pw', /^/);
    await p.send('STAT\r\n');
    expect(await p.rest()).toBe('-ERR [SYS/TEMP] Server shutting down.');
    const m = await LineClient.open(s.smtp.port);
    await m.line();
    await m.exchange('EHLO x', /^250 /);
    await m.exchange(`AUTH PLAIN ${Buffer.from('\0u@example.com\0pw').toString('base64')}`, /^235/);
    await m.send('MAIL FROM:<u@example.com>\r\n');
    expect(await m.rest()).toBe('421 4.3.2 Service shutting down');
    await s.stop();
  });

  it('oversizedLiteral: the first body fetch announces a huge literal and streams filler', async () => {
    const s = await startTestServers({ personality: 'dovecot', users: USERS, faults: { oversizedLiteral: 300_000 } });
    s.store.find('u@example.com', 'INBOX')!.append(Buffer.from('Subject: x\r\n\r\ny\r\n'), [], new Date(0));
    const c = await LineClient.open(s.imap.port);
    await c.line();
    await c.imap('a', 'LOGIN u@example.com pw');
    await c.imap('b', 'SELECT INBOX');
    await c.send('c FETCH 1 BODY[]\r\n');
    expect(await c.line()).toBe('* 1 FETCH (BODY[] {300000}');
    const rest = await c.conn.readBytes(300_000);
    expect(rest?.length).toBe(300_000);
    expect(await c.line()).toBe('<closed>');
    await s.stop();
  });

  it('closeAfterBytes and dripBytes apply to everything a normal server writes', async () => {
    const s = await startTestServers({ personality: 'outlook', users: USERS, faults: { closeAfterBytes: 10 } });
    const c = await LineClient.open(s.pop3.port);
    expect((await c.conn.readBytes(10))?.toString('latin1')).toBe('+OK The Mi');
    expect(await c.conn.readBytes(1)).toBeNull();
    await s.stop();
    const d = await startTestServers({ personality: 'gmail', users: USERS, faults: { dripBytes: 0 } });
    const e = await LineClient.open(d.smtp.port);
    expect(await e.line()).toBe('220 smtp.gmail.com ESMTP a1b2c3d4e5f6 - gsmtp');
    e.close();
    await d.stop();
  });
});
