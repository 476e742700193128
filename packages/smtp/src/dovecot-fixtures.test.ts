/**
 * The submission sessions recorded against a real Dovecot 2.3 by the interop suite
 * (fixtures/dovecot/, MAILWIRE_RECORD=1 npm run test:interop) replayed against SmtpClient
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

import { SmtpClient } from './smtp-client.js';

const DIR = fileURLToPath(new URL('../../../fixtures/dovecot/', import.meta.url));
const servers: ScriptedServer[] = [];
const clients: SmtpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) (c as unknown as { close?: () => void }).close?.();
  for (const s of servers.splice(0)) await s.close();
});

/** The message the interop suite submitted (interop/smtp.test.ts). */
const SEND_MSG = 'From: alice@example.test\r\nTo: carol@example.test, dave@example.test\r\nSubject: recorded\r\nMessage-ID: <recorded-1@example.test>\r\n\r\n.a line with a leading dot\r\nbye\r\n';

async function replay(name: string, security: 'tls' | 'starttls' = 'tls'): Promise<{ client: SmtpClient; server: ScriptedServer }> {
  const text = readFileSync(`${DIR}${name}`, 'utf8');
  const server = await startScriptedServer({ transcript: text, tls: security === 'tls' });
  servers.push(server);
  const client = new SmtpClient({
    host: server.host, port: server.port, security, tls: { ca: server.ca }, timeoutMs: 5000, name: 'client.example.test',
    auth: { user: parseTranscript(text).headers['user']!, accessToken: SEED_FAKE_TOKEN, mechanism: 'XOAUTH2' },
  });
  clients.push(client);
  return { client, server };
}

it('SmtpClient replays the Dovecot XOAUTH2 recording byte for byte', async () => {
  const { client, server } = await replay('smtp-xoauth2.txt');
  await client.connect();
  expect(client.authMechanisms.has('OAUTHBEARER')).toBe(true);
  expect(client.capabilities.has('CHUNKING')).toBe(true);
  await client.quit();
  expect(await server.result).toMatchObject({ ok: true });
});

it('smtp-xoauth2-expired.txt: the 334 error challenge decoded into EAUTH 535 5.7.8', async () => {
  const { client, server } = await replay('smtp-xoauth2-expired.txt');
  const err = await client.connect().then(() => null, (e: unknown) => e);
  expect(err).toMatchObject({
    code: 'EAUTH', replyCode: 535, enhancedCode: '5.7.8', oauthError: { status: '401', schemes: 'bearer', scope: 'mail' },
  });
  expect(await server.result).toMatchObject({ ok: true });
});

it('smtp-send.txt: MAIL, RCPT x2, the message as Dovecot took it, QUIT', async () => {
  const { client, server } = await replay('smtp-send.txt');
  await client.connect();
  const r = await client.send({ from: 'alice@example.test', to: ['carol@example.test', 'dave@example.test'] }, SEND_MSG);
  expect(r.accepted).toEqual(['carol@example.test', 'dave@example.test']);
  expect(r.rejected).toEqual([]);
  expect(r.reply).toMatchObject({ code: 250 });
  await client.quit();
  expect(await server.result).toMatchObject({ ok: true });
});

it('smtp-starttls-required.txt: Dovecot\'s empty `250-AUTH ` before STARTTLS, AUTH only after it', async () => {
  const { client, server } = await replay('smtp-starttls-required.txt', 'starttls');
  await client.connect();
  expect(client.authMechanisms.has('XOAUTH2')).toBe(true);
  await client.quit();
  expect(await server.result).toMatchObject({ ok: true });
});

for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
  it(`smtp-${mechanism.toLowerCase()}.txt: STARTTLS, AUTH ${mechanism} (password redacted to fake-password), QUIT`, async () => {
    const text = readFileSync(`${DIR}smtp-${mechanism.toLowerCase()}.txt`, 'utf8');
    const server = await startScriptedServer({ transcript: text });
    servers.push(server);
    const client = new SmtpClient({
      host: server.host, port: server.port, security: 'starttls', tls: { ca: server.ca }, timeoutMs: 5000, name: 'client.example.test',
      auth: { user: parseTranscript(text).headers['user']!, password: 'fake-password', mechanism },
    });
    clients.push(client);
    await client.connect();
    await client.quit();
    expect(await server.result).toMatchObject({ ok: true });
  });
}
