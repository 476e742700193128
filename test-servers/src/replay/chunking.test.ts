/**
 * The servers read commands the same whatever the TCP chunking: the client side of each
 * implicit-TLS personality fixture, pipelined in random chunks, gets back exactly the
 * recorded server side.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dial } from '../net/dial.js';
import type { PersonalityName } from '../personalities/index.js';
import { parseTranscript, sideBytes } from '@mailwire/transcript';
import { fixtureServers } from './personality-sessions.js';
import { PERSONALITY_FIXTURES } from './record-fixtures.js';

const CASES: [PersonalityName, string][] = [
  ['dovecot', 'imap.txt'],
  ['gmail', 'imap-auth-failed.txt'],
  ['outlook', 'smtp-auth-failed.txt'],
];

/** Cuts bytes at the given fractions. */
function cut(bytes: Buffer, fractions: number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  return out;
}

describe.each(CASES)('%s %s in any chunking', (personality, name) => {
  const t = parseTranscript(readFileSync(`${PERSONALITY_FIXTURES}${personality}/${name}`, 'latin1'));
  const client = Buffer.from(sideBytes(t, 'C'));
  const server = Buffer.from(sideBytes(t, 'S')).toString('latin1');

  it('gives exactly the recorded server bytes', async () => {
    const servers = await fixtureServers(personality);
    const port = servers[t.headers['protocol'] as 'imap' | 'smtp'].tlsPort;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), async (fractions) => {
          const conn = await dial({ port, tls: { ca: servers.ca, servername: 'localhost' } });
          for (const chunk of cut(client, fractions)) {
            await conn.write(chunk);
            await new Promise((r) => setImmediate(r));
          }
          const got: Buffer[] = [];
          for (let b = await conn.readLineWithEnd(1 << 20); b !== null && b !== 'too-long'; b = await conn.readLineWithEnd(1 << 20)) got.push(b);
          expect(Buffer.concat(got).toString('latin1')).toBe(server);
        }),
        { numRuns: 25 },
      );
    } finally {
      await servers.stop();
    }
  });
});
