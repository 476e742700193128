/**
 * The POP3 sessions recorded against a real Dovecot 2.3 by the interop suite
 * (fixtures/dovecot/, MAILWIRE_RECORD=1 npm run test:interop) replayed against Pop3Client
 * over implicit TLS: the client must send exactly what it sent to Dovecot — the scripted
 * server reports the first differing byte — with the seed's fake token in place of the
 * real one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

import { parseTranscript } from '@mailwire/transcript';
import { SEED_FAKE_TOKEN, startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { Pop3Client } from './pop3-client.js';

const DIR = fileURLToPath(new URL('../../../../fixtures/dovecot/', import.meta.url));
const servers: ScriptedServer[] = [];
const clients: Pop3Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) (c as unknown as { close?: () => void }).close?.();
  for (const s of servers.splice(0)) await s.close();
});

/** The messages the interop suite APPENDed over IMAP (interop/pop3.test.ts). */
const MSG = (n: number) => `From: a@example.test\r\nTo: b@example.test\r\nSubject: pop ${n}\r\n\r\n.leading dot ${n}\r\n`;

async function replay(name: string, security: 'tls' | 'starttls' = 'tls'): Promise<{ client: Pop3Client; server: ScriptedServer }> {
  const text = readFileSync(`${DIR}${name}`, 'utf8');
  const server = await startScriptedServer({ transcript: text, tls: security === 'tls' });
  servers.push(server);
  const client = new Pop3Client({
    host: server.host, port: server.port, security, tls: { ca: server.ca }, timeoutMs: 5000,
    auth: { user: parseTranscript(text).headers['user']!, accessToken: SEED_FAKE_TOKEN, mechanism: 'XOAUTH2' },
  });
  clients.push(client);
  return { client, server };
}

it('Pop3Client replays the Dovecot XOAUTH2 recording byte for byte', async () => {
  const { client, server } = await replay('pop3-xoauth2.txt');
  await client.connect();
  expect(client.authMechanisms.has('OAUTHBEARER')).toBe(true);
  expect(await client.stat()).toEqual({ count: 0, size: 0 });
  await client.quit();
  expect(await server.result).toMatchObject({ ok: true });
});

it('pop3-xoauth2-expired.txt: the error challenge decoded into EAUTH with [AUTH]', async () => {
  const { client, server } = await replay('pop3-xoauth2-expired.txt');
  const err = await client.connect().then(() => null, (e: unknown) => e);
  expect(err).toMatchObject({ code: 'EAUTH', responseCode: 'AUTH', oauthError: { status: '401', schemes: 'bearer', scope: 'mail' } });
  (client as unknown as { close?: () => void }).close?.();
  expect(await server.result).toMatchObject({ ok: true });
});

it('pop3-session.txt: STAT, UIDL, LIST, RETR (dot-unstuffed), DELE, QUIT', async () => {
  const { client, server } = await replay('pop3-session.txt');
  await client.connect();
  expect(await client.stat()).toEqual({ count: 2, size: MSG(1).length + MSG(2).length });
  const uidl = await client.uidl();
  expect(uidl.map((u) => u.msg)).toEqual([1, 2]);
  expect(uidl[0]!.uid).not.toBe(uidl[1]!.uid);
  expect(await client.list()).toEqual([{ msg: 1, size: MSG(1).length }, { msg: 2, size: MSG(2).length }]);
  expect(Buffer.from(await client.retr(1)).toString('latin1')).toBe(MSG(1));
  expect(Buffer.from(await client.retr(2)).toString('latin1')).toBe(MSG(2));
  await client.dele(1);
  await client.quit();
  expect(await server.result).toMatchObject({ ok: true });
});

it('pop3-stls-required.txt: an empty SASL before STLS, AUTH only after it', async () => {
  const { client, server } = await replay('pop3-stls-required.txt', 'starttls');
  await client.connect();
  expect(client.authMechanisms.has('XOAUTH2')).toBe(true);
  await client.quit();
  expect(await server.result).toMatchObject({ ok: true });
});

for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
  it(`pop3-${mechanism.toLowerCase()}.txt: STLS, AUTH ${mechanism} (password redacted to fake-password), QUIT`, async () => {
    const text = readFileSync(`${DIR}pop3-${mechanism.toLowerCase()}.txt`, 'utf8');
    const server = await startScriptedServer({ transcript: text });
    servers.push(server);
    const client = new Pop3Client({
      host: server.host, port: server.port, security: 'starttls', tls: { ca: server.ca }, timeoutMs: 5000,
      auth: { user: parseTranscript(text).headers['user']!, password: 'fake-password', mechanism },
    });
    clients.push(client);
    await client.connect();
    await client.quit();
    expect(await server.result).toMatchObject({ ok: true });
  });
}
