import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dial } from '../net/dial.js';
import type { Connection } from '../net/connection.js';
import { startScriptedServer } from './scripted-server.js';

const SCRIPT = [
  '# source: hand-written for the scripted server tests',
  'S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready',
  'C: A01 AUTHENTICATE XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgdAEB',
  'S: A01 OK AUTHENTICATE completed.',
  'C: A02 APPEND INBOX {5}',
  'S: + Ready for literal data',
  'C= "hello"',
  'C: ',
  'S: * 1 EXISTS',
  'S= "* 1 FETCH (BODY[] {7}\\r\\nA01 x\\r\\n)\\r\\n"',
  'S: A02 OK APPEND completed',
  'C: A03 LOGOUT',
  'S: * BYE bye',
  'S: A03 OK LOGOUT completed',
].join('\n');

async function readAll(conn: Connection): Promise<string> {
  const parts: Buffer[] = [];
  for (;;) {
    const b = await conn.readLineWithEnd(1 << 20);
    if (b === null || b === 'too-long') return Buffer.concat(parts).toString('latin1');
    parts.push(b);
  }
}

async function line(conn: Connection): Promise<string> {
  const b = await conn.readLine(1 << 20);
  return typeof b === 'string' || b === null ? String(b) : b.toString('latin1');
}

describe('startScriptedServer', () => {
  it('replays the server side with the client\'s tags mapped, literals included', async () => {
    const srv = await startScriptedServer({ transcript: SCRIPT });
    const c = await dial({ port: srv.port });
    expect(await line(c)).toBe('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready');
    await c.write('x1 AUTHENTICATE XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgdAEB\r\n');
    expect(await line(c)).toBe('x1 OK AUTHENTICATE completed.');
    await c.write('x2 APPEND INBOX {5}\r\n');
    expect(await line(c)).toBe('+ Ready for literal data');
    await c.write('hello\r\nx3 LOGOUT\r\n');
    // The tag-like "A01" inside the literal is data, not a tag: it is not rewritten.
    expect(await readAll(c)).toBe('* 1 EXISTS\r\n* 1 FETCH (BODY[] {7}\r\nA01 x\r\n)\r\nx2 OK APPEND completed\r\n* BYE bye\r\nx3 OK LOGOUT completed\r\n');
    expect(await srv.result).toEqual({ ok: true });
    await srv.close();
  });

  it('reports the first difference with its transcript line, and closes', async () => {
    const srv = await startScriptedServer({ transcript: SCRIPT });
    const c = await dial({ port: srv.port });
    await line(c);
    await c.write('x1 AUTHENTICATE XOAUTH2 Zm9v\r\n');
    expect(await srv.result).toEqual({
      ok: false,
      mismatch: { line: 3, expected: 'A01 AUTHENTICATE XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgdAEB\r\n', actual: 'x1 AUTHENTICATE XOAUTH2 Zm9v\r\n' },
    });
    expect(await readAll(c)).toBe('');
    await srv.close();
  });

  it('refuses a tag reused for a different command than recorded', async () => {
    const srv = await startScriptedServer({ transcript: 'S: * OK hi\nC: a NOOP\nS: a OK\nC: b NOOP\nS: b OK\n' });
    const c = await dial({ port: srv.port });
    await line(c);
    await c.write('t1 NOOP\r\n');
    expect(await line(c)).toBe('t1 OK');
    await c.write('t1 NOOP\r\n');
    const r = await srv.result;
    expect(r.ok).toBe(false);
    expect(r.mismatch?.line).toBe(4);
    await srv.close();
  });

  it('compares exactly without mapping when mapTags is false', async () => {
    const srv = await startScriptedServer({ transcript: 'S: * OK hi\nC: a NOOP\nS: a OK\n', mapTags: false });
    const c = await dial({ port: srv.port });
    await line(c);
    await c.write('b NOOP\r\n');
    expect((await srv.result).mismatch).toEqual({ line: 2, expected: 'a NOOP\r\n', actual: 'b NOOP\r\n' });
    await srv.close();
  });

  it('serves implicit TLS with a certificate the returned CA verifies', async () => {
    const srv = await startScriptedServer({ transcript: 'S: +OK POP3 ready\nC: QUIT\nS: +OK bye\n', tls: true });
    expect(new X509Certificate(srv.ca).ca).toBe(true);
    const c = await dial({ port: srv.port, tls: { ca: srv.ca } });
    expect(await line(c)).toBe('+OK POP3 ready');
    await c.write('QUIT\r\n');
    expect(await line(c)).toBe('+OK bye');
    expect(await srv.result).toEqual({ ok: true });
    await srv.close();
  });

  it('upgrades on STARTTLS and, with the injection fault, pushes bytes before the handshake', async () => {
    const t = 'S: 220 hi ESMTP\nC: EHLO me\nS: 250-hi\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 2.0.0 Ready to start TLS\nC: EHLO me\nS: 250 hi\n';
    const srv = await startScriptedServer({ transcript: t, faults: { injectAfterStarttls: '250 injected\r\n' } });
    const c = await dial({ port: srv.port });
    await line(c);
    await c.write('EHLO me\r\n');
    await line(c);
    await line(c);
    await c.write('STARTTLS\r\n');
    expect(await line(c)).toBe('220 2.0.0 Ready to start TLS');
    // The injected line arrived in the same write, in plaintext: a client must not read it.
    expect(await line(c)).toBe('250 injected');
    expect(await c.upgradeClientTls({ ca: srv.ca, servername: 'localhost' })).toBe(true);
    await c.write('EHLO me\r\n');
    expect(await line(c)).toBe('250 hi');
    expect(await srv.result).toEqual({ ok: true });
    await srv.close();
  });

  it('fails the handshake for the expired and wrong-host certificates', async () => {
    for (const cert of ['expired', 'wrong-host', 'self-signed'] as const) {
      const srv = await startScriptedServer({ transcript: 'S: * OK hi\n', tls: { cert } });
      const err = await dial({ port: srv.port, tls: { ca: srv.ca, servername: 'localhost' } }).then(() => null, (e: Error & { code?: string }) => e.code);
      expect(err).toMatch({ expired: /CERT_HAS_EXPIRED/, 'wrong-host': /ERR_TLS_CERT_ALTNAME_INVALID/, 'self-signed': /SELF_SIGNED/ }[cert]);
      await srv.close();
    }
  });

  it('closes after a byte offset and drips one byte per write', async () => {
    const srv = await startScriptedServer({ transcript: 'S: * OK hello there\n', faults: { closeAfterBytes: 6 } });
    const c = await dial({ port: srv.port });
    expect(await readAll(c)).toBe('');
    await srv.close();
    const drip = await startScriptedServer({ transcript: 'S: * OK hi\n', faults: { dripBytes: 0 } });
    const d = await dial({ port: drip.port });
    expect(await line(d)).toBe('* OK hi');
    await drip.close();
  });
});

describe('startScriptedServer with several connections', () => {
  it('plays one transcript per connection, in order, and refuses a connection beyond them', async () => {
    const first = 'S: * OK hi\nC: a1 AUTHENTICATE XOAUTH2 b2xk\nS: a1 NO [AUTHENTICATIONFAILED] expired\n';
    const second = 'S: * OK hi\nC: a1 AUTHENTICATE XOAUTH2 bmV3\nS: a1 OK done\n';
    const srv = await startScriptedServer({ transcript: [first, second] });
    const c1 = await dial({ port: srv.port });
    await line(c1);
    await c1.write('t1 AUTHENTICATE XOAUTH2 b2xk\r\n');
    expect(await line(c1)).toBe('t1 NO [AUTHENTICATIONFAILED] expired');
    const c2 = await dial({ port: srv.port });
    await line(c2);
    await c2.write('t2 AUTHENTICATE XOAUTH2 bmV3\r\n');
    expect(await line(c2)).toBe('t2 OK done');
    expect(await srv.result).toEqual({ ok: true });
    const c3 = await dial({ port: srv.port });
    expect(await readAll(c3)).toBe('');
    await srv.close();
  });

  it('names the connection of a mismatch', async () => {
    const srv = await startScriptedServer({ transcript: ['S: * OK one\n', 'S: * OK two\nC: a NOOP\nS: a OK\n'] });
    const c1 = await dial({ port: srv.port });
    expect(await readAll(c1)).toBe('* OK one\r\n');
    const c2 = await dial({ port: srv.port });
    await line(c2);
    await c2.write('a NOOP!\r\n');
    expect(await srv.result).toEqual({ ok: false, connection: 2, mismatch: { line: 2, expected: 'a NOOP\r\n', actual: 'a NOOP!\r\n' } });
    await srv.close();
  });
});
