/**
 * Pop3Client against the scripted server (test-servers): the server side of each
 * transcript is played byte for byte over a real socket, and the server reports whether
 * the client sent exactly the transcript's client side.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';

import { startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer, ScriptedServerOptions } from '@mailwire/test-servers';
import type { TranscriptEntry } from '@mailwire/net';

import { Pop3Client } from './pop3-client.js';
import type { Pop3ClientOptions } from './client-options.js';

const FIXTURES = new URL('../../../../fixtures/', import.meta.url).pathname;
const SEED_USER = 'someuser@example.com';
const SEED_TOKEN = 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg';
const FIXTURE_USER = 'test@contoso.onmicrosoft.com';
const FIXTURE_TOKEN = 'EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(transcript: ScriptedServerOptions['transcript'], extra: Partial<ScriptedServerOptions> = {}): Promise<ScriptedServer> {
  const server = await startScriptedServer({ transcript, ...extra });
  servers.push(server);
  return server;
}

function options(server: ScriptedServer, extra: Partial<Pop3ClientOptions> = {}): Pop3ClientOptions {
  return { host: server.host, port: server.port, security: 'none', tls: { ca: server.ca }, allowInsecureAuth: true, timeoutMs: 5000, ...extra };
}

/** The seed's AUTH exchange (no greeting in the seed) behind a greeting and a CAPA over implicit TLS. */
function seedSession(name: string, tail = ''): string {
  const seed = readFileSync(`${FIXTURES}sasl/${name}`, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  return `# protocol: pop3\nS: +OK The Microsoft Exchange POP3 service is ready.\nC: CAPA\nS: +OK\nS: TOP\nS: UIDL\nS: USER\nS: SASL PLAIN XOAUTH2\nS: .\n${seed.trimEnd()}\n${tail}`;
}

describe('Pop3Client replays the seed (Microsoft) POP3 exchanges byte for byte', () => {
  it('success: AUTH XOAUTH2, a bare "+", the base64 on its own line, +OK', async () => {
    const server = await serve(seedSession('seed-pop3-success.txt', 'C: QUIT\nS: +OK bye\n'), { tls: true });
    const lines: TranscriptEntry[] = [];
    const client = new Pop3Client(
      options(server, { security: 'tls', allowInsecureAuth: false, transcript: (e) => lines.push(e), auth: { user: SEED_USER, accessToken: SEED_TOKEN, initialResponse: 'never' } }),
    );
    await client.connect();
    expect(client.secure).toBe(true);
    expect(client.authMechanisms).toEqual(new Set(['PLAIN', 'XOAUTH2']));
    expect(client.state).toBe('TRANSACTION');
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
    expect(lines.filter((l) => l.dir === 'C').map((l) => l.line)).toEqual(['CAPA', 'AUTH XOAUTH2', '[redacted]', 'QUIT']);
    expect(JSON.stringify(lines)).not.toContain('dXNlcj1zb21ldXNlck');
  });

  it('failure: "-ERR Authentication failure: unknown user name or bad password." is EAUTH with the Microsoft hint', async () => {
    // The seed prints the failure's base64 one "=" short (see the fixture's header); a correct client pads it.
    const text = seedSession('seed-pop3-failure.txt').replace(/AQ=\n/, 'AQ==\n');
    expect(text).toContain('Q2cBAQ==\n');
    const server = await serve(text, { tls: true });
    const client = new Pop3Client(options(server, { security: 'tls', auth: { user: SEED_USER, accessToken: SEED_TOKEN, initialResponse: 'never' } }));
    const err = await client.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'EAUTH',
      protocol: 'pop3',
      mechanism: 'XOAUTH2',
      serverText: 'Authentication failure: unknown user name or bad password.',
      command: 'AUTH XOAUTH2',
    });
    expect((err as { hint: string }).hint).toContain('POP.AccessAsUser.All');
    expect(await server.result).toEqual({ ok: true });
  });

  it('a token provider is asked once more after the refusal, and the retry on a new connection succeeds', async () => {
    const refused = seedSession('seed-pop3-failure.txt').replace(/AQ=\n/, 'AQ==\n');
    const accepted = seedSession('seed-pop3-success.txt', 'C: QUIT\nS: +OK bye\n');
    const server = await serve([refused, accepted], { tls: true });
    let asked = 0;
    const client = new Pop3Client(
      options(server, { security: 'tls', auth: { user: SEED_USER, accessToken: async () => (asked++, SEED_TOKEN), initialResponse: 'never' } }),
    );
    await client.connect();
    await client.quit();
    expect(asked).toBe(2);
    expect(await server.result).toEqual({ ok: true });
  });

  it('a short token rides on the AUTH line under the 255-octet rule', async () => {
    const server = await serve(
      seedSession('seed-pop3-success.txt')
        .replace('C: AUTH XOAUTH2\nS: +\nC: ', 'C: AUTH XOAUTH2 ')
        .concat('C: QUIT\nS: +OK bye\n'),
      { tls: true },
    );
    const client = new Pop3Client(options(server, { security: 'tls', auth: { user: SEED_USER, accessToken: SEED_TOKEN } }));
    await client.connect();
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('a token that makes the line longer than 255 octets goes two-step', async () => {
    const token = 'x'.repeat(300);
    const ir = Buffer.from(`user=${SEED_USER}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
    const server = await serve(`# protocol: pop3\nS: +OK hi\nC: CAPA\nS: +OK\nS: SASL XOAUTH2\nS: .\nC: AUTH XOAUTH2\nS: +\nC: ${ir}\nS: +OK in\nC: QUIT\nS: +OK bye\n`, { tls: true });
    const client = new Pop3Client(options(server, { security: 'tls', auth: { user: SEED_USER, accessToken: token } }));
    await client.connect();
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });
});

describe('Pop3Client replays the personality sessions (STLS, two-step XOAUTH2, STAT, RETR, QUIT)', () => {
  for (const personality of ['outlook', 'gmail', 'dovecot']) {
    it(personality, async () => {
      const path = `${FIXTURES}personalities/${personality}/pop3.txt`;
      const server = await serve(path);
      const client = new Pop3Client(options(server, { security: 'starttls', allowInsecureAuth: false, auth: { user: FIXTURE_USER, accessToken: FIXTURE_TOKEN, mechanism: 'XOAUTH2', initialResponse: 'never' } }));
      await client.connect();
      expect(client.secure).toBe(true);
      expect(client.capabilities.has('STLS')).toBe(false);
      expect(client.authMechanisms.has('XOAUTH2')).toBe(true);
      const stat = await client.stat();
      expect(stat.count).toBe(1);
      const body = Buffer.from(await client.retr(1)).toString('latin1');
      expect(body.length).toBe(stat.size);
      expect(body).toContain('\r\n\r\n.a line that starts with a dot\r\nSecond line.\r\n');
      expect(body.endsWith('Second line.\r\n')).toBe(true);
      await client.quit();
      expect(await server.result).toEqual({ ok: true });
    });
  }
});

describe('Pop3Client over a server that sends one byte per write', () => {
  it('the outlook session (STLS, two-step XOAUTH2, RETR) replays the same, byte by byte', async () => {
    const server = await serve(`${FIXTURES}personalities/outlook/pop3.txt`, { faults: { dripBytes: 0 } });
    const client = new Pop3Client(options(server, { security: 'starttls', auth: { user: FIXTURE_USER, accessToken: FIXTURE_TOKEN, mechanism: 'XOAUTH2', initialResponse: 'never' } }));
    await client.connect();
    expect(await client.stat()).toEqual({ count: 1, size: 245 });
    const body = Buffer.from(await client.retr(1)).toString('latin1');
    expect(body).toContain('\r\n.a line that starts with a dot\r\n');
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  }, 30_000);
});

describe('Pop3Client fails safely', () => {
  const login = 'S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\nC: USER u\nS: +OK\nC: PASS p\nS: +OK logged in\n';
  const user = { user: 'u', password: 'p' };

  it('the bare-LF fixture: only CRLF "." CRLF ends a body', async () => {
    const text = readFileSync(`${FIXTURES}scripted/pop3-bare-lf-body.txt`, 'utf8').replace('S: +OK ready\n', 'S: +OK ready\nC: CAPA\nS: -ERR no CAPA\n');
    const server = await serve(text);
    const client = new Pop3Client(options(server, { auth: user }));
    await client.connect();
    expect(Buffer.from(await client.retr(1)).toString('latin1')).toBe('a\n.\nb\r\n.x\r\n');
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('a connection lost mid-RETR is ECONNECTION, and later calls fail the same way without a hang', async () => {
    const server = await serve(`# protocol: pop3\n${login}C: DELE 1\nS: +OK marked\nC: RETR 2\nS: +OK 100 octets\nS: Subject: cut\nS: \nS: half a bo`);
    const client = new Pop3Client(options(server, { auth: user }));
    await client.connect();
    await client.dele(1);
    await expect(client.retr(2)).rejects.toMatchObject({ code: 'ECONNECTION', command: 'RETR' });
    await expect(client.quit()).rejects.toMatchObject({ code: 'ECONNECTION' });
    expect(await server.result).toEqual({ ok: true });
  });

  it('retrStream cut mid-body yields what arrived, then rejects with ECONNECTION', async () => {
    const server = await serve(`# protocol: pop3\n${login}C: RETR 1\nS: +OK\nS: line one\nS: line tw`);
    const client = new Pop3Client(options(server, { auth: user }));
    await client.connect();
    const got: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of client.retrStream(1)) got.push(Buffer.from(chunk));
      })(),
    ).rejects.toMatchObject({ code: 'ECONNECTION' });
    expect(Buffer.concat(got).toString('latin1').startsWith('line one\r\n')).toBe(true);
  });

  it('STLS not offered: EINSECURE, and no credential is sent', async () => {
    const server = await serve('# protocol: pop3\nS: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\n');
    const lines: TranscriptEntry[] = [];
    const client = new Pop3Client(options(server, { security: 'starttls', auth: user, transcript: (e) => lines.push(e) }));
    await expect(client.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    expect(lines.filter((l) => l.dir === 'C').map((l) => l.line)).toEqual(['CAPA']);
  });

  it('STLS refused: ESTARTTLS', async () => {
    const server = await serve('# protocol: pop3\nS: +OK ready\nC: CAPA\nS: +OK\nS: STLS\nS: .\nC: STLS\nS: -ERR [SYS/TEMP] not now\n');
    const client = new Pop3Client(options(server, { security: 'starttls', auth: user }));
    await expect(client.connect()).rejects.toMatchObject({ code: 'ESTARTTLS' });
  });

  it('bytes injected after the STLS go-ahead: ESTARTTLS before any credential', async () => {
    const path = `${FIXTURES}personalities/dovecot/pop3.txt`;
    const server = await serve(path, { faults: { injectAfterStarttls: '+OK injected\r\n' } });
    const lines: TranscriptEntry[] = [];
    const client = new Pop3Client(options(server, { security: 'starttls', auth: { user: FIXTURE_USER, accessToken: FIXTURE_TOKEN }, transcript: (e) => lines.push(e) }));
    await expect(client.connect()).rejects.toMatchObject({ code: 'ESTARTTLS' });
    expect(lines.some((l) => l.dir === 'C' && l.line.startsWith('AUTH'))).toBe(false);
  });

  it('credentials are refused over plaintext without allowInsecureAuth', async () => {
    const server = await serve('# protocol: pop3\nS: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\n');
    const client = new Pop3Client(options(server, { allowInsecureAuth: false, auth: user }));
    await expect(client.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
  });

  it('a response nobody asked for is EPROTOCOL, never the next answer', async () => {
    const server = await serve(`# protocol: pop3\n${login}S: +OK unasked\nC: STAT\nS: +OK 1 10\n`);
    const client = new Pop3Client(options(server, { auth: user }));
    await expect(client.connect().then(() => client.stat())).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });

  it('-ERR with a response code is a CommandError carrying it', async () => {
    const server = await serve(`# protocol: pop3\n${login}C: DELE 9\nS: -ERR [SYS/PERM] no such message\nC: QUIT\nS: +OK bye\n`);
    const client = new Pop3Client(options(server, { auth: user }));
    await client.connect();
    await expect(client.dele(9)).rejects.toMatchObject({ code: 'ECOMMAND', responseCode: 'SYS/PERM', serverText: '-ERR [SYS/PERM] no such message' });
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('USER/PASS refused: EAUTH with a hint (Gmail\'s words)', async () => {
    const server = await serve('# protocol: pop3\nS: +OK Gpop ready\nC: CAPA\nS: +OK\nS: USER\nS: .\nC: USER u\nS: +OK send PASS\nC: PASS p\nS: -ERR [AUTH] Username and Password not accepted.\n');
    const lines: TranscriptEntry[] = [];
    const client = new Pop3Client(options(server, { auth: user, transcript: (e) => lines.push(e) }));
    const err = await client.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 'AUTH', command: 'PASS [redacted]' });
    expect((err as { hint: string }).hint).toMatch(/Gmail/);
    expect(lines.find((l) => l.line.startsWith('PASS'))?.line).not.toContain(' p');
  });

  it('with PIPELINING, concurrent calls are written before the first answer and answered in order', async () => {
    // The scripted server answers only after it read both RETRs: without pipelining this would time out.
    const pipelined = 'S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: PIPELINING\nS: .\nC: USER u\nS: +OK\nC: PASS p\nS: +OK in\n';
    const server = await serve(`# protocol: pop3\n${pipelined}C: RETR 1\nC: DELE 9\nC: RETR 2\nS: +OK\nS: one\nS: .\nS: -ERR no such message\nS: +OK\nS: ..two\nS: .\nC: QUIT\nS: +OK bye\n`);
    const client = new Pop3Client(options(server, { auth: user, timeoutMs: 2000 }));
    await client.connect();
    const [one, dele, two] = await Promise.allSettled([client.retr(1), client.dele(9), client.retr(2)]);
    expect(one).toEqual({ status: 'fulfilled', value: new Uint8Array(Buffer.from('one\r\n')) });
    expect(dele).toMatchObject({ status: 'rejected', reason: { code: 'ECOMMAND', command: 'DELE 9' } });
    expect(two).toEqual({ status: 'fulfilled', value: new Uint8Array(Buffer.from('.two\r\n')) });
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('without PIPELINING in CAPA, concurrent calls still each get their own answer', async () => {
    const server = await serve(`# protocol: pop3\n${login}C: RETR 1\nS: +OK\nS: one\nS: .\nC: RETR 2\nS: +OK\nS: two\nS: .\nC: QUIT\nS: +OK bye\n`);
    const client = new Pop3Client(options(server, { auth: user }));
    await client.connect();
    const got = await Promise.all([client.retr(1), client.retr(2)]);
    expect(got.map((b) => Buffer.from(b).toString())).toEqual(['one\r\n', 'two\r\n']);
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('an answer past maxResponseBytes is EPROTOCOL and closes; a CAPA list without end is bounded too', async () => {
    const server = await serve(`# protocol: pop3\n${login}C: RETR 1\nS: +OK\nS: ${'x'.repeat(100)}\nS: ${'y'.repeat(100)}\nS: .\n`);
    const client = new Pop3Client(options(server, { auth: user, maxResponseBytes: 150 }));
    await client.connect();
    await expect(client.retr(1)).rejects.toMatchObject({ code: 'EPROTOCOL', command: 'RETR 1' });
    await expect(client.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
    const capa = await serve(`# protocol: pop3\nS: +OK ready\nC: CAPA\nS: +OK\n${'S: X-FILLER-CAPABILITY-LINE-THAT-GOES-ON\n'.repeat(2000)}S: .\n`);
    await expect(new Pop3Client(options(capa)).connect()).rejects.toMatchObject({ code: 'EPROTOCOL', command: 'CAPA' });
  });

  it('APOP: the MD5 of the greeting timestamp and the password (RFC 1939 §7 example), only over TLS', async () => {
    // RFC 1939's own example: timestamp <1896.697170952@dbc.mtview.ca.us>, secret "tanstaaf".
    const script = '# protocol: pop3\nS: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\nC: CAPA\nS: -ERR\nC: APOP mrose c4c9334bac560ecc979e58001b3e22fb\nS: +OK maildrop has 1 message (369 octets)\nC: QUIT\nS: +OK\n';
    const server = await serve(script, { tls: true });
    const lines: TranscriptEntry[] = [];
    const client = new Pop3Client(options(server, { security: 'tls', transcript: (e) => lines.push(e), auth: { user: 'mrose', password: 'tanstaaf', mechanism: 'APOP' } }));
    await client.connect();
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
    expect(JSON.stringify(lines)).not.toContain('c4c9334b');
    const plain = await serve(script);
    await expect(new Pop3Client(options(plain, { auth: { user: 'mrose', password: 'tanstaaf', mechanism: 'APOP' } })).connect()).rejects.toMatchObject({ code: 'EINSECURE' });
  });
});
