/**
 * The sessions recorded against a real Dovecot 2.3 by the interop suite
 * (MAILWIRE_RECORD=1 npm run test:interop, fixtures/dovecot/) replayed against ImapClient
 * over implicit TLS: the client must send exactly what it sent to Dovecot — the scripted
 * server reports the first differing byte — with the seed's fake token in place of the
 * real one, and must read Dovecot's real answers into the same results.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { parseTranscript } from '@mailwire/transcript';
import { SEED_FAKE_TOKEN, startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { ImapClient } from './imap-client.js';

const DIR = fileURLToPath(new URL('../../../../fixtures/dovecot/', import.meta.url));
const servers: ScriptedServer[] = [];
const clients: ImapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

/** The messages the interop suite APPENDed (interop/imap.test.ts). */
const MSG = (n: number) =>
  `From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: interop ${n}\r\n` +
  `Message-ID: <interop-${n}@example.test>\r\nDate: Fri, 4 Dec 2026 00:00:0${n} +0000\r\nMIME-Version: 1.0\r\n` +
  `Content-Type: text/plain; charset=utf-8\r\n\r\nbody number ${n}\r\n`;

async function replay(name: string): Promise<{ client: ImapClient; server: ScriptedServer }> {
  const text = readFileSync(`${DIR}${name}`, 'utf8');
  const h = parseTranscript(text).headers;
  const server = await startScriptedServer({ transcript: text, tls: true });
  servers.push(server);
  const client = new ImapClient({
    host: server.host, port: server.port, security: 'tls', tls: { ca: server.ca }, timeoutMs: 5000,
    auth: { user: h['user']!, accessToken: SEED_FAKE_TOKEN, mechanism: h['mechanism'] as 'XOAUTH2' },
  });
  clients.push(client);
  return { client, server };
}

describe('ImapClient replays the Dovecot recordings', () => {
  // OAUTHBEARER is not recorded for replay: its initial response carries host= and port=,
  // which differ between Dovecot's lab port and the scripted server's ephemeral one.
  it('imap-xoauth2.txt: login, SELECT, LOGOUT', async () => {
    const { client, server } = await replay('imap-xoauth2.txt');
    await client.connect();
    expect(await client.select('INBOX')).toMatchObject({ exists: 0, uidNext: 1, readOnly: false });
    await client.logout();
    expect(await server.result).toMatchObject({ ok: true });
  });

  it('imap-xoauth2-expired.txt: the error challenge decoded into EAUTH', async () => {
    const { client, server } = await replay('imap-xoauth2-expired.txt');
    const err = await client.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({
      code: 'EAUTH', responseCode: 'AUTHENTICATIONFAILED',
      oauthError: { status: '401', schemes: 'bearer', scope: 'mail' },
    });
    client.close();
    expect(await server.result).toMatchObject({ ok: true });
  });

  it('imap-session.txt: APPEND, CREATE, LIST, SELECT, FETCH, STORE, SEARCH, MOVE, EXPUNGE', async () => {
    const { client, server } = await replay('imap-session.txt');
    await client.connect();
    await client.append('INBOX', MSG(1));
    await client.append('INBOX', MSG(2));
    await client.create('Archive');
    expect(await client.list('', '*')).toEqual([
      { name: 'Archive', delimiter: '.', attributes: ['\\HasNoChildren'], rawName: 'Archive' },
      { name: 'INBOX', delimiter: '.', attributes: ['\\HasNoChildren'], rawName: 'INBOX' },
    ]);
    expect(await client.select('INBOX')).toMatchObject({ exists: 2, recent: 2, uidNext: 3, readOnly: false });
    const got = [];
    for await (const r of client.fetch('1:2', ['UID', 'FLAGS', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY.PEEK[]'])) got.push(r);
    expect(got.map((r) => [r.seq, r.uid, r.flags])).toEqual([[1, 1, ['\\Recent']], [2, 2, ['\\Recent']]]);
    expect(got[1]!.envelope).toEqual({
      date: 'Fri, 4 Dec 2026 00:00:02 +0000', subject: 'interop 2',
      from: [{ name: 'Alice', mailbox: 'alice', host: 'example.test' }],
      sender: [{ name: 'Alice', mailbox: 'alice', host: 'example.test' }],
      replyTo: [{ name: 'Alice', mailbox: 'alice', host: 'example.test' }],
      to: [{ name: 'Bob', mailbox: 'bob', host: 'example.test' }],
      cc: [], bcc: [], inReplyTo: null, messageId: '<interop-2@example.test>',
    });
    expect(got[0]!.bodyStructure).toMatchObject({
      type: 'text', subtype: 'plain', parameters: { charset: 'utf-8' }, encoding: '7bit', size: 15, lines: 1,
    });
    expect(Buffer.from(got[0]!.body!['BODY[]']!).toString('latin1')).toBe(MSG(1));
    expect(Buffer.from(got[1]!.body!['BODY[]']!).toString('latin1')).toBe(MSG(2));
    await client.store('2', ['\\Seen']);
    expect(await client.search({ seen: true })).toEqual([2]);
    await client.move('2', 'Archive');
    await client.store('1', ['\\Deleted']);
    await client.expunge();
    expect(await client.search({ all: true })).toEqual([]);
    await client.logout();
    expect(await server.result).toMatchObject({ ok: true });
  });
});

describe('ImapClient replays the TLS-required Dovecot endpoint', () => {
  it('imap-starttls-required.txt: LOGINDISABLED before STARTTLS, credentials only after it', async () => {
    const text = readFileSync(`${DIR}imap-starttls-required.txt`, 'utf8');
    const server = await startScriptedServer({ transcript: text });
    servers.push(server);
    const client = new ImapClient({
      host: server.host, port: server.port, security: 'starttls', tls: { ca: server.ca }, timeoutMs: 5000,
      auth: { user: parseTranscript(text).headers['user']!, accessToken: SEED_FAKE_TOKEN, mechanism: 'XOAUTH2' },
    });
    clients.push(client);
    await client.connect();
    expect(client.capabilities.has('LOGINDISABLED')).toBe(false);
    await client.logout();
    expect(await server.result).toMatchObject({ ok: true });
  });
});

describe('ImapClient replays the Dovecot password sessions (password redacted to fake-password)', () => {
  for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
    it(`imap-${mechanism.toLowerCase()}.txt: STARTTLS, AUTHENTICATE ${mechanism}, SELECT, LOGOUT`, async () => {
      const text = readFileSync(`${DIR}imap-${mechanism.toLowerCase()}.txt`, 'utf8');
      const server = await startScriptedServer({ transcript: text });
      servers.push(server);
      const client = new ImapClient({
        host: server.host, port: server.port, security: 'starttls', tls: { ca: server.ca }, timeoutMs: 5000,
        auth: { user: parseTranscript(text).headers['user']!, password: 'fake-password', mechanism },
      });
      clients.push(client);
      await client.connect();
      expect(await client.select('INBOX')).toMatchObject({ exists: 0, readOnly: false });
      await client.logout();
      expect(await server.result).toMatchObject({ ok: true });
    });
  }
});
