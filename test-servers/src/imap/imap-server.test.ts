import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServers, type TestServers } from '../test-servers.js';
import { LineClient } from '../test-util/line-client.test-util.js';

const MSG = [
  'From: "Bob Example" <bob@example.org>',
  'To: alice@example.com, Carol <carol@example.net>',
  'Subject: Quarterly report',
  'Date: Mon, 23 Nov 2026 10:00:00 +0000',
  'Message-ID: <r1@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  'preamble',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello Alice,',
  'the numbers.',
  '--b1',
  'Content-Type: application/octet-stream; name="r.bin"',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: attachment; filename="r.bin"',
  '',
  'AAEC',
  '--b1--',
  '',
].join('\r\n');

let servers: TestServers;
const now = new Date('2026-11-23T12:00:00Z');

beforeAll(async () => {
  servers = await startTestServers({ personality: 'dovecot', users: [{ user: 'alice@example.com', password: 'secret', tokens: ['tok-a'] }], now: () => now });
});
afterAll(async () => {
  expect(servers.errors).toEqual([]);
  await servers.stop();
});

async function login(): Promise<LineClient> {
  const c = await LineClient.open(servers.imap.port);
  await c.line();
  expect(await c.imap('L', 'LOGIN alice@example.com secret')).toMatch(/^L OK \[CAPABILITY .*\] Logged in$/);
  return c;
}

describe('IMAP server (dovecot personality)', () => {
  it('greets with the recorded Dovecot capability line', async () => {
    const c = await LineClient.open(servers.imap.port);
    expect(await c.line()).toBe('* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2 AUTH=OAUTHBEARER] Dovecot (Debian) ready.');
    c.close();
  });

  it('APPENDs with a synchronizing literal, then FETCHes envelope, structure, sections and partials', async () => {
    const c = await login();
    await c.send(`A1 APPEND INBOX (\\Flagged) {${MSG.length}}\r\n`);
    expect(await c.line()).toBe('+ Ready for literal data');
    expect(await c.exchange(MSG, /^A1 /)).toMatch(/^A1 OK \[APPENDUID 1 1\] Append completed/);
    expect(await c.imap('S', 'SELECT INBOX')).toBe([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.',
      '* 1 EXISTS', '* 0 RECENT', '* OK [UNSEEN 1] First unseen.', '* OK [UIDVALIDITY 1] UIDs valid', '* OK [UIDNEXT 2] Predicted next UID',
      'S OK [READ-WRITE] Select completed (0.001 + 0.000 secs).',
    ].join('\r\n'));
    expect(await c.imap('F1', 'FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)')).toBe(
      `* 1 FETCH (UID 1 FLAGS (\\Flagged) INTERNALDATE "23-Nov-2026 12:00:00 +0000" RFC822.SIZE ${MSG.length} ENVELOPE ("Mon, 23 Nov 2026 10:00:00 +0000" "Quarterly report" (("Bob Example" NIL "bob" "example.org")) (("Bob Example" NIL "bob" "example.org")) (("Bob Example" NIL "bob" "example.org")) ((NIL NIL "alice" "example.com")("Carol" NIL "carol" "example.net")) NIL NIL NIL "<r1@example.org>"))\r\nF1 OK Fetch completed (0.001 + 0.000 secs).`,
    );
    expect(await c.imap('F2', 'FETCH 1 BODYSTRUCTURE')).toBe(
      '* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 26 2 NIL NIL NIL NIL)("APPLICATION" "OCTET-STREAM" ("NAME" "r.bin") NIL NIL "BASE64" 4 NIL ("ATTACHMENT" ("FILENAME" "r.bin")) NIL NIL) "MIXED" ("BOUNDARY" "b1") NIL NIL NIL))\r\nF2 OK Fetch completed (0.001 + 0.000 secs).',
    );
    expect(await c.imap('F3', 'FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.8>)')).toBe(
      '* 1 FETCH (BODY[1] {26}\r\nHello Alice,\r\nthe numbers. BODY[2.MIME] {142}\r\nContent-Type: application/octet-stream; name="r.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="r.bin"\r\n\r\n BODY[HEADER.FIELDS (SUBJECT)] {29}\r\nSubject: Quarterly report\r\n\r\n BODY[TEXT]<0> {8}\r\npreamble)\r\nF3 OK Fetch completed (0.001 + 0.000 secs).',
    );
    // BODY[] without PEEK sets \Seen and reports it.
    const full = await c.imap('F4', 'FETCH 1 BODY[]');
    expect(full).toBe(`* 1 FETCH (BODY[] {${MSG.length}}\r\n${MSG} FLAGS (\\Flagged \\Seen))\r\nF4 OK Fetch completed (0.001 + 0.000 secs).`);
    c.close();
  });

  it('SEARCHes, STOREs, COPYs, MOVEs and EXPUNGEs with UIDPLUS codes', async () => {
    const c = await login();
    await c.send(`A1 APPEND Drafts {17+}\r\nSubject: one\r\n\r\nx\r\n`);
    await c.exchange(null, /^A1 OK/);
    await c.send(`A2 APPEND Drafts (\\Seen) {17+}\r\nSubject: two\r\n\r\ny\r\n`);
    await c.exchange(null, /^A2 OK/);
    await c.imap('S', 'SELECT Drafts');
    expect(await c.imap('Q1', 'SEARCH UNSEEN')).toBe('* SEARCH 1\r\nQ1 OK Search completed (0.001 + 0.000 secs).');
    expect(await c.imap('Q2', 'UID SEARCH OR SUBJECT two TEXT "x"')).toBe('* SEARCH 1 2\r\nQ2 OK Search completed (0.001 + 0.000 secs).');
    expect(await c.imap('Q3', 'SEARCH NOT SEEN SUBJECT one')).toMatch(/^\* SEARCH 1\r\n/);
    expect(await c.imap('Q4', 'SEARCH FROBNICATE')).toMatch(/^Q4 BAD /);
    expect(await c.imap('T1', 'STORE 1 +FLAGS (\\Deleted)')).toBe('* 1 FETCH (FLAGS (\\Deleted))\r\nT1 OK Store completed (0.001 + 0.000 secs).');
    expect(await c.imap('C1', 'UID COPY 1:2 Trash')).toMatch(/^C1 OK \[COPYUID 4 1:2 1:2\] /);
    expect(await c.imap('M1', 'MOVE 2 Sent')).toBe('* OK [COPYUID 3 2 1] Moved.\r\n* 2 EXPUNGE\r\nM1 OK Move completed (0.001 + 0.000 secs).');
    expect(await c.imap('E1', 'EXPUNGE')).toBe('* 1 EXPUNGE\r\nE1 OK Expunge completed (0.001 + 0.000 secs).');
    expect(await c.imap('ST', 'STATUS Trash (MESSAGES UIDNEXT UNSEEN)')).toMatch(/^\* STATUS Trash \(MESSAGES 2 UIDNEXT 3 UNSEEN 1\)\r\n/);
    c.close();
  });

  it('LISTs with special-use attributes, CREATE/RENAME/DELETE, NAMESPACE', async () => {
    const c = await login();
    expect(await c.imap('L1', 'LIST "" *')).toBe([
      '* LIST (\\HasNoChildren) "/" INBOX', '* LIST (\\HasNoChildren \\Drafts) "/" Drafts', '* LIST (\\HasNoChildren \\Sent) "/" Sent',
      '* LIST (\\HasNoChildren \\Trash) "/" Trash', 'L1 OK List completed (0.001 + 0.000 secs).',
    ].join('\r\n'));
    expect(await c.imap('C', 'CREATE "Work/2026 Q4"')).toBe('C OK Create completed.');
    expect(await c.imap('R', 'RENAME "Work/2026 Q4" Work/Q4')).toBe('R OK Rename completed.');
    expect(await c.imap('L2', 'LIST "" Work/%')).toBe('* LIST (\\HasNoChildren) "/" Work/Q4\r\nL2 OK List completed (0.001 + 0.000 secs).');
    expect(await c.imap('D', 'DELETE Work/Q4')).toBe('D OK Delete completed.');
    expect(await c.imap('D2', 'DELETE Nope')).toMatch(/^D2 NO \[NONEXISTENT\]/);
    expect(await c.imap('N', 'NAMESPACE')).toBe('* NAMESPACE (("" "/")) NIL NIL\r\nN OK Namespace completed.');
    c.close();
  });

  it('LIST patterns: % stops at the delimiter, * does not, INBOX in any case, and a 60,000-octet pattern is answered (no match)', async () => {
    const c = await login();
    for (const name of ['Deep', 'Deep/A', 'Deep/A/B']) expect(await c.imap('C', `CREATE ${name}`)).toBe('C OK Create completed.');
    expect(await c.imap('P1', 'LIST "" D%')).toBe('* LIST (\\HasNoChildren \\Drafts) "/" Drafts\r\n* LIST (\\HasChildren) "/" Deep\r\nP1 OK List completed (0.001 + 0.000 secs).');
    expect(await c.imap('P2', 'LIST "" Deep/*')).toBe('* LIST (\\HasChildren) "/" Deep/A\r\n* LIST (\\HasNoChildren) "/" Deep/A/B\r\nP2 OK List completed (0.001 + 0.000 secs).');
    expect(await c.imap('P3', 'LIST "" Deep/%/B')).toBe('* LIST (\\HasNoChildren) "/" Deep/A/B\r\nP3 OK List completed (0.001 + 0.000 secs).');
    expect(await c.imap('P4', 'LIST "" inbox')).toBe('* LIST (\\HasNoChildren) "/" INBOX\r\nP4 OK List completed (0.001 + 0.000 secs).');
    // A regular expression built from this pattern was too large for the engine: the session died.
    expect(await c.imap('P5', `LIST "" "${'x%'.repeat(30_000)}"`)).toBe('P5 OK List completed (0.001 + 0.000 secs).');
    for (const name of ['Deep/A/B', 'Deep/A', 'Deep']) expect(await c.imap('D', `DELETE ${name}`)).toBe('D OK Delete completed.');
    c.close();
  });

  it('tells an IDLE client of a message delivered by SMTP', async () => {
    const c = await login();
    const before = (await c.imap('S', 'SELECT INBOX')).match(/\* (\d+) EXISTS/)![1]!;
    expect(await c.exchange('I IDLE', /^\+ /)).toBe('+ idling');
    const smtp = await LineClient.open(servers.smtp.port);
    await smtp.line();
    await smtp.exchange('EHLO me', /^250 /);
    await smtp.exchange(`AUTH PLAIN ${Buffer.from('\0alice@example.com\0secret').toString('base64')}`, /^235/);
    await smtp.exchange('MAIL FROM:<bob@example.org>', /^250/);
    await smtp.exchange('RCPT TO:<alice@example.com>', /^250/);
    await smtp.exchange('DATA', /^354/);
    expect(await smtp.exchange('Subject: ping\r\n\r\n..dot\r\n.', /^250/)).toMatch(/^250 2\.0\.0 /);
    expect(await c.line()).toBe(`* ${Number(before) + 1} EXISTS`);
    expect(await c.exchange('DONE', /^I /)).toBe('I OK Idle completed (0.001 + 0.000 secs).');
    expect(await c.imap('F', `FETCH ${Number(before) + 1} BODY.PEEK[TEXT]`)).toContain('BODY[TEXT] {6}\r\n.dot\r\n)');
    smtp.close();
    c.close();
  });

  it('answers garbage with BAD, refuses an oversized literal, and survives a line past the limit', async () => {
    const c = await login();
    expect(await c.exchange('\x00\xff(((', /BAD/)).toMatch(/BAD /);
    expect(await c.imap('X', 'FROBNICATE')).toBe('X BAD Error in IMAP command FROBNICATE: Unknown command.');
    expect(await c.imap('Y', 'FETCH 1 BODY[]')).toMatch(/^Y BAD .*not valid in this state/);
    await c.send('Z APPEND INBOX {999999999}\r\n');
    expect(await c.line()).toBe('Z NO [TOOBIG] Literal too large.');
    expect(await c.imap('Q', 'NOOP')).toBe('Q OK Noop completed.');
    await c.send(`W ${'x'.repeat(70_000)}\r\n`);
    expect(await c.rest()).toBe('* BYE Command line too long.');
  });

  it('outlook: LOGINDISABLED and no AUTH= before STARTTLS, AUTH=XOAUTH2 after; the seed\'s NO text', async () => {
    const s = await startTestServers({ personality: 'outlook', users: [{ user: 'u@x', tokens: ['t1'] }] });
    const c = await LineClient.open(s.imap.port);
    await c.line();
    expect(await c.imap('C01', 'CAPABILITY')).toBe('* CAPABILITY IMAP4 IMAP4rev1 STARTTLS LOGINDISABLED SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\nC01 OK CAPABILITY completed.');
    const ir = Buffer.from('user=u@x\x01auth=Bearer nope\x01\x01').toString('base64');
    expect(await c.imap('A00', `AUTHENTICATE XOAUTH2 ${ir}`)).toBe('A00 NO Command received in Invalid state.');
    await c.imap('S', 'STARTTLS');
    await c.startTls(s.ca);
    expect(await c.imap('C02', 'CAPABILITY')).toMatch(/^\* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR /);
    expect(await c.imap('A01', `AUTHENTICATE XOAUTH2 ${ir}`)).toBe('A01 NO AUTHENTICATE failed.');
    c.close();
    await s.stop();
  });

  it('ends a session whose token expired with BYE (Exchange-style)', async () => {
    const s = await startTestServers({ personality: 'outlook', users: [{ user: 'u@x', tokens: ['t1'] }] });
    const c = await LineClient.open(s.imap.tlsPort, { ca: s.ca, servername: 'localhost' });
    await c.line();
    const ir = Buffer.from('user=u@x\x01auth=Bearer t1\x01\x01').toString('base64');
    expect(await c.imap('A01', `AUTHENTICATE XOAUTH2 ${ir}`)).toBe('A01 OK AUTHENTICATE completed.');
    s.expireToken('t1');
    await c.send('A02 NOOP\r\n');
    expect(await c.rest()).toBe('* BYE Session invalidated - AccessTokenExpired');
    await s.stop();
  });
});
