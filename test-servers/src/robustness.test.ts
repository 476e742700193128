/**
 * Hostile input: whatever a client sends, the parsers either parse it or refuse it with
 * their own error, and the servers never crash, hang or stop serving other clients.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSyntaxError, tokenize } from './imap/tokenizer.js';
import { sectionBytes } from './imap/sections.js';
import { bodyStructure, envelope } from './store/imap-structure.js';
import { parseMime } from './store/mime.js';
import { startTestServers, type TestServers } from './test-servers.js';
import { LineClient } from './test-util/line-client.test-util.js';

const bytes = fc.uint8Array({ maxLength: 400 });
const imapish = fc.array(fc.constantFrom('(', ')', '"', '\\', '{', '}', '[', ']', '<', '>', ' ', 'a', '1', '*', '{3}', '~{2}', 'BODY[', 'NIL', '\x00', '\xff'), { maxLength: 60 }).map((a) => a.join(''));

describe('parsers on random input', () => {
  it('tokenize parses or throws ImapSyntaxError, nothing else', () => {
    fc.assert(
      fc.property(imapish, fc.array(fc.uint8Array({ maxLength: 5 }), { maxLength: 3 }), (text, lits) => {
        try {
          tokenize(text, lits.map((l) => Buffer.from(l)));
        } catch (e) {
          expect(e).toBeInstanceOf(ImapSyntaxError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('MIME parsing, ENVELOPE, BODYSTRUCTURE and sections never throw on any bytes', () => {
    const mimeish = fc.array(fc.constantFrom('Content-Type: multipart/mixed; boundary=b\r\n', '--b\r\n', '--b--\r\n', '\r\n', 'From: "a, b" <x@y>, c\r\n', 'Content-Type: message/rfc822\r\n', 'x\n', ' folded\r\n'), { maxLength: 30 }).map((a) => Buffer.from(a.join(''), 'latin1'));
    fc.assert(
      fc.property(fc.oneof(mimeish, bytes.map((b) => Buffer.from(b))), fc.constantFrom('', '1', '1.2', '2.MIME', 'HEADER', 'TEXT', '1.HEADER', 'HEADER.FIELDS (FROM)', '9.9.9'), (raw, section) => {
        const part = parseMime(raw);
        expect(typeof envelope(part)).toBe('string');
        expect(bodyStructure(part, true).startsWith('(')).toBe(true);
        const b = sectionBytes(part, raw, section);
        expect(b === null || Buffer.isBuffer(b)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('servers on random bytes', () => {
  let s: TestServers;
  beforeAll(async () => {
    s = await startTestServers({ personality: 'dovecot', users: [{ user: 'u@x', password: 'pw' }], limits: { maxLineBytes: 1024, maxLiteralBytes: 4096 } });
  });
  afterAll(() => s.stop());

  it.each(['imap', 'pop3', 'smtp'] as const)('%s: random chunks never stop the server from serving', async (proto) => {
    const chunk = fc.oneof(bytes, fc.constantFrom('a LOGIN u@x pw\r\n', 'b SELECT INBOX\r\n', 'c APPEND INBOX {5+}\r\n', 'AUTH PLAIN\r\n', '*\r\n', 'EHLO x\r\n', 'DATA\r\n', '.\r\n', 'c FETCH 1:* (BODY[] ENVELOPE)\r\n').map((t) => Buffer.from(t, 'latin1')));
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { maxLength: 8 }), async (chunks) => {
        const c = await LineClient.open(s[proto].port);
        for (const ch of chunks) await c.send(ch);
        await new Promise((r) => setImmediate(r));
        c.close();
      }),
      { numRuns: 60 },
    );
    const probe = await LineClient.open(s[proto].port);
    expect(await probe.line()).toMatch({ imap: /^\* OK /, pop3: /^\+OK /, smtp: /^220 / }[proto]);
    probe.close();
    expect(s.errors).toEqual([]);
  });
});

describe('IMAP SEARCH on hostile keys', () => {
  let s: TestServers;
  beforeAll(async () => {
    s = await startTestServers({ personality: 'dovecot', users: [{ user: 'u@x', password: 'pw' }] });
  });
  afterAll(() => s.stop());

  it('answers a chain of thousands of NOT or OR keys with BAD, and keeps serving', async () => {
    const c = await LineClient.open(s.imap.port);
    await c.line();
    await c.exchange('a LOGIN u@x pw', /^a /);
    await c.exchange('b SELECT INBOX', /^b /);
    expect(await c.exchange(`c SEARCH ${'NOT '.repeat(15_000)}ALL`, /^c /)).toMatch(/^c BAD /);
    expect(await c.exchange(`d SEARCH ${'OR ALL '.repeat(9_000)}ALL`, /^d /)).toMatch(/^d BAD /);
    expect(await c.exchange('e SEARCH NOT NOT ALL', /^e /)).toMatch(/^e OK /m);
    c.close();
    expect(s.errors).toEqual([]);
  });
});

describe('IMAP literals across one command', () => {
  let s: TestServers;
  beforeAll(async () => {
    s = await startTestServers({ personality: 'dovecot', users: [{ user: 'u@x', password: 'pw' }], limits: { maxLineBytes: 1024, maxLiteralBytes: 4096 } });
  });
  afterAll(() => s.stop());

  it('counts every literal of a command against maxLiteralBytes, not each one alone', async () => {
    const c = await LineClient.open(s.imap.port);
    await c.line();
    expect(await c.exchange('a LOGIN {3000}', /^\+ /)).toMatch(/^\+ /);
    expect(await c.exchange(`${'x'.repeat(3000)} {3000}`, /^a /)).toBe('a NO [TOOBIG] Literal too large.');
    c.close();
    expect(s.errors).toEqual([]);
  });
});
