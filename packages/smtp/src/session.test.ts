/**
 * The sans-I/O SmtpSession and the codec: replies paired with their steps in order,
 * the same result however the server's bytes are split, enhanced codes and EHLO
 * keywords parsed exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseTranscript, sideBytes } from '@mailwire/transcript';

import { parseEhlo, sizeLimit } from './ehlo.js';
import { replyOf } from './reply.js';
import { SmtpSession } from './session.js';
import type { SmtpReplyReceived } from './session.js';
import { byteByByte, splitAt, splitPoints } from '../../wire/src/chunking.test-util.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const recordings = ['outlook', 'gmail', 'dovecot'].flatMap((p) =>
  readdirSync(`${FIXTURES}personalities/${p}`).filter((f) => f.startsWith('smtp')).map((f) => `personalities/${p}/${f}`),
);


function decodeAll(chunks: Uint8Array[], steps: number): { replies: SmtpReplyReceived[]; session: SmtpSession } {
  const session = new SmtpSession();
  for (let i = 1; i < steps; i++) session.expect(`step${i}`);
  const replies = chunks.flatMap((c) => session.receive(c));
  return { replies, session };
}

describe('SmtpSession', () => {
  it.each(recordings)('%s: the same replies, in order, at any split of the server bytes', (path) => {
    const server = sideBytes(parseTranscript(readFileSync(`${FIXTURES}${path}`, 'latin1')), 'S');
    const whole = decodeAll([server], 100).replies;
    expect(whole.length).toBeGreaterThan(3);
    fc.assert(
      fc.property(splitPoints(server.length), (points) => {
        const { replies, session } = decodeAll(splitAt(server, points), 100);
        expect(replies).toEqual(whole);
        expect(session.bufferedBytes).toBe(0);
      }),
      { numRuns: 200 },
    );
    // Byte by byte, too.
    expect(decodeAll(byteByByte(server), 100).replies).toEqual(whole);
  });

  it('pairs pipelined replies with their steps in order and refuses a reply nobody asked for', () => {
    const session = new SmtpSession();
    session.expect('MAIL');
    session.expect('RCPT');
    const got = session.receive(Buffer.from('220 hi\r\n250 ok\r\n250 2.1.5 ok\r\n'));
    expect(got.map((r) => r.step)).toEqual(['greeting', 'MAIL', 'RCPT']);
    expect(() => session.receive(Buffer.from('250 extra\r\n'))).toThrow(/nobody asked for/);
    expect(session.state).toBe('failed');
    expect(() => session.receive(Buffer.from('250 more\r\n'))).toThrow(/nobody asked for/);
  });

  it('a 421 marks the session closing; an EOF while a reply is owed names the step', () => {
    const session = new SmtpSession();
    session.expect('MAIL');
    session.receive(Buffer.from('220 hi\r\n421 4.3.2 bye\r\n'));
    expect(session.state).toBe('closing');
    const eof = new SmtpSession();
    eof.expect('EHLO');
    eof.receive(Buffer.from('220 hi\r\n250-partial\r\n'));
    expect(() => eof.end()).toThrow(expect.objectContaining({ code: 'ECONNECTION', step: 'EHLO' }));
  });

  it('a million continuation lines end in EPROTOCOL at the line limit, with bounded memory', () => {
    const session = new SmtpSession({ maxReplyLines: 1000 });
    session.receive(Buffer.from('220 hi\r\n'));
    session.expect('EHLO');
    const chunk = Buffer.from('250-x\r\n'.repeat(10_000));
    expect(() => {
      for (let i = 0; i < 100; i++) session.receive(chunk);
    }).toThrow(expect.objectContaining({ code: 'EPROTOCOL' }));
  });

  it('STARTTLS go-ahead with more bytes in the same read is an injection: ESTARTTLS', () => {
    const session = new SmtpSession();
    session.receive(Buffer.from('220 hi\r\n'));
    session.expect('STARTTLS');
    // The go-ahead itself is returned (as it would be alone in its read); the session has failed
    // after it, so the client never upgrades and the next call throws.
    expect(session.receive(Buffer.from('220 go ahead\r\n250 AUTH PLAIN\r\n')).map((r) => r.step)).toEqual(['STARTTLS']);
    expect(session.failure?.code).toBe('ESTARTTLS');
    expect(() => session.expect('EHLO')).toThrow(expect.objectContaining({ code: 'ESTARTTLS' }));
    const partial = new SmtpSession();
    partial.receive(Buffer.from('220 hi\r\n'));
    partial.expect('STARTTLS');
    expect(partial.receive(Buffer.from('220 go ahead\r\n25')).map((r) => r.step)).toEqual(['STARTTLS']);
    expect(() => partial.receive(Buffer.from('0 x\r\n'))).toThrow(expect.objectContaining({ code: 'ESTARTTLS' }));
  });
});

describe('replies and EHLO', () => {
  it('takes the enhanced code from the first line only where its class matches the reply code', () => {
    expect(replyOf({ code: 535, lines: ['5.7.3 Authentication unsuccessful'] })).toEqual({ code: 535, enhancedCode: '5.7.3', text: 'Authentication unsuccessful' });
    expect(replyOf({ code: 535, lines: ['5.7.8 Username and Password not accepted.', '5.7.8  https://support.google.com'] })).toEqual({
      code: 535, enhancedCode: '5.7.8', text: 'Username and Password not accepted.\n https://support.google.com',
    });
    expect(replyOf({ code: 250, lines: ['5.7.3 not a match'] })).toEqual({ code: 250, text: '5.7.3 not a match' });
    expect(replyOf({ code: 250, lines: ['2.0.0'] })).toEqual({ code: 250, enhancedCode: '2.0.0', text: '' });
    expect(replyOf({ code: 250, lines: ['2.0.0.1 no'] })).toEqual({ code: 250, text: '2.0.0.1 no' });
  });

  it('parses keywords exactly: X-AUTH is not AUTH; the legacy AUTH= line counts', () => {
    const caps = parseEhlo(['mx hello', 'X-AUTH PLAIN', 'SIZE 35882577', 'PIPELINING', '8BITMIME', '-bad keyword', 'starttls']);
    expect([...caps.keywords].sort()).toEqual(['8BITMIME', 'PIPELINING', 'SIZE', 'STARTTLS', 'X-AUTH']);
    expect(caps.authMechanisms.size).toBe(0);
    expect(sizeLimit(caps)).toBe(35882577);
    const legacy = parseEhlo(['mx', 'AUTH=LOGIN PLAIN', 'AUTH xoauth2']);
    expect([...legacy.authMechanisms].sort()).toEqual(['LOGIN', 'PLAIN', 'XOAUTH2']);
    expect(legacy.keywords.has('AUTH')).toBe(true);
    expect(sizeLimit(parseEhlo(['mx', 'SIZE']))).toBeUndefined();
    expect(sizeLimit(parseEhlo(['mx', 'SIZE 0']))).toBeUndefined();
  });
});
