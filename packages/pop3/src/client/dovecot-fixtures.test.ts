/**
 * The POP3 session recorded against a real Dovecot 2.3 by the interop suite
 * (fixtures/dovecot/, MAILWIRE_RECORD=1 npm run test:interop) replayed against Pop3Client
 * over implicit TLS: the client must send exactly what it sent to Dovecot, with the seed's
 * fake token in place of the real one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

import { parseTranscript } from '@mailwire/transcript';
import { SEED_FAKE_TOKEN, startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { Pop3Client } from './pop3-client.js';

const FILE = fileURLToPath(new URL('../../../../fixtures/dovecot/pop3-xoauth2.txt', import.meta.url));
const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

it('Pop3Client replays the Dovecot XOAUTH2 recording byte for byte', async () => {
  const text = readFileSync(FILE, 'utf8');
  const server = await startScriptedServer({ transcript: text, tls: true });
  servers.push(server);
  const client = new Pop3Client({
    host: server.host, port: server.port, security: 'tls', tls: { ca: server.ca }, timeoutMs: 5000,
    auth: { user: parseTranscript(text).headers['user']!, accessToken: SEED_FAKE_TOKEN, mechanism: 'XOAUTH2' },
  });
  await client.connect();
  expect(client.authMechanisms.has('OAUTHBEARER')).toBe(true);
  expect(await client.stat()).toEqual({ count: 0, size: 0 });
  await client.quit();
  expect(await server.result).toMatchObject({ ok: true });
});
