/**
 * Issue 11, item 8 (a gap the fuzz property used to allow): every complete response that
 * arrives before a framing error reaches the session before the error is raised, so the
 * result does not depend on how the server's bytes were split. The same bytes are fed to
 * the sans-I/O session of each protocol in one chunk, byte by byte and scattered, and must
 * give the same events and the same error; then through each client over loopback, where
 * the complete answer before the bad bytes must be the caller's result.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { MailwireError } from '@mailwire/errors';
import { ImapClient, ImapResponseDecoder, ImapSession, type SessionStep } from '@mailwire/imap';
import { Pop3Client, Pop3Session } from '@mailwire/pop3';
import { SmtpClient, SmtpSession, type SmtpStep } from '@mailwire/smtp';

import { standardChunkings } from '../packages/wire/src/chunking.test-util.js';
import { fakeServer, tagOf } from '../packages/imap/src/client/fake-server.test-util.js';
import { lineServer } from './line-server.js';

const LIMIT = 64;
const b = (s: string) => Buffer.from(s, 'latin1');
const tooLong = 'x'.repeat(LIMIT * 2);

/** What a run gave: its events in order, and the code of the error that ended it. */
interface Outcome {
  events: string[];
  error?: string;
}

/** Runs `bytes` through `run` in each standard chunking; every outcome must equal the byte-by-byte one. */
function expectSplitFree(bytes: Uint8Array, run: (chunks: Uint8Array[]) => Outcome): Outcome {
  const ways = standardChunkings(bytes);
  const ref = run(ways.find((w) => w.name === 'byte by byte')!.chunks);
  for (const w of ways) expect(run(w.chunks), w.name).toEqual(ref);
  return ref;
}

describe('IMAP: responses before a framing error reach the session', () => {
  function run(chunks: Uint8Array[]): Outcome {
    const s = new ImapSession({ decoder: new ImapResponseDecoder({ maxLineBytes: LIMIT, maxLiteralBytes: 1024, maxDepth: 8 }) });
    s.receive(b('* OK [CAPABILITY IMAP4rev1] ready\r\n'));
    s.enqueue({ name: 'NOOP' });
    s.enqueue({ name: 'NOOP' });
    const out: Outcome = { events: [] };
    const drain = () => {
      for (let step: SessionStep = s.next(); step.kind !== 'need-data'; step = s.next()) {
        if (step.kind === 'write') continue;
        if (step.kind === 'ProtocolFailed') out.error ??= step.error.code;
        else out.events.push('handle' in step ? `${step.kind}:${step.handle.tag}` : 'update' in step ? `${step.kind}:${JSON.stringify(step.update)}` : step.kind);
      }
    };
    drain();
    for (const c of chunks) {
      s.receive(c);
      drain();
    }
    return out;
  }

  const cases: [string, string][] = [
    ['an over-long line', `* 3 EXISTS\r\nA1 OK done\r\n* ${tooLong}\r\n`],
    ['a literal past maxLiteralBytes', '* 3 EXISTS\r\nA1 OK done\r\n* 1 FETCH (BODY[] {99999}\r\n'],
    ['nesting past maxDepth', `* 3 EXISTS\r\nA1 OK done\r\n* 1 FETCH (X ${'('.repeat(20)}\r\n`],
    ['a line that is not IMAP', '* 3 EXISTS\r\nA1 OK done\r\n)))\r\n'],
  ];
  it.each(cases)('%s: the same events and error in one chunk, byte by byte and scattered', (_name, text) => {
    const ref = expectSplitFree(b(text), run);
    expect(ref.events).toEqual(['GreetingReceived', 'UpdateReceived:{"type":"exists","count":3}', 'CommandCompleted:A1']);
    expect(ref.error).toBe('EPROTOCOL');
  });

  it('the client resolves the command whose OK came before the bad bytes, then fails the next one', async () => {
    const s = await fakeServer('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => {
      if (/ NOOP$/.test(line)) return `${tagOf(line)} OK done\r\n)))\r\n`;
      return `${tagOf(line)} OK done\r\n`;
    });
    const c = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 5000 });
    try {
      await c.connect();
      await c.noop();
      await expect(c.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
    } finally {
      c.close();
      await s.close();
    }
  });
});

describe('POP3: responses before a framing error reach the session', () => {
  function run(chunks: Uint8Array[]): Outcome {
    const s = new Pop3Session({ maxLineBytes: LIMIT });
    const out: Outcome = { events: [] };
    const take = (events: ReturnType<Pop3Session['receive']>) => {
      for (const e of events) {
        if (e.kind === 'ProtocolFailed') out.error ??= e.error.code;
        else if (e.kind === 'BodyReceived') {
          const last = out.events.at(-1);
          const piece = Buffer.from(e.bytes).toString('latin1');
          if (last?.startsWith('body:')) out.events[out.events.length - 1] = last + piece;
          else out.events.push(`body:${piece}`);
        } else out.events.push(e.kind === 'ResponseReceived' ? `${e.kind}:${e.keyword}:${e.status.ok}` : e.kind);
      }
    };
    take(s.receive(b('+OK ready\r\n')));
    s.sendLine('STAT');
    s.sendLine('LIST');
    s.sendLine('NOOP');
    for (const c of chunks) take(s.receive(c));
    return out;
  }

  const answers = '+OK 2 320\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n';
  const cases: [string, string][] = [
    ['an over-long line', `${answers}+OK ${tooLong}\r\n`],
    ['a status that is not +OK or -ERR', `${answers}+OKAY\r\n`],
    ['a bare LF', `${answers}+OK\n`],
  ];
  it.each(cases)('%s: the same events and error in one chunk, byte by byte and scattered', (_name, text) => {
    const ref = expectSplitFree(b(text), run);
    expect(ref.events).toEqual(['GreetingReceived', 'ResponseReceived:STAT:true', 'ResponseReceived:LIST:true', 'body:1 120\r\n2 200\r\n', 'BodyEnded']);
    expect(ref.error).toBe('EPROTOCOL');
  });

  it('the client returns the message whose body ended before the bad bytes, then fails the next command', async () => {
    const s = await lineServer('+OK ready\r\n', (line) => {
      if (line === 'CAPA') return '+OK\r\nUSER\r\n.\r\n';
      if (line.startsWith('RETR')) return '+OK 20 octets\r\nSubject: hi\r\n\r\nbody\r\n.\r\n+OKAY\r\n';
      return '+OK\r\n';
    });
    const c = new Pop3Client({ host: '127.0.0.1', port: s.port, security: 'none', auth: { user: 'u', password: 'p' }, allowInsecureAuth: true, timeoutMs: 5000 });
    try {
      await c.connect();
      expect(Buffer.from(await c.retr(1)).toString('latin1')).toBe('Subject: hi\r\n\r\nbody\r\n');
      await expect(c.dele(1)).rejects.toMatchObject({ code: 'EPROTOCOL' });
      expect(s.lines).not.toContain('DELE 1');
    } finally {
      c.close();
      await s.close();
    }
  });
});

describe('SMTP: replies before a framing error reach the session', () => {
  function run(chunks: Uint8Array[]): Outcome {
    const s = new SmtpSession({ maxLineBytes: LIMIT });
    const out: Outcome = { events: [] };
    try {
      s.receive(b('220 mx ready\r\n'));
      for (const step of ['MAIL', 'RCPT', 'DATA'] as SmtpStep[]) s.expect(step);
      for (const c of chunks) for (const r of s.receive(c)) out.events.push(`${r.step}:${r.reply.code}`);
      // A failure after returned replies is the session's `failure`, thrown by the next call.
      if (s.failure) out.error = s.failure.code;
      expect(() => s.expect('QUIT')).toThrow(MailwireError);
    } catch (err) {
      if (!(err instanceof MailwireError)) throw err;
      out.error ??= err.code;
    }
    return out;
  }

  const cases: [string, string][] = [
    ['an over-long line', `250 ok\r\n250 ok\r\n${tooLong}\r\n`],
    ['a reply line without a code', '250 ok\r\n250 ok\r\n25\r\n'],
    ['a multi-line reply that changes its code', '250 ok\r\n250 ok\r\n354-a\r\n550 b\r\n'],
    ['a reply nobody asked for', '250 ok\r\n250 ok\r\n354 go\r\n250 extra\r\n'],
  ];
  it.each(cases)('%s: the same replies and error in one chunk, byte by byte and scattered', (name, text) => {
    const ref = expectSplitFree(b(text), run);
    expect(ref.events).toEqual(name === 'a reply nobody asked for' ? ['MAIL:250', 'RCPT:250', 'DATA:354'] : ['MAIL:250', 'RCPT:250']);
    expect(ref.error).toBe('EPROTOCOL');
  });

  it('the client reports the message sent when the 250 to its data came before the bad bytes; QUIT then fails', async () => {
    let inData = false;
    const s = await lineServer('220 mx ready\r\n', (line) => {
      if (inData) {
        if (line !== '.') return;
        inData = false;
        return '250 2.0.0 queued as 42\r\n25\r\n';
      }
      if (line.startsWith('EHLO')) return '250-mx\r\n250 8BITMIME\r\n';
      if (line === 'DATA') {
        inData = true;
        return '354 go\r\n';
      }
      return '250 ok\r\n';
    });
    const c = new SmtpClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 5000 });
    try {
      await c.connect();
      const sent = await c.send({ from: 'a@example.com', to: ['b@example.com'] }, 'Subject: hi\r\n\r\nbody\r\n');
      expect(sent.reply).toMatchObject({ code: 250, enhancedCode: '2.0.0', text: 'queued as 42' });
      await expect(c.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
    } finally {
      c.close();
      await s.close();
    }
  });

  it('a reply injected in the same chunk as the 220 to STARTTLS: the 220 is used, then ESTARTTLS, and no handshake is begun', async () => {
    const s = await lineServer('220 mx ready\r\n', (line) => {
      if (line.startsWith('EHLO')) return '250-mx\r\n250 STARTTLS\r\n';
      if (line === 'STARTTLS') return '220 2.0.0 go ahead\r\n250 AUTH PLAIN\r\n';
    });
    const c = new SmtpClient({ host: '127.0.0.1', port: s.port, security: 'starttls', timeoutMs: 2000 });
    try {
      // Were the handshake begun, this would wait for a ServerHello that never comes (ETIMEDOUT).
      await expect(c.connect()).rejects.toMatchObject({ code: 'ESTARTTLS' });
      expect(s.lines.at(-1)).toBe('STARTTLS');
    } finally {
      c.close();
      await s.close();
    }
  });

  it('pipelined replies read in one chunk before the bad bytes are each used: the refused sender is the error, not the syntax', async () => {
    const s = await lineServer('220 mx ready\r\n', (line) => {
      if (line.startsWith('EHLO')) return '250-mx\r\n250 PIPELINING\r\n';
      // MAIL, RCPT and DATA come in one write; all three answers, then bad bytes, in one.
      if (line === 'DATA') return '550 5.1.0 sender refused\r\n554 5.5.1 no valid recipients\r\n554 5.5.1 no\r\n25\r\n';
    });
    const c = new SmtpClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 5000 });
    try {
      await c.connect();
      await expect(c.send({ from: 'a@example.com', to: ['b@example.com'] }, 'Subject: hi\r\n\r\nbody\r\n')).rejects.toMatchObject({ code: 'ECOMMAND', step: 'MAIL' });
      expect(s.lines).not.toContain('Subject: hi');
    } finally {
      c.close();
      await s.close();
    }
  });
});
