import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { ImapClient } from './imap-client.js';
import { fakeServer, tagOf } from './fake-server.test-util.js';
import type { FakeServer } from './fake-server.test-util.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

type Answer = (line: string, socket: Socket) => string | undefined | void;

async function fake(greeting: string, answer: Answer): Promise<FakeServer> {
  const s = await fakeServer(greeting, answer);
  cleanups.push(() => s.close());
  return s;
}

/** Answers from a table keyed by the command after the tag; LOGOUT and unknown commands get OK. */
function table(entries: Record<string, string>): Answer {
  return (line) => {
    const tag = tagOf(line);
    const rest = line.slice(tag.length + 1);
    if (rest in entries) return entries[rest]!.replaceAll('$T', tag);
    if (rest === 'LOGOUT') return `* BYE bye\r\n${tag} OK done\r\n`;
    return `${tag} OK done\r\n`;
  };
}

const commands = (s: FakeServer) => s.received().split('\r\n').filter((l) => /^A\d+ [A-Z]/.test(l)).map((l) => l.slice(l.indexOf(' ') + 1));

async function client(s: FakeServer, extra: Partial<ConstructorParameters<typeof ImapClient>[0]> = {}): Promise<ImapClient> {
  const c = new ImapClient({ host: '127.0.0.1', port: s.port, security: 'none', allowInsecureAuth: true, ...extra });
  await c.connect();
  return c;
}

describe('ImapClient commands', () => {
  it('streams a large body in chunks while the server is still sending it', async () => {
    const size = 3 * 1024 * 1024;
    let sendRest: (() => void) | null = null;
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line, socket) => {
      const tag = tagOf(line);
      if (!line.includes('FETCH')) return `${tag} OK done\r\n`;
      socket.write(`* 7 FETCH (UID 70 BODY[] {${size}}\r\n`);
      socket.write(Buffer.alloc(size / 2, 0x61));
      sendRest = () => socket.write(Buffer.concat([Buffer.alloc(size / 2, 0x62), Buffer.from(`)\r\n${tag} OK done\r\n`)]));
      return undefined;
    });
    const c = await client(s);
    let total = 0;
    let chunks = 0;
    let largest = 0;
    for await (const chunk of c.fetchBodyStream('70', { uid: true })) {
      if (chunks === 0) sendRest!();
      chunks++;
      total += chunk.length;
      largest = Math.max(largest, chunk.length);
    }
    expect(total).toBe(size);
    expect(chunks).toBeGreaterThan(2);
    expect(largest).toBeLessThan(size / 2);
    expect(commands(s)).toContain('UID FETCH 70 (UID BODY.PEEK[])');
  });

  it('a consumer slower than timeoutMs is not a timeout: only the server\'s silence is', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => {
      const tag = tagOf(line);
      if (!line.includes('FETCH')) return `${tag} OK done\r\n`;
      return `* 1 FETCH (BODY[] {${4 << 20}}\r\n${'z'.repeat(4 << 20)})\r\n${tag} OK done\r\n`;
    });
    const c = await client(s, { timeoutMs: 30 });
    let total = 0;
    for await (const chunk of c.fetchBodyStream('1')) {
      total += chunk.length;
      if (total === chunk.length) await new Promise((r) => setTimeout(r, 80));
    }
    expect(total).toBe(4 << 20);
    await c.noop();
  });

  it('fetch() holds no more body bytes than limits.maxLiteralBytes: EPROTOCOL, connection closed', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => {
      const tag = tagOf(line);
      if (!line.includes('FETCH')) return `${tag} OK\r\n`;
      return `* 1 FETCH (BODY[] {500000}\r\n${'q'.repeat(500000)})\r\n${tag} OK\r\n`;
    });
    const c = await client(s, { limits: { maxLiteralBytes: 200_000 } });
    const got = (async () => {
      for await (const r of c.fetch('1', ['BODY.PEEK[]'])) void r;
    })();
    await expect(got).rejects.toMatchObject({ code: 'EPROTOCOL' });
    await expect(c.noop()).rejects.toMatchObject({ code: 'EPROTOCOL' });
  });

  it('fetchBody returns one section whole, small or streamed', async () => {
    const big = 'x'.repeat(200_000);
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => {
      const tag = tagOf(line);
      if (line.includes('FETCH 1 ')) return `* 1 FETCH (BODY[TEXT] {5}\r\nhello)\r\n${tag} OK\r\n`;
      if (line.includes('FETCH 2 ')) return `* 2 FETCH (BODY[] {${big.length}}\r\n${big})\r\n${tag} OK\r\n`;
      return `${tag} OK\r\n`;
    });
    const c = await client(s);
    expect(Buffer.from(await c.fetchBody('1', { section: 'TEXT' })).toString()).toBe('hello');
    expect((await c.fetchBody('2')).length).toBe(big.length);
    const all = [];
    for await (const r of c.fetch('2', ['BODY.PEEK[]'])) all.push(r);
    expect(all[0]!.body!['BODY[]']!.length).toBe(big.length);
  });

  it('fetch() puts streamed sections back together byte for byte: two messages, two sections each, any chunking', async () => {
    const body = (seed: number, n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7 + seed * 13) % 90))).join('');
    const msgs = [1, 2].map((seq) => ({ seq, head: body(seq, 70_000), text: body(seq + 5, 150_001) }));
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line, socket) => {
      const tag = tagOf(line);
      if (!line.includes('FETCH')) return `${tag} OK\r\n`;
      const all = msgs.map((m) => `* ${m.seq} FETCH (BODY[HEADER] {${m.head.length}}\r\n${m.head} BODY[TEXT] {${m.text.length}}\r\n${m.text})\r\n`).join('') + `${tag} OK\r\n`;
      for (let i = 0; i < all.length; i += 7_001) socket.write(all.slice(i, i + 7_001), 'latin1');
      return undefined;
    });
    const c = await client(s);
    const got = [];
    for await (const r of c.fetch('1:2', ['BODY.PEEK[HEADER]', 'BODY.PEEK[TEXT]'])) got.push(r);
    expect(got.map((r) => [r.seq, Buffer.from(r.body!['BODY[HEADER]']!).toString('latin1'), Buffer.from(r.body!['BODY[TEXT]']!).toString('latin1')]))
      .toEqual(msgs.map((m) => [m.seq, m.head, m.text]));
    await c.logout();
  });

  it('MOVE where offered, COPY + STORE + UID EXPUNGE where not', async () => {
    const withMove = await fake('* OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS] hi\r\n', table({
      'UID MOVE 4:5 Archive': '* OK [COPYUID 99 4:5 10:11] moved\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n$T OK done\r\n',
    }));
    const a = await client(withMove);
    expect(await a.move('4:5', 'Archive', { uid: true })).toEqual({ uidValidity: 99, sourceUids: '4:5', destinationUids: '10:11' });
    const without = await fake('* OK [CAPABILITY IMAP4rev1 UIDPLUS] hi\r\n', table({
      'UID COPY 4:5 Archive': '$T OK [COPYUID 99 4:5 10:11] copied\r\n',
    }));
    const b = await client(without);
    expect(await b.move('4:5', 'Archive', { uid: true })).toEqual({ uidValidity: 99, sourceUids: '4:5', destinationUids: '10:11' });
    expect(commands(without)).toEqual(['UID COPY 4:5 Archive', 'UID STORE 4:5 +FLAGS.SILENT (\\Deleted)', 'UID EXPUNGE 4:5']);
    const plain = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', table({}));
    const c = await client(plain);
    await c.move('2', 'Trash');
    expect(commands(plain)).toEqual(['COPY 2 Trash', 'STORE 2 +FLAGS.SILENT (\\Deleted)', 'EXPUNGE']);
  });

  it('move() fallback: COPYUID narrows the EXPUNGE to the moved UIDs; expungeAll: false refuses a plain EXPUNGE', async () => {
    const uidPlus = await fake('* OK [CAPABILITY IMAP4rev1 UIDPLUS] hi\r\n', table({
      'COPY 2:3 Archive': '$T OK [COPYUID 99 40:41 10:11] copied\r\n',
    }));
    const a = await client(uidPlus);
    await a.move('2:3', 'Archive');
    expect(commands(uidPlus)).toEqual(['COPY 2:3 Archive', 'STORE 2:3 +FLAGS.SILENT (\\Deleted)', 'UID EXPUNGE 40:41']);
    const plain = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', table({}));
    const b = await client(plain);
    await expect(b.move('4', 'Trash', { uid: true, expungeAll: false })).rejects.toMatchObject({ code: 'EUSAGE' });
    await b.logout();
    expect(commands(plain)).toEqual(['LOGOUT']);
  });

  it('search: ESEARCH where offered, SEARCH otherwise, CHARSET UTF-8 for non-ASCII', async () => {
    const e = await fake('* OK [CAPABILITY IMAP4rev1 ESEARCH] hi\r\n', table({
      'UID SEARCH RETURN (ALL) UNSEEN FROM "a@b.c"': '* ESEARCH (TAG "$T") UID ALL 3:5,9\r\n$T OK done\r\n',
    }));
    const a = await client(e);
    expect(await a.search({ seen: false, from: 'a@b.c' }, { uid: true })).toEqual([3, 4, 5, 9]);
    const p = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', (line) => {
      const tag = tagOf(line);
      if (line.startsWith(`${tag} SEARCH`)) return `* SEARCH 2 8\r\n${tag} OK\r\n`;
      return `${tag} OK\r\n`;
    });
    const b = await client(p);
    expect(await b.search({ subject: 'Grüße', since: new Date(Date.UTC(2024, 1, 1)) })).toEqual([2, 8]);
    expect(p.received()).toContain('SEARCH CHARSET UTF-8 SUBJECT {7}\r\nGr\xc3\xbc\xc3\x9fe SINCE 1-Feb-2024\r\n');
  });

  it('list decodes modified UTF-7; status, enable, id, namespace', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 ENABLE ID NAMESPACE CONDSTORE] hi\r\n', table({
      'LIST "" *': '* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\HasNoChildren \\Drafts) "/" "Entw&APw-rfe"\r\n$T OK done\r\n',
      'STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)': '* STATUS INBOX (MESSAGES 3 UIDNEXT 9 UIDVALIDITY 1 UNSEEN 1 HIGHESTMODSEQ 77)\r\n$T OK done\r\n',
      'ENABLE CONDSTORE': '* ENABLED CONDSTORE\r\n$T OK done\r\n',
      'ID ("name" "mailwire")': '* ID ("name" "Dovecot")\r\n$T OK done\r\n',
      'NAMESPACE': '* NAMESPACE (("" "/")) NIL NIL\r\n$T OK done\r\n',
    }));
    const c = await client(s);
    expect((await c.list()).map((e) => e.name)).toEqual(['INBOX', 'Entwürfe']);
    expect(await c.status('INBOX')).toEqual({ messages: 3, uidNext: 9, uidValidity: 1, unseen: 1, highestModSeq: 77n });
    expect(await c.enable('CONDSTORE')).toEqual(['CONDSTORE']);
    expect(c.enabled.has('CONDSTORE')).toBe(true);
    expect(await c.id({ name: 'mailwire' })).toEqual({ name: 'Dovecot' });
    expect(await c.namespace()).toEqual({ personal: [{ prefix: '', delimiter: '/' }], other: null, shared: null });
  });

  it('store with UNCHANGEDSINCE reports MODIFIED', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 CONDSTORE] hi\r\n', table({
      'UID STORE 1:3 (UNCHANGEDSINCE 50) FLAGS (\\Seen)': '* 1 FETCH (UID 1 MODSEQ (51) FLAGS (\\Seen))\r\n$T OK [MODIFIED 2] conditional store\r\n',
    }));
    const c = await client(s);
    const r = await c.store('1:3', ['\\Seen'], { uid: true, action: 'set', silent: false, unchangedSince: 50n });
    expect(r.modified).toBe('2');
    expect(r.results).toMatchObject([{ seq: 1, uid: 1, modSeq: 51n }]);
  });

  it('append streams an AsyncIterable of known size after "+" and returns APPENDUID', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 UIDPLUS] hi\r\n', (line) => {
      const tag = tagOf(line);
      if (line.includes('APPEND')) return `${tag} OK [APPENDUID 5 12] done\r\n`;
      return `${tag} OK\r\n`;
    });
    const c = await client(s);
    async function* parts() {
      yield new TextEncoder().encode('Subject: x\r\n');
      yield new TextEncoder().encode('\r\nbody\r\n');
    }
    const r = await c.append('Sent', parts(), { size: 20, flags: ['\\Seen'], internalDate: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
    expect(r).toEqual({ uidValidity: 5, uid: 12 });
    expect(s.received()).toContain('A1 APPEND Sent (\\Seen) "02-Jan-2024 03:04:05 +0000" {20}\r\nSubject: x\r\n\r\nbody\r\n\r\n');
  });

  it('re-issues IDLE before the server limit and ends it with DONE', async () => {
    let idles = 0;
    const ac = new AbortController();
    const s = await fake('* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n', (line, socket) => {
      if (line === 'DONE') return `${pendingIdle} OK idle done\r\n`;
      const tag = tagOf(line);
      if (line.endsWith(' IDLE')) {
        idles++;
        pendingIdle = tag;
        if (idles === 3) setImmediate(() => ac.abort());
        socket.write('+ idling\r\n');
        return undefined;
      }
      return `${tag} OK\r\n`;
    });
    let pendingIdle = '';
    const c = await client(s);
    await c.idle({ signal: ac.signal, onUpdate: () => undefined, restartMs: 5 });
    expect(idles).toBe(3);
    expect(s.received().match(/DONE\r\n/g)).toHaveLength(3);
    await c.noop();
  });

  it('after ENABLE UTF8=ACCEPT, mailbox names go as quoted UTF-8 and come back as UTF-8', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] hi\r\n', table({
      'ENABLE UTF8=ACCEPT': '* ENABLED UTF8=ACCEPT\r\n$T OK done\r\n',
      'LIST "" *': '* LIST () "/" "Entw\xc3\xbcrfe"\r\n$T OK done\r\n',
    }));
    const c = await client(s);
    await c.create('Entwürfe');
    await c.enable('UTF8=ACCEPT');
    await c.create('Entwürfe');
    expect((await c.list()).map((e) => e.name)).toEqual(['Entwürfe']);
    expect(commands(s)).toEqual(['CREATE Entw&APw-rfe', 'ENABLE UTF8=ACCEPT', 'CREATE "Entw\xc3\xbcrfe"', 'LIST "" *']);
  });

  it('mailbox management, CLOSE/UNSELECT and NOOP send what RFC 9051 names', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 UNSELECT] hi\r\n', table({}));
    const c = await client(s);
    await c.rename('Old Name', 'New/Name');
    await c.subscribe('New/Name');
    await c.unsubscribe('New/Name');
    await c.delete('New/Name');
    await c.examine('INBOX');
    await c.closeMailbox({ expunge: false });
    await c.select('INBOX');
    await c.closeMailbox();
    await c.noop();
    await c.expunge({ uid: '3:4' });
    expect(commands(s)).toEqual([
      'RENAME "Old Name" New/Name', 'SUBSCRIBE New/Name', 'UNSUBSCRIBE New/Name', 'DELETE New/Name',
      'EXAMINE INBOX', 'UNSELECT', 'SELECT INBOX', 'CLOSE', 'NOOP', 'UID EXPUNGE 3:4',
    ]);
    expect(c.state).toBe('authenticated');
  });

  it('hands every [ALERT] to onAlert, claimed by a command or not', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', table({
      NOOP: '* OK [ALERT] Mailbox is at 95% of quota\r\n$T OK done\r\n',
      'SELECT INBOX': '* 1 EXISTS\r\n* OK [ALERT] Mailbox migrates tonight\r\n$T OK [READ-WRITE] done\r\n',
    }));
    const alerts: string[] = [];
    const c = await client(s, { onAlert: (t) => alerts.push(t) });
    await c.noop();
    await c.select('INBOX');
    expect(alerts).toEqual(['Mailbox is at 95% of quota', 'Mailbox migrates tonight']);
  });

  it('close() leaves no mailbox selected, as logout() does', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', table({ 'SELECT INBOX': '* 3 EXISTS\r\n$T OK [READ-WRITE] done\r\n' }));
    const c = await client(s);
    await c.select('INBOX');
    expect(c.mailbox?.exists).toBe(3);
    c.close();
    expect(c.mailbox).toBeNull();
  });

  it('a failed SELECT leaves no mailbox selected', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1] hi\r\n', table({ 'SELECT Nope': '$T NO [NONEXISTENT] no such mailbox\r\n' }));
    const c = await client(s);
    await c.select('INBOX');
    expect(c.state).toBe('selected');
    await expect(c.select('Nope')).rejects.toMatchObject({ code: 'ECOMMAND', responseCode: 'NONEXISTENT' });
    expect(c.state).toBe('authenticated');
    expect(c.mailbox).toBeNull();
  });

  it('a greeting BYE is a ConnectionError with the server words', async () => {
    const s = await fake('* BYE Too many connections from your IP\r\n', table({}));
    await expect(client(s)).rejects.toMatchObject({ code: 'ECONNECTION', serverText: '* BYE Too many connections from your IP' });
  });

  it('an append source giving fewer bytes than announced fails the connection, not the stream', async () => {
    const s = await fake('* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n', table({}));
    const c = await client(s);
    async function* short() {
      yield new TextEncoder().encode('only this');
    }
    await expect(c.append('INBOX', short(), { size: 100 })).rejects.toMatchObject({ code: 'ECONNECTION' });
    await expect(c.noop()).rejects.toMatchObject({ code: 'ECONNECTION' });
  });
});

