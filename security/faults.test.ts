/**
 * Issue 11, item 7 — faults, over the personality transcripts of all three protocols
 * (fixtures/personalities/<p>/{imap,pop3,smtp}.txt, replayed by the scripted server): the
 * server closes the connection after k bytes of its side, for every k (about 8,000
 * connections in all, some 25 s of one core); the client ends in success or a typed
 * MailwireError — never an unhandled rejection, a hang or a leaked socket or timer — and
 * nothing is reported done that the server did not
 * confirm (a message sent only after the 250 for its data, a POP3 message only after its
 * final "."). A stall gives ETIMEDOUT; a drip (one byte per write) still succeeds.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { MailwireError } from '@mailwire/errors';
import { ImapClient } from '@mailwire/imap';
import { Pop3Client } from '@mailwire/pop3';
import { SmtpClient } from '@mailwire/smtp';
import { loadTranscript, SEED_FAKE_TOKEN, startScriptedServer, type Faults, type ScriptedServer } from '@mailwire/test-servers';

import type { Protocol } from './clients.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const USER = 'test@contoso.onmicrosoft.com';
const POP3_TOKEN = 'EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA';
const MESSAGE = 'Subject: sent by SMTP\r\n\r\n.dot-stuffed line\r\nlast line\r\n';

function fixture(personality: string, protocol: Protocol): string {
  const text = readFileSync(`${FIXTURES}personalities/${personality}/${protocol}.txt`, 'latin1');
  if (protocol === 'smtp') return text.replace(/^(C: MAIL FROM:<[^>]*>)$/m, `$1 SIZE=${Buffer.byteLength(MESSAGE)}`);
  return protocol === 'imap' ? fitImap(text) : text;
}

/**
 * The recorded IMAP sessions asked for CAPABILITY as a generic client would; ImapClient
 * skips it where the greeting carries the list, and asks again after AUTHENTICATE where
 * the OK has no CAPABILITY code (even after an untagged CAPABILITY, as Gmail sends). The session is otherwise the recorded one.
 */
function fitImap(text: string): string {
  let lines = text.split('\n');
  const greeting = lines.find((l) => l.startsWith('S: '))!;
  const at = lines.findIndex((l) => /^C: \S+ CAPABILITY$/.test(l));
  const end = lines.findIndex((l, i) => i > at && /^S: \S+ OK/.test(l));
  const caps = /\[CAPABILITY ([^\]]*)\]/.exec(greeting)?.[1] ?? lines.slice(at, end).find((l) => l.startsWith('S: * CAPABILITY '))!.slice('S: * CAPABILITY '.length);
  if (greeting.includes('[CAPABILITY ')) lines = [...lines.slice(0, at), ...lines.slice(end + 1)];
  const auth = lines.findIndex((l) => /^C: \S+ AUTHENTICATE /.test(l));
  const ok = lines.findIndex((l, i) => i > auth && /^S: \S+ OK/.test(l));
  if (!lines[ok]!.includes('[CAPABILITY')) {
    lines.splice(ok + 1, 0, 'C: C02 CAPABILITY', `S: * CAPABILITY ${caps}`, 'S: C02 OK done');
  }
  return lines.join('\n');
}

/** The server's side of a transcript as one latin1 string (IMAP tags as recorded). */
function serverSide(text: string): string {
  return loadTranscript(text)
    .entries.filter((e) => e.dir === 'S')
    .map((e) => Buffer.from(e.bytes).toString('latin1'))
    .join('');
}

/** Where, in the server's bytes, the confirmation a step needs has fully arrived. */
function confirmedAt(protocol: Protocol, server: string): Record<string, number> {
  if (protocol === 'smtp') {
    // The reply to the data's final "." is the last 250 before QUIT's 221.
    const end = server.lastIndexOf('\r\n', server.lastIndexOf('221')) + 2;
    return { sent: end };
  }
  if (protocol === 'pop3') {
    const dot = server.indexOf('\r\n.\r\n', server.indexOf('Second line.')) + 5;
    return { retr: dot };
  }
  return {};
}

interface Run {
  done: string[];
}

async function drive(protocol: Protocol, server: ScriptedServer, run: Run, timeoutMs: number, text: string): Promise<void> {
  const common = { host: server.host, port: server.port, tls: { ca: server.ca }, timeoutMs };
  if (protocol === 'imap') {
    const c = new ImapClient({ ...common, security: 'tls', auth: { user: USER, accessToken: SEED_FAKE_TOKEN, mechanism: 'XOAUTH2' } });
    try {
      await c.connect();
      run.done.push('connect');
      await c.select('INBOX');
      run.done.push('select');
      // The items the recorded session asked for (Gmail's add X-GM-*).
      const items = /^C: \S+ FETCH 1 \((.*)\)$/m.exec(text)![1]!.split(' ');
      for await (const r of c.fetch('1', items)) expect(r).toBeDefined();
      run.done.push('fetch');
      await c.logout();
      run.done.push('logout');
    } finally {
      c.close();
    }
  } else if (protocol === 'pop3') {
    const c = new Pop3Client({ ...common, security: 'starttls', auth: { user: USER, accessToken: POP3_TOKEN, mechanism: 'XOAUTH2', initialResponse: 'never' } });
    try {
      await c.connect();
      run.done.push('connect');
      await c.stat();
      run.done.push('stat');
      const body = Buffer.from(await c.retr(1)).toString('latin1');
      expect(body.endsWith('Second line.\r\n')).toBe(true);
      run.done.push('retr');
      await c.quit();
      run.done.push('quit');
    } finally {
      c.close();
    }
  } else {
    const c = new SmtpClient({ ...common, security: 'starttls', name: 'client.example', auth: { user: USER, accessToken: SEED_FAKE_TOKEN, mechanism: 'XOAUTH2', initialResponse: 'never' } });
    try {
      await c.connect();
      run.done.push('connect');
      const r = await c.send({ from: USER, to: [USER] }, MESSAGE);
      expect(r.accepted).toEqual([USER]);
      run.done.push('sent');
      await c.quit();
      run.done.push('quit');
    } finally {
      c.close();
    }
  }
}

/** Sockets and timers alive now (node's own view). */
function handles(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((t) => t === 'TCPSocketWrap' || t === 'TLSWrap').length, timers: info.filter((t) => t === 'Timeout').length };
}

/** Waits (by event-loop turns, not time) until the sockets and timers are back to `base`; fails if they never are. */
async function settled(base: { sockets: number; timers: number }): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const h = handles();
    if (h.sockets <= base.sockets && h.timers <= base.timers) return;
    await new Promise((r) => setImmediate(r));
  }
  expect(handles(), 'a socket or timer outlived the client').toEqual(base);
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function once(protocol: Protocol, text: string, faults: Faults, timeoutMs = 5000): Promise<{ error: unknown; done: string[]; replay: unknown }> {
  const server = await startScriptedServer({ transcript: text, ...(protocol === 'imap' ? { tls: true } : {}), faults });
  const run: Run = { done: [] };
  let error: unknown;
  try {
    await drive(protocol, server, run, timeoutMs, text);
  } catch (err) {
    error = err;
  }
  await server.close();
  return { error, done: run.done, replay: await server.result };
}

const CASES = (['outlook', 'gmail', 'dovecot'] as const).flatMap((personality) => (['imap', 'pop3', 'smtp'] as const).map((protocol) => [personality, protocol] as const));

describe.each(CASES)('%s %s: the connection closed at any byte of the server side', (personality, protocol) => {
  const text = fixture(personality, protocol);
  const total = Buffer.byteLength(serverSide(text), 'latin1');
  const confirmed = confirmedAt(protocol, serverSide(text));

  it('without a fault the session succeeds (the baseline the property is measured against)', async () => {
    const base = handles();
    const { error, done, replay } = await once(protocol, text, {});
    expect(replay).toEqual({ ok: true });
    expect(error).toBeUndefined();
    expect(done.length).toBe(4 - (protocol === 'smtp' ? 1 : 0));
    await settled(base);
  });

  /** One cut: success or a typed error, nothing reported done that the server had not confirmed by byte k, nothing leaked. */
  async function closedAfter(k: number, base: ReturnType<typeof handles>): Promise<void> {
    const { error, done } = await once(protocol, text, { closeAfterBytes: k });
    if (error !== undefined) {
      expect(error, `k=${k}: ${String(error)}`).toBeInstanceOf(MailwireError);
      expect((error as MailwireError).code).toMatch(/^E[A-Z]+$/);
    }
    for (const [step, at] of Object.entries(confirmed)) if (done.includes(step)) expect(k, `${step} reported done with only ${k} server bytes`).toBeGreaterThanOrEqual(at);
    await settled(base);
  }

  it(`closed after every k in 0..${total}: success or a typed error, nothing reported done unconfirmed, nothing leaked`, { timeout: 300_000 }, async () => {
    const base = handles();
    for (let k = 0; k <= total; k++) await closedAfter(k, base);
  });
});

describe.each(['imap', 'pop3', 'smtp'] as const)('%s: stall and drip', (protocol) => {
  const text = fixture('dovecot', protocol);
  const total = Buffer.byteLength(serverSide(text), 'latin1');

  it('a stall mid-session is ETIMEDOUT (small timeoutMs), and nothing leaks', async () => {
    const base = handles();
    const { error } = await once(protocol, text, { stallAfterBytes: Math.floor(total / 2) }, 200);
    expect(error).toBeInstanceOf(MailwireError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    await settled(base);
  });

  it('a drip (one byte per write) still succeeds', async () => {
    const { error, done } = await once(protocol, text, { dripBytes: true });
    expect(error).toBeUndefined();
    expect(done.at(-1)).toBe(protocol === 'smtp' || protocol === 'pop3' ? 'quit' : 'logout');
  });
});
