/**
 * Issue 11, item 1 — referrals are never followed. A server may tell the client to go
 * elsewhere: IMAP LOGIN-REFERRALS (RFC 2221: `[REFERRAL url]` on the greeting, LOGIN and
 * AUTHENTICATE), IMAP MAILBOX-REFERRALS (RFC 2193: `NO [REFERRAL url]` on SELECT, EXAMINE,
 * CREATE, DELETE, SUBSCRIBE, STATUS, APPEND, COPY, LIST; remote mailboxes in LIST), SMTP
 * 251/551 "user not local" (RFC 5321 §3.4). POP3 has no referral mechanism.
 *
 * A hostile or hijacked server would use a referral to send the client — and its
 * credentials — to a host of its choosing. Each referral here points at a second listener
 * on 127.0.0.1 that the test watches: no connection ever arrives there (checked by the
 * test's own probe being that listener's first connection), the first server's script
 * shows the credentials sent once and nowhere again, and the client's result is a typed
 * error (or, for `OK [REFERRAL]` and 251, a normal completion) whose message says the
 * referral was not followed rather than inviting anyone to follow it.
 */
import { once } from 'node:events';
import { connect as tcpConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ImapClient } from '@mailwire/imap';
import { SmtpClient } from '@mailwire/smtp';
import { startScriptedServer, type ScriptedServer } from '@mailwire/test-servers';

/** The listener a referral points at: it records the connections that reach it. */
interface Watched {
  port: number;
  /**
   * Connects to it ourselves and resolves with how many connections it accepted before
   * ours: a client that followed a referral began its connection before this probe, so it
   * would be accepted first.
   */
  probe(): Promise<number>;
  close(): Promise<void>;
}

async function watched(): Promise<Watched> {
  const sockets = new Set<Socket>();
  const peers: number[] = []; // the remote port of each accepted connection, in order
  const server: Server = createServer((socket) => {
    peers.push(socket.remotePort ?? -1);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    server.emit('accepted');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async probe() {
      const s = tcpConnect(port, '127.0.0.1');
      s.on('error', () => undefined);
      await once(s, 'connect');
      const mine = s.localPort!;
      while (!peers.includes(mine)) await once(server, 'accepted');
      s.destroy();
      return peers.indexOf(mine);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let elsewhere: Watched;
const servers: ScriptedServer[] = [];
const closers: (() => void)[] = [];
beforeEach(async () => {
  elsewhere = await watched();
});
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  for (const s of servers.splice(0)) await s.close();
  await elsewhere.close();
});

/** Plays `lines` (with PORT2 replaced by the watched port) as the only connection the server takes. */
async function script(protocol: 'imap' | 'smtp', lines: string[]): Promise<ScriptedServer> {
  const text = [`# protocol: ${protocol}`, ...lines.map((l) => l.replaceAll('PORT2', String(elsewhere.port))), ''].join('\n');
  const server = await startScriptedServer({ transcript: text });
  servers.push(server);
  return server;
}

/** Nothing reached the referred-to listener, and the client sent exactly the script (one login, no retry). */
async function expectNotFollowed(server: ScriptedServer): Promise<void> {
  expect(await elsewhere.probe(), 'connections to the referred-to server').toBe(0);
  expect(await server.result).toEqual({ ok: true });
}

/** The message says the referral was not followed, and never invites following it. */
function expectNoInvitation(err: { message: string; hint?: string }): void {
  const words = `${err.message} ${err.hint ?? ''}`;
  expect(words).toMatch(/does not follow referrals/);
  expect(words).not.toMatch(/\b(please )?try\b|connect to 127\.0\.0\.1/i);
}

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as { code: string; message: string; hint?: string });

function imap(server: ScriptedServer, auth: Record<string, unknown> = { user: 'alice', password: 'secret' }): ImapClient {
  const c = new ImapClient({ host: server.host, port: server.port, security: 'none', allowInsecureAuth: true, auth, timeoutMs: 5000 } as never);
  closers.push(() => c.close());
  return c;
}

const GREETING = 'S: * OK [CAPABILITY IMAP4rev1 LOGIN-REFERRALS MAILBOX-REFERRALS] ready';
const URL = 'imap://alice;AUTH=*@127.0.0.1:PORT2/';

describe('IMAP LOGIN-REFERRALS (RFC 2221)', () => {
  it('LOGIN answered NO [REFERRAL]: EAUTH, the credentials sent once, nothing sent to the referred-to server', async () => {
    const s = await script('imap', [GREETING, 'C: A1 LOGIN alice secret', `S: A1 NO [REFERRAL ${URL}] Specified user is invalid on this server. Try 127.0.0.1:PORT2.`]);
    const err = await fail(imap(s).connect());
    expect(err.code).toBe('EAUTH');
    expectNoInvitation(err);
    await expectNotFollowed(s);
  });

  it('AUTHENTICATE answered NO [REFERRAL]: EAUTH, nothing sent to the referred-to server', async () => {
    const s = await script('imap', [
      'S: * OK [CAPABILITY IMAP4rev1 LOGIN-REFERRALS AUTH=PLAIN SASL-IR] ready',
      'C: A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==',
      'S: A1 NO [REFERRAL imap://alice;AUTH=PLAIN@127.0.0.1:PORT2/] Try 127.0.0.1:PORT2.',
    ]);
    const err = await fail(imap(s).connect());
    expect(err.code).toBe('EAUTH');
    expectNoInvitation(err);
    await expectNotFollowed(s);
  });

  it('LOGIN answered OK [REFERRAL]: a normal login on this server; the next command goes here too', async () => {
    const s = await script('imap', [
      GREETING,
      'C: A1 LOGIN alice secret',
      `S: A1 OK [REFERRAL ${URL}] Your mailboxes are on 127.0.0.1:PORT2, which would be quicker.`,
      'C: A2 CAPABILITY',
      'S: * CAPABILITY IMAP4rev1 MAILBOX-REFERRALS',
      'S: A2 OK done',
      'C: A3 NOOP',
      'S: A3 OK done',
    ]);
    const c = imap(s);
    await c.connect();
    await c.noop();
    c.close();
    await expectNotFollowed(s);
  });

  it('a greeting of BYE [REFERRAL]: a ConnectionError, no credential sent anywhere', async () => {
    const s = await script('imap', [`S: * BYE [REFERRAL ${URL}] Server not accepting connections. Try 127.0.0.1:PORT2.`]);
    const err = await fail(imap(s).connect());
    expect(err.code).toBe('ECONNECTION');
    expectNoInvitation(err);
    await expectNotFollowed(s);
  });

  it('a greeting of OK [REFERRAL]: an ordinary greeting; login goes to this server', async () => {
    const s = await script('imap', [
      `S: * OK [REFERRAL ${URL}] ready; 127.0.0.1:PORT2 would be quicker`,
      'C: A1 CAPABILITY',
      'S: * CAPABILITY IMAP4rev1',
      'S: A1 OK done',
      'C: A2 LOGIN alice secret',
      'S: A2 OK [CAPABILITY IMAP4rev1] Logged in',
    ]);
    await imap(s).connect();
    await expectNotFollowed(s);
  });
});

describe('IMAP MAILBOX-REFERRALS (RFC 2193)', () => {
  const loggedIn = [GREETING, 'C: A1 LOGIN alice secret', 'S: A1 OK [CAPABILITY IMAP4rev1 MAILBOX-REFERRALS] Logged in'];
  const remote = `S: A2 NO [REFERRAL imap://alice;AUTH=*@127.0.0.1:PORT2/Shared] Remote mailbox. Try 127.0.0.1:PORT2.`;
  const cases: [string, string, (c: ImapClient) => Promise<unknown>][] = [
    ['SELECT', 'C: A2 SELECT Shared', (c) => c.select('Shared')],
    ['EXAMINE', 'C: A2 EXAMINE Shared', (c) => c.select('Shared', { readOnly: true })],
    ['CREATE', 'C: A2 CREATE Shared/new', (c) => c.create('Shared/new')],
    ['DELETE', 'C: A2 DELETE Shared', (c) => c.delete('Shared')],
    ['SUBSCRIBE', 'C: A2 SUBSCRIBE Shared', (c) => c.subscribe('Shared')],
    ['STATUS', 'C: A2 STATUS Shared (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)', (c) => c.status('Shared', ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN'])],
    ['LIST', 'C: A2 LIST Shared/ *', (c) => c.list('Shared/', '*')],
    // Refused at the literal's announcement, before the message is sent (RFC 2193 §4.1).
    ['APPEND', 'C: A2 APPEND Shared {16}', (c) => c.append('Shared', 'Subject: hi\r\n\r\nx')],
  ];
  it.each(cases)('%s answered NO [REFERRAL]: ECOMMAND naming the referral as not followed; nothing sent elsewhere', async (_name, command, call) => {
    const s = await script('imap', [...loggedIn, command, remote]);
    const c = imap(s);
    await c.connect();
    const err = await fail(call(c));
    expect(err.code).toBe('ECOMMAND');
    expect(err).toMatchObject({ responseCode: 'REFERRAL' });
    expectNoInvitation(err);
    c.close();
    await expectNotFollowed(s);
  });

  it('COPY answered NO [REFERRAL]: ECOMMAND naming the referral as not followed; nothing sent elsewhere', async () => {
    const s = await script('imap', [
      ...loggedIn,
      'C: A2 SELECT INBOX',
      'S: * 1 EXISTS',
      'S: A2 OK [READ-WRITE] selected',
      'C: A3 COPY 1 Shared',
      remote.replace('A2', 'A3'),
    ]);
    const c = imap(s);
    await c.connect();
    await c.select('INBOX');
    const err = await fail(c.copy('1', 'Shared'));
    expect(err).toMatchObject({ code: 'ECOMMAND', responseCode: 'REFERRAL' });
    expectNoInvitation(err);
    c.close();
    await expectNotFollowed(s);
  });

  it('LIST with a remote mailbox (\\Remote, RFC 5258) and an untagged OK [REFERRAL]: listed as data, nothing opened elsewhere', async () => {
    const s = await script('imap', [
      ...loggedIn,
      'C: A2 LIST "" *',
      'S: * LIST () "/" INBOX',
      'S: * LIST (\\Remote \\HasNoChildren) "/" Shared',
      `S: * OK [REFERRAL ${URL}] Shared lives on 127.0.0.1:PORT2`,
      'S: A2 OK LIST done',
    ]);
    const c = imap(s);
    await c.connect();
    const entries = await c.list('', '*');
    expect(entries.map((e) => [e.name, e.attributes])).toEqual([['INBOX', []], ['Shared', ['\\Remote', '\\HasNoChildren']]]);
    c.close();
    await expectNotFollowed(s);
  });
});

describe('SMTP 251/551 "user not local" (RFC 5321 §3.4)', () => {
  const hello = ['S: 220 mx ESMTP', 'C: EHLO client.example', 'S: 250-mx', 'S: 250 ENHANCEDSTATUSCODES', 'C: MAIL FROM:<a@example.com>', 'S: 250 2.1.0 ok'];
  const refer = 'S: 551 5.1.6 User not local; please try <bob@[127.0.0.1]> at smtp://127.0.0.1:PORT2';
  const data = ['C: DATA', 'S: 354 go', 'C: Subject: hi', 'C:', 'C: body', 'C: .', 'S: 250 2.0.0 queued'];
  const MESSAGE = 'Subject: hi\r\n\r\nbody\r\n';

  function smtp(server: ScriptedServer): SmtpClient {
    const c = new SmtpClient({ host: server.host, port: server.port, security: 'none', name: 'client.example', timeoutMs: 5000 });
    closers.push(() => c.close());
    return c;
  }

  it('551 to the only recipient: ECOMMAND at RCPT; no RCPT for the suggested address, no connection to the suggested host', async () => {
    const s = await script('smtp', [...hello, 'C: RCPT TO:<b@example.com>', refer, 'C: RSET', 'S: 250 2.0.0 ok']);
    const c = smtp(s);
    await c.connect();
    const err = await fail(c.send({ from: 'a@example.com', to: ['b@example.com'] }, MESSAGE));
    expect(err).toMatchObject({ code: 'ECOMMAND', step: 'RCPT', replyCode: 551 });
    expectNoInvitation(err);
    c.close();
    await expectNotFollowed(s);
  });

  it('551 to one of two recipients: sent to the other only; the 551 is a refused recipient, not retried at its forward-path', async () => {
    const s = await script('smtp', [...hello, 'C: RCPT TO:<b@example.com>', refer, 'C: RCPT TO:<c@example.com>', 'S: 250 2.1.5 ok', ...data]);
    const c = smtp(s);
    await c.connect();
    const sent = await c.send({ from: 'a@example.com', to: ['b@example.com', 'c@example.com'] }, MESSAGE);
    expect(sent.accepted).toEqual(['c@example.com']);
    expect(sent.rejected).toMatchObject([{ recipient: 'b@example.com', reply: { code: 551 } }]);
    c.close();
    await expectNotFollowed(s);
  });

  it('251 "will forward": the recipient is accepted and the message goes to this server only', async () => {
    const s = await script('smtp', [...hello, 'C: RCPT TO:<b@example.com>', 'S: 251 2.1.5 User not local; will forward to <bob@[127.0.0.1]> via smtp://127.0.0.1:PORT2', ...data]);
    const c = smtp(s);
    await c.connect();
    const sent = await c.send({ from: 'a@example.com', to: ['b@example.com'] }, MESSAGE);
    expect(sent.accepted).toEqual(['b@example.com']);
    expect(sent.reply.code).toBe(250);
    c.close();
    await expectNotFollowed(s);
  });
});
