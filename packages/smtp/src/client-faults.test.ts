/**
 * SmtpClient against scripted hostile or failing servers: each refusal names its step,
 * nothing is reported sent that was not accepted, STARTTLS cannot be stripped or
 * injected into, and broken replies end in EPROTOCOL, never a hang.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { CommandError, ConnectionError, ProtocolError, SecurityError, UsageError } from '@mailwire/errors';
import type { TranscriptEntry } from '@mailwire/net';
import { startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { SmtpClient } from './smtp-client.js';
import type { SmtpClientOptions } from './client-options.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const USER = 'alice@example.com';
const B64 = Buffer.from(`\0${USER}\0pencil`).toString('base64');

/** Greeting, EHLO with these keywords, AUTH PLAIN on the line, then `rest`. */
function session(keywords: string[], rest: string[]): string {
  const ehlo = ['mx.example.com', ...keywords, 'AUTH PLAIN'].map((k, i, all) => `S: 250${i === all.length - 1 ? ' ' : '-'}${k}`);
  return ['# protocol: smtp', 'S: 220 mx.example.com ESMTP', 'C: EHLO client.example', ...ehlo, `C: AUTH PLAIN ${B64}`, 'S: 235 2.7.0 ok', ...rest, ''].join('\n');
}

async function serve(transcript: string, extra: Partial<SmtpClientOptions> = {}) {
  const server = await startScriptedServer({ transcript, tls: true });
  servers.push(server);
  const lines: TranscriptEntry[] = [];
  const client = new SmtpClient({
    host: server.host,
    port: server.port,
    security: 'tls',
    tls: { ca: server.ca },
    name: 'client.example',
    timeoutMs: 3000,
    transcript: (e) => lines.push(e),
    auth: { user: USER, password: 'pencil', mechanism: 'PLAIN' },
    ...extra,
  });
  return { server, client, lines };
}

const MSG = 'Subject: x\r\n\r\nbody\r\n';

describe('SmtpClient: refusals name their step', () => {
  it('a pipelined send with one rejected recipient: reported, and the message goes to the others', async () => {
    const { server, client } = await serve(session(['PIPELINING'], [
      `C: MAIL FROM:<${USER}>`,
      'C: RCPT TO:<a@example.com>',
      'C: RCPT TO:<nobody@example.com>',
      'C: RCPT TO:<b@example.com>',
      'C: DATA',
      'S: 250 2.1.0 ok',
      'S: 250 2.1.5 ok',
      'S: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown',
      'S: 250 2.1.5 ok',
      'S: 354 go ahead',
      'C: Subject: x', 'C:', 'C: body', 'C: .',
      'S: 250 2.0.0 queued as 1234',
      'C: QUIT', 'S: 221 bye',
    ]));
    await client.connect();
    const result = await client.send({ from: USER, to: ['a@example.com', 'nobody@example.com', 'b@example.com'] }, MSG);
    expect(result.accepted).toEqual(['a@example.com', 'b@example.com']);
    expect(result.rejected).toEqual([{ recipient: 'nobody@example.com', reply: { code: 550, enhancedCode: '5.1.1', text: '<nobody@example.com>: Recipient address rejected: User unknown' } }]);
    expect(result.reply).toEqual({ code: 250, enhancedCode: '2.0.0', text: 'queued as 1234' });
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('every recipient refused in a pipelined batch whose DATA was accepted anyway: the data is ended empty, ECOMMAND step RCPT, then RSET', async () => {
    const { server, client } = await serve(session(['PIPELINING'], [
      `C: MAIL FROM:<${USER}>`, 'C: RCPT TO:<x@example.com>', 'C: DATA',
      'S: 250 ok', 'S: 550 5.1.1 no such user', 'S: 354 go ahead',
      'C: .', 'S: 554 5.5.1 no valid recipients',
      'C: RSET', 'S: 250 2.0.0 reset',
      'C: QUIT', 'S: 221 bye',
    ]));
    await client.connect();
    const error = await client.send({ from: USER, to: ['x@example.com'] }, MSG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ code: 'ECOMMAND', step: 'RCPT', replyCode: 550, enhancedCode: '5.1.1' });
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('552 after the data: not sent, ECOMMAND step DATA, RSET, and the next message goes through', async () => {
    const { server, client } = await serve(session([], [
      `C: MAIL FROM:<${USER}>`, 'S: 250 ok',
      'C: RCPT TO:<a@example.com>', 'S: 250 ok',
      'C: DATA', 'S: 354 go',
      'C: Subject: x', 'C:', 'C: body', 'C: .',
      'S: 552 5.3.4 Message size exceeds fixed maximum message size',
      'C: RSET', 'S: 250 ok',
      `C: MAIL FROM:<${USER}>`, 'S: 250 ok',
      'C: RCPT TO:<a@example.com>', 'S: 250 ok',
      'C: DATA', 'S: 354 go',
      'C: Subject: x', 'C:', 'C: body', 'C: .',
      'S: 250 2.0.0 ok',
      'C: QUIT', 'S: 221 bye',
    ]));
    await client.connect();
    const error = await client.send({ from: USER, to: ['a@example.com'] }, MSG).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECOMMAND', step: 'DATA', replyCode: 552, enhancedCode: '5.3.4' });
    expect((await client.send({ from: USER, to: ['a@example.com'] }, MSG)).reply.code).toBe(250);
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('452 to MAIL: ECOMMAND step MAIL, no RCPT sent', async () => {
    const { server, client } = await serve(session([], [
      `C: MAIL FROM:<${USER}>`, 'S: 452 4.3.1 Insufficient system storage',
      'C: RSET', 'S: 250 ok', 'C: QUIT', 'S: 221 bye',
    ]));
    await client.connect();
    await expect(client.send({ from: USER, to: ['a@example.com'] }, MSG)).rejects.toMatchObject({ code: 'ECOMMAND', step: 'MAIL', replyCode: 452 });
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('421 in the middle of a session: ECONNECTION naming the step; the connection is closed', async () => {
    const { client } = await serve(session([], [`C: MAIL FROM:<${USER}>`, 'S: 421 4.3.2 Service shutting down']));
    await client.connect();
    const error = await client.send({ from: USER, to: ['a@example.com'] }, MSG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'ECONNECTION', step: 'MAIL' });
    await expect(client.noop()).rejects.toBeDefined();
  });

  it('the server closes after the data and before its reply: ECONNECTION at DATA-END, nothing reported sent', async () => {
    const { client } = await serve(session([], [
      `C: MAIL FROM:<${USER}>`, 'S: 250 ok', 'C: RCPT TO:<a@example.com>', 'S: 250 ok', 'C: DATA', 'S: 354 go',
      'C: Subject: x', 'C:', 'C: body', 'C: .',
    ]));
    await client.connect();
    await expect(client.send({ from: USER, to: ['a@example.com'] }, MSG)).rejects.toMatchObject({ code: 'ECONNECTION', step: 'DATA-END' });
  });
});

describe('SmtpClient: HELO where EHLO is refused', () => {
  it('falls back to HELO, knows no extension, and sends MAIL, RCPT and DATA one at a time', async () => {
    const server = await startScriptedServer({ transcript: ['# protocol: smtp', 'S: 220 old.example.com SMTP', 'C: EHLO client.example', 'S: 500 5.5.1 Command unrecognized', 'C: HELO client.example', 'S: 250 old.example.com',
      'C: MAIL FROM:<a@example.com>', 'S: 250 ok', 'C: RCPT TO:<b@example.com>', 'S: 250 ok', 'C: DATA', 'S: 354 go', 'C: Subject: x', 'C:', 'C: body', 'C: .', 'S: 250 ok', 'C: QUIT', 'S: 221 bye', ''].join('\n') });
    servers.push(server);
    const client = new SmtpClient({ host: server.host, port: server.port, security: 'none', name: 'client.example', timeoutMs: 3000 });
    await client.connect();
    expect(client.capabilities.size).toBe(0);
    expect((await client.send({ from: 'a@example.com', to: ['b@example.com'] }, MSG)).reply.code).toBe(250);
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });
});

describe('SmtpClient: STARTTLS cannot be stripped, refused or injected into', () => {
  const plain = (rest: string[]) => ['# protocol: smtp', 'S: 220 mx ESMTP', 'C: EHLO client.example', ...rest, ''].join('\n');
  async function starttls(transcript: string, faults?: { injectAfterStarttls: string }) {
    const server = await startScriptedServer({ transcript, ...(faults ? { faults } : {}) });
    servers.push(server);
    const lines: TranscriptEntry[] = [];
    const client = new SmtpClient({ host: server.host, port: server.port, security: 'starttls', tls: { ca: server.ca }, name: 'client.example', timeoutMs: 3000, transcript: (e) => lines.push(e), auth: { user: USER, password: 'pencil' } });
    const error = await client.connect().catch((e: unknown) => e);
    client.close();
    expect(lines.some((l) => l.dir === 'C' && /^AUTH/i.test(l.line))).toBe(false);
    return error;
  }

  it('STARTTLS not offered (stripped by a man in the middle): EINSECURE before any credential', async () => {
    const error = await starttls(plain(['S: 250-mx', 'S: 250 AUTH PLAIN']));
    expect(error).toBeInstanceOf(SecurityError);
    expect(error).toMatchObject({ code: 'EINSECURE', step: 'STARTTLS' });
  });

  it('STARTTLS refused: ESTARTTLS', async () => {
    const error = await starttls(plain(['S: 250-mx', 'S: 250 STARTTLS', 'C: STARTTLS', 'S: 454 4.7.0 TLS not available']));
    expect(error).toMatchObject({ code: 'ESTARTTLS', step: 'STARTTLS' });
  });

  it('a reply injected after the go-ahead and before the handshake: ESTARTTLS', async () => {
    const error = await starttls(plain(['S: 250-mx', 'S: 250 STARTTLS', 'C: STARTTLS', 'S: 220 2.0.0 go ahead', 'C: EHLO client.example']), {
      injectAfterStarttls: '250-mx\r\n250 AUTH PLAIN\r\n',
    });
    expect(error).toMatchObject({ code: 'ESTARTTLS' });
  });
});

describe('SmtpClient: broken replies and injected arguments', () => {
  for (const [name, bytes] of [
    ['a two-digit code', '25 ok\r\n'],
    ['a four-digit code', '2500 ok\r\n'],
    ['a multi-line reply that changes its code', '250-a\r\n550 b\r\n'],
  ] as const) {
    it(`${name} in the EHLO reply: EPROTOCOL`, async () => {
      const server = await startScriptedServer({ transcript: `# protocol: smtp\nS: 220 mx\nC: EHLO client.example\nS= ${JSON.stringify(bytes)}\n` });
      servers.push(server);
      const client = new SmtpClient({ host: server.host, port: server.port, security: 'none', name: 'client.example', timeoutMs: 3000 });
      await expect(client.connect()).rejects.toBeInstanceOf(ProtocolError);
    });
  }

  it('250 then EOF in the middle of a multi-line EHLO reply: ECONNECTION, no hang', async () => {
    const server = await startScriptedServer({ transcript: '# protocol: smtp\nS: 220 mx\nC: EHLO client.example\nS: 250-mx\n' });
    servers.push(server);
    const client = new SmtpClient({ host: server.host, port: server.port, security: 'none', name: 'client.example', timeoutMs: 3000 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNECTION', step: 'EHLO' });
  });

  it('a reply nobody asked for (two greetings) is never taken as the next answer: EPROTOCOL', async () => {
    const server = await startScriptedServer({ transcript: '# protocol: smtp\nS: 220 mx\nS: 220 mx again\nC: EHLO client.example\nS: 250 mx\n' });
    servers.push(server);
    const client = new SmtpClient({ host: server.host, port: server.port, security: 'none', name: 'client.example', timeoutMs: 3000 });
    await expect(client.connect()).rejects.toBeInstanceOf(ProtocolError);
  });

  it('CR, LF or NUL in an address, a DSN envelope id or the EHLO name is refused before anything is written', async () => {
    const { client, lines } = await serve(session(['DSN'], ['C: QUIT', 'S: 221 bye']));
    await client.connect();
    const written = lines.length;
    for (const to of ['a@example.com\r\nRCPT TO:<evil@example.com>', 'a@example.com\n', 'a\0@example.com', 'a <b>@example.com']) {
      await expect(client.send({ from: USER, to: [to] }, MSG)).rejects.toBeInstanceOf(UsageError);
    }
    await expect(client.send({ from: `${USER}\r\nDATA`, to: ['a@example.com'] }, MSG)).rejects.toMatchObject({ code: 'EUSAGE' });
    expect(lines.length).toBe(written);
    expect(() => new SmtpClient({ host: 'h', name: 'evil\r\nMAIL FROM:<x>' })).toThrow(UsageError);
    await client.quit();
  });
});
