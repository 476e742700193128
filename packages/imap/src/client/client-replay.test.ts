/**
 * Every session fixture replayed against ImapClient over a real socket: the scripted
 * server (test-servers) plays the server side byte for byte and reports whether the
 * client sent exactly the transcript's client side (tags mapped).
 */
import { afterEach, describe, expect, it } from 'vitest';

import { startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';
import type { TranscriptEntry } from '@mailwire/net';

import { loadSession, SESSIONS_DIR } from '../session/replay.test-util.js';
import type { MailboxUpdate } from '../types.js';
import { ImapClient } from './imap-client.js';
import type { ImapClientOptions } from './client-options.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(name: string, tls = false): Promise<{ server: ScriptedServer; options: ImapClientOptions; lines: TranscriptEntry[] }> {
  const server = await startScriptedServer({ transcript: `${SESSIONS_DIR}${name}`, ...(tls ? { tls: true } : {}) });
  servers.push(server);
  const h = loadSession(name).headers;
  const lines: TranscriptEntry[] = [];
  const options: ImapClientOptions = {
    host: server.host,
    port: server.port,
    security: tls ? 'tls' : 'none',
    tls: { ca: server.ca },
    allowInsecureAuth: true,
    timeoutMs: 5000,
    transcript: (e) => lines.push(e),
    auth: {
      user: h['user']!,
      ...(h['token'] ? { accessToken: h['token'] } : {}),
      ...(h['password'] ? { password: h['password'] } : {}),
      ...(h['mechanism'] && h['mechanism'] !== 'LOGIN' ? { mechanism: h['mechanism'] as 'XOAUTH2' } : {}),
      ...(h['mechanism'] === 'LOGIN' ? { mechanism: 'LOGIN' as const } : {}),
    },
  };
  return { server, options, lines };
}

async function expectReplayed(server: ScriptedServer): Promise<void> {
  expect(await server.result).toEqual({ ok: true });
}

describe('ImapClient against the scripted server', () => {
  it('seed success: one-line XOAUTH2 with SASL-IR, over implicit TLS', async () => {
    const { server, options, lines } = await serve('seed-xoauth2-success.txt', true);
    const client = new ImapClient(options);
    await client.connect();
    expect(client.secure).toBe(true);
    expect(client.authMechanisms.has('XOAUTH2')).toBe(true);
    expect(client.state).toBe('authenticated');
    await client.logout();
    await expectReplayed(server);
    expect(lines.find((l) => l.line.includes('AUTHENTICATE'))).toEqual({ dir: 'C', line: 'A2 AUTHENTICATE XOAUTH2 [redacted]' });
    expect(JSON.stringify(lines)).not.toContain('dXNlcj1zb21l');
  });

  it('seed failure: NO AUTHENTICATE failed. becomes EAUTH with a hint', async () => {
    const { server, options } = await serve('seed-xoauth2-failure.txt');
    const client = new ImapClient(options);
    const err = await client.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH', mechanism: 'XOAUTH2', serverText: 'AUTHENTICATE failed.' });
    expect((err as { hint?: string }).hint).toMatch(/IMAP\.AccessAsUser\.All/);
    await expectReplayed(server);
  });

  it('Office 365: select and UID FETCH', async () => {
    const { server, options } = await serve('office365-session.txt');
    const client = new ImapClient(options);
    await client.connect();
    const info = await client.select('INBOX');
    expect(info).toMatchObject({ exists: 2, recent: 0, uidValidity: 14, uidNext: 43, unseen: 2, readOnly: false });
    expect(info.permanentFlags).toContain('$MDNSent');
    const results = [];
    for await (const r of client.fetch('1:*', ['UID', 'FLAGS'], { uid: true })) results.push(r);
    expect(results).toEqual([{ seq: 1, uid: 41, flags: ['\\Seen'] }, { seq: 2, uid: 42, flags: [] }]);
    await client.logout();
    await expectReplayed(server);
  });

  it('Gmail: CAPABILITY from the AUTHENTICATE OK, X-GM-EXT-1 fetch', async () => {
    const { server, options } = await serve('gmail-session.txt');
    const client = new ImapClient(options);
    await client.connect();
    expect(client.capabilities.has('X-GM-EXT-1')).toBe(true);
    expect(client.capabilities.has('UTF8=ACCEPT')).toBe(true);
    const info = await client.select('INBOX');
    expect(info).toMatchObject({ exists: 3, uidValidity: 1, uidNext: 120, highestModSeq: 4321n });
    const results = [];
    for await (const r of client.fetch('1:3', ['UID', 'X-GM-MSGID', 'X-GM-THRID', 'X-GM-LABELS'])) results.push(r);
    expect(results[0]).toMatchObject({ seq: 1, uid: 117, gmailMessageId: 1278455344230334865n, gmailLabels: ['\\Inbox', '\\Sent', 'Important', 'Muy Importante'] });
    expect(results).toHaveLength(3);
    await client.logout();
    await expectReplayed(server);
  });

  it('Gmail XOAUTH2 error challenge: empty answer, then EAUTH carrying the decoded JSON', async () => {
    const { server, options } = await serve('gmail-xoauth2-error.txt');
    const client = new ImapClient(options);
    const err = await client.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 'AUTHENTICATIONFAILED', oauthError: { status: '400', scope: 'https://mail.google.com/' } });
    await expectReplayed(server);
  });

  it('Yahoo: AUTH=XOAUTH2 without SASL-IR goes two-step', async () => {
    const { server, options, lines } = await serve('yahoo-two-step.txt');
    const client = new ImapClient(options);
    await client.connect();
    expect(client.capabilities.has('SASL-IR')).toBe(false);
    await client.logout();
    await expectReplayed(server);
    expect(lines.slice(0, 4)).toEqual([
      { dir: 'S', line: expect.stringContaining('IMAP4rev1 Hello') },
      { dir: 'C', line: 'A1 AUTHENTICATE XOAUTH2' },
      { dir: 'S', line: '+ ' },
      { dir: 'C', line: '[redacted]' },
    ]);
    expect(JSON.stringify(lines)).not.toContain('y.token-123');
    expect(JSON.stringify(lines)).not.toContain('dXNlcj1hbGljZUB5YWhvby5jb20');
  });

  it('Yandex: AUTH=XOAUTH2 without SASL-IR goes two-step after a bare "+"', async () => {
    const { server, options } = await serve('yandex-two-step.txt');
    const client = new ImapClient(options);
    await client.connect();
    await client.logout();
    await expectReplayed(server);
  });

  it('Exchange: BYE AccessTokenExpired fails the command with ETOKENEXPIRED', async () => {
    const { server, options } = await serve('exchange-token-expired.txt');
    const client = new ImapClient(options);
    await client.connect();
    await client.select('INBOX');
    const err = await client.noop().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETOKENEXPIRED', serverText: '* BYE Session invalidated - AccessTokenExpired' });
    await expect(client.noop()).rejects.toMatchObject({ code: 'ETOKENEXPIRED' });
    await expectReplayed(server);
  });

  it('Exchange: "User is authenticated but not connected" is EAUTH with a shared-mailbox hint', async () => {
    const { server, options } = await serve('exchange-not-connected.txt');
    const client = new ImapClient(options);
    const err = await client.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH' });
    expect((err as { hint: string }).hint).toMatch(/shared mailbox/);
    await expectReplayed(server);
  });

  it('RFC 9051 session: LOGIN, FETCH with a literal, STORE, APPEND with "+", EXPUNGE', async () => {
    const { server, options, lines } = await serve('rfc9051-session.txt');
    const updates: MailboxUpdate[] = [];
    const client = new ImapClient({ ...options, onUpdate: (u) => updates.push(u) });
    await client.connect();
    expect(lines.find((l) => l.line.includes('LOGIN'))?.line).not.toContain('secret');
    const info = await client.select('INBOX');
    expect(info).toMatchObject({ exists: 18, recent: 2, unseen: 17, uidValidity: 3857529045 });
    const header = await (async () => {
      for await (const r of client.fetch('12', ['FLAGS', 'BODY.PEEK[HEADER]'])) return r;
      return null;
    })();
    expect(header?.flags).toEqual(['\\Seen']);
    expect(Buffer.from(header!.body!['BODY[HEADER]']!).toString()).toBe('Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: a\r\n');
    await client.store('12', ['\\Deleted']);
    const appended = await client.append('INBOX', 'Subject: hi\r\n\r\nbody\r\n\r\n', { flags: ['\\Seen'] });
    expect(appended).toEqual({ uidValidity: 3857529045, uid: 3955 });
    await client.expunge();
    expect(updates).toEqual([{ type: 'expunge', seq: 12 }]);
    expect(client.mailbox?.exists).toBe(17);
    await client.logout();
    await expectReplayed(server);
  });

  it('a refused APPEND literal is never sent and the connection goes on', async () => {
    const { server, options } = await serve('append-literal-refused.txt');
    const client = new ImapClient(options);
    await client.connect();
    await expect(client.append('Archive', 'Subject: hi\r\n\r\nbody\r\n\r\n')).rejects.toMatchObject({ code: 'ECOMMAND', status: 'NO', responseCode: 'TRYCREATE' });
    await client.noop();
    await client.logout();
    await expectReplayed(server);
  });

  it('IDLE: updates while idling, DONE on abort', async () => {
    const { server, options } = await serve('idle.txt');
    const client = new ImapClient(options);
    await client.connect();
    await client.select('INBOX');
    const ac = new AbortController();
    const updates: MailboxUpdate[] = [];
    await client.idle({
      signal: ac.signal,
      onUpdate: (u) => {
        updates.push(u);
        if (updates.length === 2) ac.abort();
      },
    });
    expect(updates).toEqual([{ type: 'exists', count: 4 }, { type: 'expunge', seq: 2 }]);
    await client.logout();
    await expectReplayed(server);
  });

  it('STARTTLS: upgrade, capabilities asked again, then PLAIN', async () => {
    const { server, options } = await serve('starttls.txt');
    const client = new ImapClient({ ...options, security: 'starttls', allowInsecureAuth: false, auth: { ...options.auth!, mechanism: 'PLAIN' } });
    await client.connect();
    expect(client.secure).toBe(true);
    expect(client.capabilities.has('IDLE')).toBe(true);
    await client.logout();
    await expectReplayed(server);
  });
});
