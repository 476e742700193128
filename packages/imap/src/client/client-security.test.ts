import { afterEach, describe, expect, it } from 'vitest';

import { startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { SESSIONS_DIR } from '../session/replay.test-util.js';
import { ImapClient } from './imap-client.js';
import { fakeServer, tagOf } from './fake-server.test-util.js';
import type { FakeServer } from './fake-server.test-util.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fake(greeting: string, answer: Parameters<typeof fakeServer>[1]): Promise<FakeServer> {
  const s = await fakeServer(greeting, answer);
  cleanups.push(() => s.close());
  return s;
}

/** Answers CAPABILITY from `caps`, LOGOUT with BYE, everything else OK. */
const plainAnswers = (caps: string) => (line: string) => {
  const tag = tagOf(line);
  if (/ CAPABILITY$/.test(line)) return `* CAPABILITY ${caps}\r\n${tag} OK done\r\n`;
  if (/ LOGOUT$/.test(line)) return `* BYE bye\r\n${tag} OK done\r\n`;
  if (/^[A-Z]+\d+ /.test(line)) return `${tag} OK done\r\n`;
  return undefined;
};

describe('ImapClient security', () => {
  it('fails with ESTARTTLS when the server injects bytes after the STARTTLS go-ahead', async () => {
    const server: ScriptedServer = await startScriptedServer({
      transcript: `${SESSIONS_DIR}starttls.txt`,
      faults: { injectAfterStarttls: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n' },
    });
    cleanups.push(() => server.close());
    const client = new ImapClient({ host: server.host, port: server.port, security: 'starttls', tls: { ca: server.ca }, auth: { user: 'mrc', password: 'secret' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ESTARTTLS' });
  });

  it('refuses to send credentials over plaintext (EINSECURE) and sends none', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR] hi\r\n', plainAnswers('IMAP4rev1'));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', auth: { user: 'alice', password: 'hunter2' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    const token = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', auth: { user: 'alice', accessToken: 'tok-secret' } });
    await expect(token.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    expect(s.received()).not.toMatch(/hunter2|AUTHENTICATE|LOGIN|dG9r/);
  });

  it('refuses to go on in plaintext when STARTTLS was asked for and is not offered', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n', plainAnswers('IMAP4rev1'));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'starttls', auth: { user: 'alice', password: 'hunter2' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'EINSECURE' });
    expect(s.received()).toBe('');
  });

  it('closes with EINSECURE when a connection that must be upgraded is greeted with PREAUTH, and sends nothing', async () => {
    const s = await fake('* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in as alice\r\n', plainAnswers('IMAP4rev1 STARTTLS'));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'starttls', auth: { user: 'alice', password: 'hunter2' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'EINSECURE', protocol: 'imap' });
    expect(s.received()).toBe('');
  });

  it('fails with ESTARTTLS (not ECOMMAND) when the server refuses STARTTLS, before any credential', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n', (line: string) => {
      const tag = tagOf(line);
      if (/ STARTTLS$/.test(line)) return `${tag} NO [UNAVAILABLE] TLS is not available now\r\n`;
      return plainAnswers('IMAP4rev1 STARTTLS AUTH=PLAIN')(line);
    });
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'starttls', auth: { user: 'alice', password: 'hunter2' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ESTARTTLS', protocol: 'imap' });
    expect(s.received()).not.toMatch(/hunter2|AUTHENTICATE|LOGIN/);
  });

  it('never sends LOGIN where the server says LOGINDISABLED', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n', plainAnswers('IMAP4rev1'));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, auth: { user: 'alice', password: 'hunter2' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ENOAUTHMECH' });
    expect(s.received()).not.toContain('LOGIN');
  });

  it('sends mailbox names and search strings holding CRLF as literals, never as a new command', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n', plainAnswers('IMAP4rev1 LITERAL+'));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none' });
    await client.connect();
    await client.create('x\r\nA9 DELETE INBOX');
    await client.search({ subject: 'y\r\nA10 LOGOUT' });
    await client.logout();
    const sent = s.received();
    expect(sent).toContain('A1 CREATE "x&AA0ACg-A9 DELETE INBOX"\r\n');
    expect(sent).toContain('A2 SEARCH SUBJECT {13+}\r\ny\r\nA10 LOGOUT\r\n');
    expect(sent.split('\r\n').filter((l) => /^A\d+ /.test(l)).map((l) => l.split(' ')[1])).toEqual(['CREATE', 'SEARCH', 'LOGOUT']);
  });

  it('refuses NUL in a mailbox name with EUSAGE before sending anything', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', plainAnswers('IMAP4rev1'));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none' });
    await client.connect();
    await expect(client.select('a\0b')).rejects.toMatchObject({ code: 'EUSAGE' });
    await client.logout();
    expect(s.received()).not.toContain('SELECT');
  });

  it('fails with ETIMEDOUT when the server stops answering', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => (/ NOOP$/.test(line) ? undefined : plainAnswers('IMAP4rev1')(line)));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 100 });
    await client.connect();
    await expect(client.noop()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('fails with ETIMEDOUT when the server never answers the DONE that ends an IDLE', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n', (line) => {
      if (/ IDLE$/.test(line)) return '+ idling\r\n* 5 EXISTS\r\n';
      if (line === 'DONE') return undefined;
      return plainAnswers('IMAP4rev1 IDLE')(line);
    });
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', timeoutMs: 100 });
    await client.connect();
    const ac = new AbortController();
    await expect(client.idle({ signal: ac.signal, onUpdate: () => ac.abort() })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('fails with EABORTED when the signal fires', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => (/ NOOP$/.test(line) ? undefined : plainAnswers('IMAP4rev1')(line)));
    const ac = new AbortController();
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', signal: ac.signal });
    await client.connect();
    const pending = client.noop();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'EABORTED' });
  });

  it('turns garbage from the server into EPROTOCOL and a closed connection', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => (/ NOOP$/.test(line) ? `* 1 FETCH (FLAGS (\\Seen\r\n${tagOf(line)} OK\r\n` : plainAnswers('IMAP4rev1')(line)));
    const client = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none' });
    await client.connect();
    await expect(client.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
    await expect(client.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });

  it('never lets a password or SASL response reach the transcript or the error (sync-literal LOGIN, two-step PLAIN)', async () => {
    const password = 'pässwörd\r\nsecret';
    const seen = (text: string) => [password, 'secret', Buffer.from(`\0alice\0${password}`).toString('base64')].some((x) => text.includes(x));
    const login = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => (/ LOGIN /.test(line) ? `${tagOf(line)} NO [AUTHENTICATIONFAILED] bad\r\n` : plainAnswers('IMAP4rev1')(line)));
    const lines: string[] = [];
    const a = new ImapClient({ host: '127.0.0.1', port: login.port, security: 'none', allowInsecureAuth: true, auth: { user: 'alice', password }, transcript: (e) => lines.push(e.line) });
    const err = await a.connect().then(() => null, (e: unknown) => e as Record<string, unknown>);
    expect(err).toMatchObject({ code: 'EAUTH', command: 'A1 LOGIN [redacted]' });
    expect(login.received()).toContain('secret'); // it was sent, as a literal after "+"
    expect(seen(JSON.stringify({ ...err, message: (err as unknown as Error).message })), 'error').toBe(false);
    expect(lines.filter(seen), 'transcript').toEqual([]);

    let authTag = '';
    const plain = await fake('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n', (line) => {
      if (/ AUTHENTICATE PLAIN$/.test(line)) {
        authTag = tagOf(line);
        return '+ \r\n';
      }
      if (authTag && !/^A\d+ /.test(line)) return `${authTag} NO [AUTHENTICATIONFAILED] bad\r\n`;
      return plainAnswers('IMAP4rev1 AUTH=PLAIN')(line);
    });
    lines.length = 0;
    const b = new ImapClient({ host: '127.0.0.1', port: plain.port, security: 'none', allowInsecureAuth: true, auth: { user: 'alice', password }, transcript: (e) => lines.push(e.line) });
    const err2 = await b.connect().then(() => null, (e: unknown) => e as Record<string, unknown>);
    expect(err2).toMatchObject({ code: 'EAUTH' });
    expect(seen(JSON.stringify({ ...err2, message: (err2 as unknown as Error).message })), 'error').toBe(false);
    expect(lines.filter(seen), 'transcript').toEqual([]);
    expect(lines).toContain('[redacted]');
  });
});
