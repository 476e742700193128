/**
 * Issue 11, item 6 for IMAP: a CR, LF or NUL in any caller-given argument (mailbox names,
 * list patterns, search strings, flags, keywords, fetch items, sequence sets, ID fields)
 * can never end the command or add one. A NUL, and any of them in a bare token (flag,
 * keyword, fetch item, set), is refused with EUSAGE before anything is written. A CR or LF
 * in a string or mailbox name is legal IMAP and travels only inside a literal (whose length
 * the server reads, never its line ends; see command/encoder.ts) or modified UTF-7: the
 * server sees exactly one command, holding the text. The connection stays usable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ImapClient } from '@mailwire/imap';

import { fakeServer, tagOf, type FakeServer } from '../packages/imap/src/client/fake-server.test-util.js';

const BAD = { CR: '\r', LF: '\n', CRLF: '\r\n', NUL: '\0' } as const;
const inject = (bad: string) => `x${bad}A9 DELETE INBOX`;

type Op = [name: string, run: (c: ImapClient, v: string) => Promise<unknown>];
const drain = async (it: AsyncIterable<unknown>) => {
  for await (const _ of it) void _;
};
const OPS: Op[] = [
  ['select mailbox', (c, v) => c.select(v)],
  ['examine mailbox', (c, v) => c.examine(v)],
  ['create mailbox', (c, v) => c.create(v)],
  ['delete mailbox', (c, v) => c.delete(v)],
  ['rename from', (c, v) => c.rename(v, 'B')],
  ['rename to', (c, v) => c.rename('A', v)],
  ['subscribe', (c, v) => c.subscribe(v)],
  ['unsubscribe', (c, v) => c.unsubscribe(v)],
  ['status mailbox', (c, v) => c.status(v)],
  ['list reference', (c, v) => c.list(v, '*')],
  ['list pattern', (c, v) => c.list('', v)],
  ['lsub pattern', (c, v) => c.lsub('', v)],
  ['append mailbox', (c, v) => c.append(v, 'Subject: x\r\n\r\nbody\r\n')],
  ['append flag', (c, v) => c.append('INBOX', 'Subject: x\r\n\r\nbody\r\n', { flags: [v] } as never)],
  ['copy destination', (c, v) => c.copy('1', v)],
  ['move destination', (c, v) => c.move('1', v)],
  ['copy set', (c, v) => c.copy(v, 'B')],
  ['store flag', (c, v) => c.store('1', [v])],
  ['store set', (c, v) => c.store(v, ['\\Seen'])],
  ['search subject', (c, v) => c.search({ subject: v })],
  ['search from', (c, v) => c.search({ from: v })],
  ['search body', (c, v) => c.search({ body: v })],
  ['search text', (c, v) => c.search({ text: v })],
  ['search header name', (c, v) => c.search({ header: [[v, 'x']] })],
  ['search header value', (c, v) => c.search({ header: [['X-A', v]] })],
  ['search keyword', (c, v) => c.search({ keyword: v })],
  ['search uid', (c, v) => c.search({ uid: v })],
  ['fetch set', (c, v) => drain(c.fetch(v, ['UID']))],
  ['fetch item', (c, v) => drain(c.fetch('1', [v]))],
  ['fetchBody section', (c, v) => c.fetchBody('1', { section: v })],
  ['expunge uid set', (c, v) => c.expunge({ uid: v })],
  ['enable', (c, v) => c.enable(v)],
  ['id value', (c, v) => c.id({ name: v })],
  ['id key', (c, v) => c.id({ [v]: 'x' })],
];

/** Arguments that are bare tokens: any CR, LF or NUL in them is EUSAGE. */
const TOKENS = new Set(['append flag', 'store flag', 'copy set', 'store set', 'search keyword', 'search uid', 'fetch set', 'fetch item', 'fetchBody section', 'expunge uid set', 'enable']);

/** Splits client bytes into commands the way a server frames them: `{n}` / `{n+}` at a line end is followed by n counted bytes. */
function commandLines(wire: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let at = 0; at < wire.length; ) {
    const end = wire.indexOf('\r\n', at);
    if (end < 0) throw new Error(`an unterminated line: ${JSON.stringify(wire.slice(at))}`);
    const line = wire.slice(at, end);
    at = end + 2;
    const lit = /\{(\d+)\+?\}$/.exec(line);
    if (lit) {
      current += line + wire.slice(at, at + Number(lit[1]));
      at += Number(lit[1]);
      continue;
    }
    out.push(current + line);
    current = '';
  }
  return out;
}

let server: FakeServer;
/** Every command the server read (literals included, as the server frames them). */
const commands: string[] = [];
let client: ImapClient;
beforeAll(async () => {
  server = await fakeServer('* OK [CAPABILITY IMAP4rev1 IDLE MOVE UIDPLUS ENABLE ID CONDSTORE LITERAL+] hi\r\n', (line) => {
    commands.push(line);
    const tag = tagOf(line);
    if (/ SELECT /.test(line)) return `* 3 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n${tag} OK [READ-WRITE] done\r\n`;
    return `${tag} OK done\r\n`;
  });
  client = new ImapClient({ host: '127.0.0.1', port: server.port, security: 'none', timeoutMs: 60_000 });
  await client.connect();
  await client.select('INBOX');
});
afterAll(async () => {
  client.close();
  await server.close();
});

describe('IMAP: CR, LF and NUL in caller-given arguments', () => {
  const cases = OPS.flatMap(([name, run]) => Object.entries(BAD).map(([bad, ch]) => [name, bad, run, ch] as const));
  it.each(cases)('%s with %s: EUSAGE and nothing written, or one command holding it', async (name, bad, run, ch) => {
    const before = server.received().length;
    const sent = commands.length;
    const err = await run(client, inject(ch)).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err !== undefined || bad === 'NUL' || TOKENS.has(name)) {
      expect(err).toMatchObject({ code: 'EUSAGE' });
      expect(server.received().slice(before)).toBe('');
    } else {
      const mine = commands.slice(sent);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatch(/^[A-Z]+\d+ /);
      expect(mine.some((c) => /^A9 DELETE/.test(c))).toBe(false);
      // The raw bytes: read as a server does (a literal's bytes counted, not split into lines), one command line.
      expect(commandLines(server.received().slice(before))).toHaveLength(1);
    }
    await client.noop();
  });
});
