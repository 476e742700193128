/**
 * Issue 11, item 4 — the IMAP parser against hostile input, at the decoder (sans-I/O) and
 * through the client over a socket: literal sizes refused at the announcement, range
 * bombs kept compact, a million nested parentheses, a 100 MB line without CRLF, unknown
 * and reused tags, BYE at any point of a session.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { ImapClient, ImapResponseDecoder } from '@mailwire/imap';
import { MailwireError } from '@mailwire/errors';
import { WireError } from '@mailwire/wire';

import { fakeServer, tagOf, type FakeServer } from '../packages/imap/src/client/fake-server.test-util.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Pushes the chunks; returns the error thrown and how many chunks went in before it. */
function feed(d: ImapResponseDecoder, chunks: Iterable<Uint8Array>): { error: unknown; pushed: number; maxBuffered: number } {
  let pushed = 0;
  let maxBuffered = 0;
  try {
    for (const c of chunks) {
      pushed++;
      d.push(c);
      maxBuffered = Math.max(maxBuffered, d.bufferedBytes);
    }
  } catch (error) {
    return { error, pushed, maxBuffered };
  }
  return { error: undefined, pushed, maxBuffered };
}

describe('IMAP literal announcements', () => {
  const sizes: [string, WireError['reason']][] = [
    ['4294967295', 'literal-too-large'],
    ['99999999999999999999', 'literal-too-large'],
    ['-1', 'syntax'],
    ['', 'syntax'],
    ['1a', 'syntax'],
  ];
  it.each(sizes)('{%s} is refused on the announcement line alone, with the default limits (%s)', (size, reason) => {
    for (const at of ['* 1 FETCH (BODY[] {SIZE}\r\n', '* LIST () "/" {SIZE}\r\n', '* 1 FETCH (BODY[] ~{SIZE}\r\n']) {
      const d = new ImapResponseDecoder();
      const { error } = feed(d, [b(at.replace('SIZE', size))]);
      expect(error, at).toBeInstanceOf(WireError);
      expect(error).toMatchObject({ code: 'EPROTOCOL' });
      expect([reason, 'syntax']).toContain((error as WireError).reason);
    }
  });

  it.each(sizes)('{%s}: the client fails at once with EPROTOCOL (no wait for the bytes)', async (size) => {
    const s = await serve('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line, socket) => {
      if (/ SELECT /.test(line)) socket.write(`* 1 FETCH (BODY[] {${size}}\r\n`);
      else return `${tagOf(line)} OK done\r\n`;
    });
    const c = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 60_000 });
    clients.push(c);
    await c.connect();
    await expect(c.select('INBOX')).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });
});

describe('range bombs are never expanded', () => {
  it.each([
    '* VANISHED (EARLIER) 1:4294967295\r\n',
    '* ESEARCH (TAG "A1") UID ALL 1:4294967295,1:4294967295\r\n',
    '* OK [COPYUID 1 1:4294967295 1:4294967295] done\r\n',
    'A1 OK [COPYUID 1 1:4294967295 1:4294967295] done\r\n',
    '* OK [UIDNOTSTICKY] x\r\n* 1 FETCH (UID 4294967295)\r\n',
  ])('%j decodes to a compact value', (line) => {
    const d = new ImapResponseDecoder();
    const out = d.push(b(line));
    expect(out.length).toBeGreaterThan(0);
    expect(JSON.stringify(out).length).toBeLessThan(1000);
  });
});

describe('a million nested parentheses', () => {
  const deep = '('.repeat(1_000_000) + ')'.repeat(1_000_000);
  const lines = [`* 1 FETCH (BODYSTRUCTURE ${deep})\r\n`, `* LIST ${deep} "/" INBOX\r\n`, `* ID ${deep}\r\n`, `* XUNKNOWN ${deep}\r\n`, `* OK [BADCHARSET ${deep}] x\r\n`, `* 1 FETCH (ENVELOPE ${deep})\r\n`];
  it.each(lines.map((l) => [l.slice(0, 30), l]))('%j: the default line limit refuses it', (_name, line) => {
    const { error } = feed(new ImapResponseDecoder(), [b(line)]);
    expect(error).toMatchObject({ reason: 'line-too-long' });
  });
  it.each(lines.map((l) => [l.slice(0, 30), l]))('%j: with the line limit raised, the depth limit refuses it (no stack overflow)', (_name, line) => {
    const d = new ImapResponseDecoder({ maxLineBytes: 4 << 20 });
    const { error } = feed(d, [b(line)]);
    // Refused (too-deep, or a syntax error before any recursion), or an unknown response kept as text. Never a RangeError.
    if (error !== undefined) {
      expect(error).toBeInstanceOf(WireError);
      if (line.includes('BODYSTRUCTURE')) expect(error).toMatchObject({ reason: 'too-deep' });
    } else expect(line).toMatch(/^\* (XUNKNOWN|ID|OK) /);
  });
});

describe('a 100 MB line without CRLF', () => {
  it('is refused once past maxLineBytes, holding no more than the limit', () => {
    const chunk = Buffer.alloc(1 << 20, 0x61);
    chunk.write('* 1 FETCH (X ');
    function* hundredMegabytes() {
      for (let i = 0; i < 100; i++) yield i === 0 ? chunk : chunk.fill(0x61);
    }
    const d = new ImapResponseDecoder();
    const { error, pushed, maxBuffered } = feed(d, hundredMegabytes());
    expect(error).toMatchObject({ code: 'EPROTOCOL', reason: 'line-too-long' });
    expect(pushed).toBeLessThanOrEqual(2);
    expect(maxBuffered).toBeLessThanOrEqual(1 << 20);
  });

  it('in small chunks too: bufferedBytes never passes the limit', () => {
    const d = new ImapResponseDecoder({ maxLineBytes: 64 * 1024 });
    const piece = Buffer.alloc(4096, 0x62);
    function* chunks() {
      yield b('* OK ');
      for (let i = 0; i < 25_600; i++) yield piece; // 100 MiB
    }
    const { error, pushed, maxBuffered } = feed(d, chunks());
    expect(error).toMatchObject({ reason: 'line-too-long' });
    expect(pushed).toBeLessThanOrEqual(1 + 64 / 4 + 1);
    expect(maxBuffered).toBeLessThanOrEqual(64 * 1024);
  });
});

const servers: FakeServer[] = [];
const clients: ImapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});
async function serve(greeting: string, answer: Parameters<typeof fakeServer>[1]): Promise<FakeServer> {
  const s = await fakeServer(greeting, answer);
  servers.push(s);
  return s;
}

describe('tags the client never sent', () => {
  it.each([
    ['an unknown tag', (tag: string) => `ZZ9 OK done\r\n${tag} OK done\r\n`],
    ['a reused tag (two completions)', (tag: string) => `${tag} OK done\r\n${tag} OK again\r\n`],
    ['the tag of a completed command', (tag: string) => `${tag} OK done\r\nA1 OK stale\r\n`],
  ])('%s fails the connection with EPROTOCOL', async (_name, reply) => {
    let commands = 0;
    const s = await serve('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => {
      commands++;
      return commands === 1 ? `${tagOf(line)} OK first\r\n` : reply(tagOf(line));
    });
    const c = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 60_000 });
    clients.push(c);
    await c.connect();
    await c.noop();
    const err = await c.noop().then(() => c.noop()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MailwireError);
    expect(err).toMatchObject({ code: 'EPROTOCOL' });
  });
});

describe('BYE anywhere', () => {
  // A session's commands; the server answers each OK, but says BYE and closes at the k-th.
  const steps = ['greeting', 'NOOP', 'SELECT', 'FETCH', 'IDLE-free NOOP', 'LOGOUT'];
  it.each(steps.map((_, k) => k))('BYE at step %i: a typed error (or a clean logout), never a hang or a success reported for the refused step', async (k) => {
    let n = 0;
    const greeting = k === 0 ? '* BYE go away\r\n' : '* OK [CAPABILITY IMAP4rev1] hi\r\n';
    const s = await serve(greeting, (line, socket) => {
      n++;
      const tag = tagOf(line);
      if (n === k) {
        socket.end('* BYE server shutting down\r\n');
        return;
      }
      if (/ SELECT /.test(line)) return `* 3 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n${tag} OK [READ-WRITE] done\r\n`;
      if (/ FETCH /.test(line)) return `* 1 FETCH (UID 9 FLAGS ())\r\n${tag} OK done\r\n`;
      if (/ LOGOUT/.test(line)) return `* BYE bye\r\n${tag} OK done\r\n`;
      return `${tag} OK done\r\n`;
    });
    if (k === 0) setImmediate(() => undefined);
    const c = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 60_000 });
    clients.push(c);
    const done: string[] = [];
    const err = await (async () => {
      await c.connect();
      done.push('connect');
      await c.noop();
      done.push('NOOP');
      await c.select('INBOX');
      done.push('SELECT');
      for await (const r of c.fetch('1', ['UID', 'FLAGS'])) expect(r).toBeDefined();
      done.push('FETCH');
      await c.noop();
      done.push('NOOP');
      await c.logout();
      done.push('LOGOUT');
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (k === steps.length - 1) {
      // BYE instead of LOGOUT's OK: the server is gone either way.
      expect(err === undefined || err instanceof MailwireError).toBe(true);
    } else {
      expect(err).toBeInstanceOf(MailwireError);
      expect(['ECONNECTION', 'ECONNLOST', 'EPROTOCOL']).toContain((err as MailwireError).code);
      expect(done).toHaveLength(k);
    }
  });
});
