/**
 * SmtpClient against recorded sessions over real sockets: the scripted server plays the
 * server side byte for byte and reports whether the client sent exactly the client side.
 *
 * The personality recordings were made by a plain recording client that does not declare
 * SIZE; mailwire declares the message size wherever SIZE is offered (RFC 1870 §6), so the
 * replay adds ` SIZE=<n>` to the recorded MAIL line and nothing else.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { AuthenticationError } from '@mailwire/errors';
import type { TranscriptEntry } from '@mailwire/net';
import { SEED_FAKE_TOKEN, startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { SmtpClient } from './smtp-client.js';
import type { SmtpClientOptions } from './client-options.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const USER = 'test@contoso.onmicrosoft.com';
const MESSAGE = 'Subject: sent by SMTP\r\n\r\n.dot-stuffed line\r\nlast line\r\n';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function fixture(path: string, size?: number): string {
  const text = readFileSync(`${FIXTURES}${path}`, 'latin1');
  return size === undefined ? text : text.replace(/^(C: MAIL FROM:<[^>]*>)$/m, `$1 SIZE=${size}`);
}

async function serve(transcript: string, tls: boolean, extra: Partial<SmtpClientOptions> = {}) {
  const server = await startScriptedServer({ transcript, ...(tls ? { tls: true } : {}) });
  servers.push(server);
  const lines: TranscriptEntry[] = [];
  const client = new SmtpClient({
    host: server.host,
    port: server.port,
    security: tls ? 'tls' : 'starttls',
    tls: { ca: server.ca },
    name: 'client.example',
    timeoutMs: 5000,
    transcript: (e) => lines.push(e),
    auth: { user: USER, accessToken: SEED_FAKE_TOKEN, mechanism: 'XOAUTH2', initialResponse: 'never' },
    ...extra,
  });
  return { server, client, lines };
}

describe('SmtpClient replays each personality session byte for byte', () => {
  for (const personality of ['outlook', 'gmail', 'dovecot'] as const) {
    it(`${personality}: EHLO, STARTTLS, EHLO, AUTH XOAUTH2 two-step, a pipelined MAIL/RCPT/DATA, QUIT`, async () => {
      const { server, client, lines } = await serve(fixture(`personalities/${personality}/smtp.txt`, Buffer.byteLength(MESSAGE)), false);
      await client.connect();
      expect(client.secure).toBe(true);
      expect(client.authenticated).toBe(true);
      expect(client.capabilities.has('PIPELINING')).toBe(true);
      const result = await client.send({ from: USER, to: [USER] }, MESSAGE);
      expect(result.accepted).toEqual([USER]);
      expect(result.rejected).toEqual([]);
      expect(result.reply.code).toBe(250);
      expect(result.reply.enhancedCode).toBe('2.0.0');
      await client.quit();
      expect(await server.result).toEqual({ ok: true });
      // The token's line is redacted in the transcript, the AUTH line keeps its mechanism.
      expect(lines.some((l) => l.line.includes('dXNlcj'))).toBe(false);
      expect(lines).toContainEqual({ dir: 'C', line: 'AUTH XOAUTH2' });
    });

    it(`${personality}: an expired token refused over implicit TLS, with the hint`, async () => {
      const { server, client } = await serve(fixture(`personalities/${personality}/smtp-auth-failed.txt`), true, {
        auth: { user: USER, accessToken: 'expired.token.0001', mechanism: 'XOAUTH2', initialResponse: 'never' },
      });
      const error = await client.connect().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      const auth = error as AuthenticationError;
      expect(auth.code).toBe('EAUTH');
      expect(auth.protocol).toBe('smtp');
      expect(auth.replyCode).toBe(535);
      expect(auth.enhancedCode).toMatch(/^5\.7\.[38]$/);
      expect(auth.hint).toBeTruthy();
      if (personality !== 'outlook') expect(auth.oauthError).toBeDefined();
      await client.quit();
    });
  }
});

/** The seed's AUTH exchange inside a minimal session, as mailwire writes it. */
function seedSession(name: 'success' | 'failure'): string {
  const seed = readFileSync(`${FIXTURES}sasl/seed-smtp-${name}.txt`, 'latin1')
    .split('\n')
    .filter((l) => !l.startsWith('#') && l !== '')
    .map((l) => (l === 'C: auth xoauth2' ? 'C: AUTH XOAUTH2' : l));
  return [
    '# protocol: smtp',
    '# connection: implicit TLS',
    'S: 220 smtp.office365.com Microsoft ESMTP MAIL Service ready',
    'C: EHLO client.example',
    'S: 250-smtp.office365.com Hello [127.0.0.1]',
    'S: 250 AUTH LOGIN XOAUTH2',
    ...seed,
    'C: QUIT',
    'S: 221 2.0.0 Service closing transmission channel',
    '',
  ].join('\n');
}

describe("the seed's SMTP exchanges", () => {
  const seedAuth = { user: 'someuser@example.com', accessToken: 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg', initialResponse: 'never' as const };

  it('success: AUTH XOAUTH2, 334 (without its space), the base64 on its own line, 235 2.7.0', async () => {
    const { server, client } = await serve(seedSession('success'), true, { auth: seedAuth });
    await client.connect();
    expect(client.authenticated).toBe(true);
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('failure: 535 5.7.3 becomes an AuthenticationError with the reply, the enhanced code and a hint', async () => {
    const { server, client } = await serve(seedSession('failure'), true, { auth: seedAuth });
    const error = (await client.connect().catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.replyCode).toBe(535);
    expect(error.enhancedCode).toBe('5.7.3');
    expect(error.serverText).toContain('Authentication unsuccessful');
    expect(error.hint).toMatch(/token|scope|SMTP\.Send/i);
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('a token too long for a 512-octet AUTH line goes two-step under the RFC rule; a short one rides on the line', async () => {
    const long = 'x'.repeat(1500);
    const twoStep = await serve(seedSession('success').replace(/^C: dXNl.*$/m, `C: ${Buffer.from(`user=someuser@example.com\x01auth=Bearer ${long}\x01\x01`).toString('base64')}`), true, {
      auth: { user: 'someuser@example.com', accessToken: long },
    });
    await twoStep.client.connect();
    await twoStep.client.quit();
    expect(await twoStep.server.result).toEqual({ ok: true });
    const b64 = Buffer.from('user=someuser@example.com\x01auth=Bearer short\x01\x01').toString('base64');
    const oneLine = await serve(seedSession('success').replace('C: AUTH XOAUTH2', `C: AUTH XOAUTH2 ${b64}`).replace(/^S: 334\nC: dXNl.*\n/m, ''), true, {
      auth: { user: 'someuser@example.com', accessToken: 'short' },
    });
    await oneLine.client.connect();
    await oneLine.client.quit();
    expect(await oneLine.server.result).toEqual({ ok: true });
  });
});
