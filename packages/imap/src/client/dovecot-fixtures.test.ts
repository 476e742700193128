/**
 * The sessions recorded against a real Dovecot 2.3 by the interop suite
 * (MAILWIRE_RECORD=1 npm run test:interop, fixtures/dovecot/) replayed against ImapClient
 * over implicit TLS: the client must send exactly what it sent to Dovecot, with the seed's
 * fake token in place of the real one.
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
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('ImapClient replays the Dovecot recordings', () => {
  // OAUTHBEARER is not recorded for replay: its initial response carries host= and port=,
  // which differ between Dovecot's lab port and the scripted server's ephemeral one.
  for (const name of ['imap-xoauth2.txt']) {
    it(name, async () => {
      const text = readFileSync(`${DIR}${name}`, 'utf8');
      const h = parseTranscript(text).headers;
      const server = await startScriptedServer({ transcript: text, tls: true });
      servers.push(server);
      const client = new ImapClient({
        host: server.host, port: server.port, security: 'tls', tls: { ca: server.ca }, timeoutMs: 5000,
        auth: { user: h['user']!, accessToken: SEED_FAKE_TOKEN, mechanism: h['mechanism'] as 'XOAUTH2' | 'OAUTHBEARER' },
      });
      try {
        await client.connect();
        const box = await client.select('INBOX');
        expect(box).toMatchObject({ exists: 0, uidNext: 1, readOnly: false });
        await client.logout();
      } finally {
        client.close();
      }
      expect(await server.result).toMatchObject({ ok: true });
    });
  }
});
