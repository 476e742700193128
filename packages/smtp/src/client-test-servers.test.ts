/**
 * SmtpClient against the working test servers (test-servers: a submission server with a
 * mail store, personalities, XOAUTH2/OAUTHBEARER/PLAIN verification) over TLS and
 * STARTTLS: what was sent is what the store holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';

import { AuthenticationError } from '@mailwire/errors';
import type { TranscriptEntry } from '@mailwire/net';
import { startTestServers } from '@mailwire/test-servers';

import { SmtpClient } from './smtp-client.js';
import type { SmtpClientOptions } from './client-options.js';

type Servers = Awaited<ReturnType<typeof startTestServers>>;

const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const USERS = [
  { user: ALICE, tokens: ['tok-1', 'tok-2', 'tok-fresh'], expiredTokens: ['tok-old'], password: 'pencil' },
  { user: BOB, tokens: ['tok-bob'], smtpAuthDisabled: true },
];

function inbox(servers: Servers, user: string): Buffer[] {
  return servers.store.find(user, 'INBOX')!.messages.map((m) => m.raw);
}

/** What the server stores for a message: line ends made CRLF, a final CRLF where missing. */
function normalized(message: Uint8Array): Buffer {
  const text = Buffer.from(message).toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  return Buffer.from(text === '' || text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1');
}

for (const personality of ['dovecot', 'outlook', 'gmail'] as const) {
  describe(`SmtpClient against the ${personality} test server`, () => {
    let servers: Servers;
    beforeAll(async () => {
      servers = await startTestServers({ personality, users: USERS });
    });
    afterAll(async () => {
      await servers.stop();
      expect(servers.errors).toEqual([]);
    });

    const options = (extra: Partial<SmtpClientOptions> = {}): SmtpClientOptions => ({
      host: servers.host,
      port: servers.smtp.port,
      security: 'starttls',
      tls: { ca: servers.ca },
      timeoutMs: 5000,
      auth: { user: ALICE, accessToken: 'tok-1' },
      ...extra,
    });

    it('STARTTLS, XOAUTH2, three messages on one connection, each stored as sent', async () => {
      const client = new SmtpClient(options());
      await client.connect();
      expect(client.secure).toBe(true);
      const before = inbox(servers, ALICE).length;
      const bodies = ['Subject: one\r\n\r\n.starts with a dot\r\n', 'Subject: two\n\nbare LF lines\n', 'Subject: three\r\n\r\nno final line end'];
      for (const body of bodies) {
        const result = await client.send({ from: ALICE, to: [ALICE] }, body);
        expect(result.accepted).toEqual([ALICE]);
        expect(result.reply.code).toBe(250);
      }
      await client.quit();
      expect(inbox(servers, ALICE).slice(before)).toEqual(bodies.map((b) => normalized(Buffer.from(b))));
    });

    it('a message streamed from an async iterable in odd chunks arrives byte for byte (property)', async () => {
      const client = new SmtpClient(options({ security: 'tls', port: servers.smtp.tlsPort, auth: { user: ALICE, password: 'pencil' } }));
      await client.connect();
      await fc.assert(
        fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), async (chunks) => {
          const before = inbox(servers, ALICE).length;
          async function* source() {
            for (const c of chunks) yield c;
          }
          await client.send({ from: ALICE, to: [ALICE] }, source());
          expect(inbox(servers, ALICE)[before]).toEqual(normalized(Buffer.concat(chunks)));
        }),
        { numRuns: 25 },
      );
      await client.quit();
    });

    it('a token provider whose token was refused is asked once more, on a new connection', async () => {
      const asked: string[] = [];
      const tokens = ['tok-old', 'tok-fresh'];
      const client = new SmtpClient(options({ auth: { user: ALICE, accessToken: async () => { const t = tokens.shift()!; asked.push(t); return t; } } }));
      await client.connect();
      expect(asked).toEqual(['tok-old', 'tok-fresh']);
      expect(client.authenticated).toBe(true);
      await client.quit();
    });

    it('never sends credentials in plaintext unless allowed', async () => {
      const lines: TranscriptEntry[] = [];
      const client = new SmtpClient(options({ security: 'none', transcript: (e) => lines.push(e) }));
      const error = await client.connect().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'EINSECURE', protocol: 'smtp' });
      expect(lines.some((l) => l.dir === 'C' && /^AUTH/i.test(l.line))).toBe(false);
    });

    it('one message to two local recipients: both accepted, stored once in each INBOX (refusals: client-faults.test.ts)', async () => {
      const client = new SmtpClient(options());
      await client.connect();
      const before = [inbox(servers, ALICE).length, inbox(servers, BOB).length];
      const result = await client.send({ from: ALICE, to: [ALICE, BOB] }, 'Subject: two\r\n\r\nhi\r\n');
      expect(result.accepted).toEqual([ALICE, BOB]);
      expect(result.rejected).toEqual([]);
      expect([inbox(servers, ALICE).length, inbox(servers, BOB).length]).toEqual([before[0]! + 1, before[1]! + 1]);
      await client.quit();
    });

    if (personality === 'dovecot') {
      for (const [mechanism, auth] of [
        ['OAUTHBEARER', { user: ALICE, accessToken: 'tok-2' }],
        ['XOAUTH2', { user: ALICE, accessToken: 'tok-2', mechanism: 'XOAUTH2' }],
        ['PLAIN', { user: ALICE, password: 'pencil' }],
        ['LOGIN', { user: ALICE, password: 'pencil', mechanism: 'LOGIN' }],
      ] as const) {
        it(`authenticates with ${mechanism} and sends`, async () => {
          const lines: TranscriptEntry[] = [];
          const client = new SmtpClient(options({ auth, transcript: (e) => lines.push(e) }));
          await client.connect();
          expect(lines.find((l) => l.dir === 'C' && l.line.startsWith('AUTH'))?.line).toMatch(new RegExp(`^AUTH ${mechanism}( \\[redacted\\])?$`));
          expect((await client.send({ from: ALICE, to: [ALICE] }, 'Subject: m\r\n\r\nx\r\n')).reply.code).toBe(250);
          await client.quit();
        });
      }
    }

    if (personality === 'outlook') {
      it("Office 365's 535 5.7.139 (SMTP AUTH disabled for the tenant) is an AuthenticationError naming the cause and the fix", async () => {
        const client = new SmtpClient(options({ auth: { user: BOB, accessToken: 'tok-bob' } }));
        const error = (await client.connect().catch((e: unknown) => e)) as AuthenticationError;
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error.enhancedCode).toBe('5.7.139');
        expect(error.replyCode).toBe(535);
        expect(error.hint).toMatch(/SmtpClientAuthentication|SMTP AUTH/i);
      });
    }
  });
}
