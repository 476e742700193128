/**
 * Known answers: every response kind from the RFC examples in fixtures/imap/rfc, decoded
 * whole, byte by byte, scattered, and followed by trailing bytes of a next response.
 */
import { describe, expect, it } from 'vitest';
import { standardChunkings } from '../../../wire/src/chunking.test-util.js';
import { bytesOf, decodeChunks, fixtureBytes, plain } from './decode.test-util.js';

const ENV_3501 = {
  date: 'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
  subject: 'IMAP4rev1 WG mtg summary and minutes',
  from: [{ name: 'Terry Gray', mailbox: 'gray', host: 'cac.washington.edu' }],
  sender: [{ name: 'Terry Gray', mailbox: 'gray', host: 'cac.washington.edu' }],
  replyTo: [{ name: 'Terry Gray', mailbox: 'gray', host: 'cac.washington.edu' }],
  to: [{ name: null, mailbox: 'imap', host: 'cac.washington.edu' }],
  cc: [
    { name: null, mailbox: 'minutes', host: 'CNRI.Reston.VA.US' },
    { name: 'John Klensin', mailbox: 'KLENSIN', host: 'MIT.EDU' },
  ],
  bcc: [],
  inReplyTo: null,
  messageId: '<B27397-0100000@cac.washington.edu>',
};

const HEADER_3501 =
  'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\n' +
  'Subject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\n' +
  'cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n' +
  'Message-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\n' +
  'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n';

const st = (tag: string | null, status: string, text: string, code?: { name: string; value?: unknown }) =>
  code ? { kind: 'status', tag, status, text, code } : { kind: 'status', tag, status, text };

const CASES: Record<string, unknown[]> = {
  'rfc/rfc3501-sample-session.txt': [
    st(null, 'OK', 'IMAP4rev1 Service Ready'),
    st('a001', 'OK', 'LOGIN completed'),
    { kind: 'exists', count: 18 },
    { kind: 'flags', flags: ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] },
    { kind: 'recent', count: 2 },
    st(null, 'OK', 'Message 17 is the first unseen message', { name: 'UNSEEN', value: 17 }),
    st(null, 'OK', 'UIDs valid', { name: 'UIDVALIDITY', value: 3857529045 }),
    st('a002', 'OK', 'SELECT completed', { name: 'READ-WRITE' }),
    {
      kind: 'fetch',
      fetch: {
        seq: 12, flags: ['\\Seen'], internalDate: '17-Jul-1996 02:44:25 -0700', size: 4286, envelope: ENV_3501,
        bodyStructure: {
          type: 'text', subtype: 'plain', parameters: { charset: 'US-ASCII' }, id: null, description: null,
          encoding: '7BIT', size: 3028, lines: 92,
        },
      },
    },
    st('a003', 'OK', 'FETCH completed'),
    { kind: 'fetch', fetch: { seq: 12, body: { 'BODY[HEADER]': bytesOf(HEADER_3501) } } },
    st('a004', 'OK', 'FETCH completed'),
    { kind: 'fetch', fetch: { seq: 12, flags: ['\\Seen', '\\Deleted'] } },
    st('a005', 'OK', '+FLAGS completed'),
    st(null, 'BYE', 'IMAP4rev1 server logging out'),
    st('a006', 'OK', 'LOGOUT completed'),
  ],
  'rfc/status-and-codes.txt': [
    st(null, 'OK', 'IMAP4rev1 server ready'),
    st(null, 'PREAUTH', 'IMAP4rev1 server logged in as Smith'),
    st(null, 'BYE', 'Autologout; idle for too long'),
    st('A001', 'OK', 'LOGIN completed'),
    st(null, 'NO', 'Disk is 98% full, please delete unnecessary data'),
    st(null, 'NO', 'System shutdown in 10 minutes', { name: 'ALERT' }),
    st(null, 'BAD', 'Command line too long'),
    st('A443', 'BAD', 'Empty command line'),
    st(null, 'OK', 'Server ready', { name: 'CAPABILITY', value: ['IMAP4rev2', 'STARTTLS', 'AUTH=GSSAPI', 'LOGINDISABLED'] }),
    st(null, 'OK', 'Limited', { name: 'PERMANENTFLAGS', value: ['\\Deleted', '\\Seen', '\\*'] }),
    st(null, 'OK', 'UIDs valid', { name: 'UIDVALIDITY', value: 3857529045 }),
    st(null, 'OK', 'Predicted next UID', { name: 'UIDNEXT', value: 4392 }),
    st(null, 'OK', 'Message 12 is first unseen', { name: 'UNSEEN', value: 12 }),
    st('A142', 'OK', 'SELECT completed', { name: 'READ-WRITE' }),
    st('A932', 'OK', 'EXAMINE completed', { name: 'READ-ONLY' }),
    st('A003', 'NO', 'No such mailbox', { name: 'TRYCREATE' }),
    st('A003', 'OK', 'APPEND completed', { name: 'APPENDUID', value: { uidValidity: 38505, uids: '3955' } }),
    st('A004', 'OK', 'Done', { name: 'COPYUID', value: { uidValidity: 38505, sourceUids: '304,319:320', destinationUids: '3956:3958' } }),
    st(null, 'OK', 'Highest', { name: 'HIGHESTMODSEQ', value: 715194045007n }),
    st(null, 'OK', "Sorry, this mailbox format doesn't support modsequences", { name: 'NOMODSEQ' }),
    st('d105', 'OK', 'Conditional STORE failed', { name: 'MODIFIED', value: '7,9' }),
    st('a', 'NO', 'Authentication failed', { name: 'AUTHENTICATIONFAILED' }),
    st('b', 'NO', "User's backend down for maintenance", { name: 'UNAVAILABLE' }),
    st('c', 'NO', 'Connection must be encrypted', { name: 'PRIVACYREQUIRED' }),
    st('A283', 'NO', 'Unknown charset', { name: 'BADCHARSET', value: ['UTF-8', 'US-ASCII'] }),
    st(null, 'OK', 'Previous mailbox closed', { name: 'CLOSED' }),
    st('A001', 'OK', 'done', { name: 'X-UNKNOWN-CODE', value: 'some raw text' }),
    st('A002', 'OK', '', { name: 'ALERT' }),
    st('A003', 'OK', ''),
  ],
  'rfc/mailbox-data.txt': [
    { kind: 'capability', capabilities: ['IMAP4rev1', 'STARTTLS', 'AUTH=GSSAPI', 'XPIG-LATIN'] },
    { kind: 'list', entry: { name: '~/Mail/foo', rawName: '~/Mail/foo', delimiter: '/', attributes: ['\\Noselect'] } },
    { kind: 'list', entry: { name: '~peter/mail/台北/日本語', rawName: '~peter/mail/&U,BTFw-/&ZeVnLIqe-', delimiter: '/', attributes: [] } },
    { kind: 'list', entry: { name: 'Sent Mail', rawName: 'Sent Mail', delimiter: '/', attributes: ['\\HasNoChildren', '\\Sent'] } },
    { kind: 'list', entry: { name: 'inbox', rawName: 'inbox', delimiter: null, attributes: [] } },
    { kind: 'list', entry: { name: 'Fruit/Banana', rawName: 'Fruit/Banana', delimiter: '/', attributes: ['\\Subscribed'] } },
    { kind: 'lsub', entry: { name: '#news.comp.mail.misc', rawName: '#news.comp.mail.misc', delimiter: '.', attributes: [] } },
    { kind: 'mailbox-status', mailbox: 'blurdybloop', status: { messages: 231, uidNext: 44292 } },
    { kind: 'mailbox-status', mailbox: 'INBOX', status: { messages: 17, unseen: 16, uidValidity: 1, highestModSeq: 7011231777n, size: 44421 } },
    { kind: 'search', ids: [2, 3, 6] },
    { kind: 'search', ids: [] },
    { kind: 'search', ids: [2, 5, 6, 7, 11, 12, 18, 19, 20, 23], modSeq: 917162500n },
    { kind: 'esearch', uid: false, tag: 'A282', min: 2, count: 3 },
    { kind: 'esearch', uid: false, tag: 'A283', all: '2,10:11' },
    { kind: 'esearch', uid: true, tag: 'A285', min: 7, max: 3800 },
    { kind: 'flags', flags: ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] },
    { kind: 'exists', count: 23 },
    { kind: 'recent', count: 5 },
    { kind: 'expunge', seq: 44 },
    { kind: 'vanished', earlier: true, uids: '300:310,405,411' },
    { kind: 'vanished', earlier: false, uids: '405,407,410,425' },
    { kind: 'enabled', capabilities: ['X-GOOD-IDEA'] },
    { kind: 'id', params: { name: 'Cyrus', version: '1.5', os: 'sunos', 'os-version': '5.5', 'support-url': 'mailto:cyrus-bugs+@andrew.cmu.edu' } },
    { kind: 'id', params: null },
    { kind: 'namespace', personal: [{ prefix: '', delimiter: '/' }], other: null, shared: null },
    {
      kind: 'namespace',
      personal: [{ prefix: '', delimiter: '/' }],
      other: [{ prefix: '~', delimiter: '/' }],
      shared: [
        { prefix: '#shared/', delimiter: '/' }, { prefix: '#public/', delimiter: '/' },
        { prefix: '#ftp/', delimiter: '/' }, { prefix: '#news.', delimiter: '.' },
      ],
    },
    { kind: 'unknown', tag: null, name: 'XAPPLEPUSHSERVICE', raw: bytesOf('* XAPPLEPUSHSERVICE aps-version 2\r\n') },
  ],
  'rfc/fetch.txt': [
    { kind: 'fetch', fetch: { seq: 23, flags: ['\\Seen'], size: 44827 } },
    {
      kind: 'fetch',
      fetch: {
        seq: 4,
        bodyStructure: {
          type: 'multipart', subtype: 'mixed', parameters: {},
          parts: [
            { type: 'text', subtype: 'plain', parameters: { charset: 'US-ASCII' }, id: null, description: null, encoding: '7BIT', size: 1152, lines: 23 },
            {
              type: 'text', subtype: 'plain', parameters: { charset: 'US-ASCII', name: 'cc.diff' },
              id: '<960723163407.20117h@cac.washington.edu>', description: 'Compiler diff', encoding: 'BASE64', size: 4554, lines: 73,
            },
          ],
        },
      },
    },
    { kind: 'fetch', fetch: { seq: 2, uid: 4827313, body: { 'BODY[TEXT]<0>': bytesOf('hello world') } } },
    { kind: 'fetch', fetch: { seq: 12, binarySize: { 'BINARY[3]': 3827 } } },
    { kind: 'fetch', fetch: { seq: 12, body: { 'BINARY[3]': bytesOf('\x00\x01\r\n') } } },
    { kind: 'fetch', fetch: { seq: 50, modSeq: 12111230047n } },
    {
      kind: 'fetch',
      fetch: {
        seq: 1, gmailMessageId: 1278455344230334865n, gmailThreadId: 1266894439832287888n,
        gmailLabels: ['\\Inbox', '\\Sent', 'Important', 'Muy Importante'], uid: 1,
      },
    },
    { kind: 'fetch', fetch: { seq: 3, body: { 'BODY[HEADER.FIELDS (DATE FROM)]': bytesOf(''), 'RFC822.HEADER': bytesOf('') } } },
    { kind: 'fetch', fetch: { seq: 5, unknown: { 'X-UNKNOWN-ITEM': ['a', 1, null] }, uid: 9 } },
  ],
  'rfc/continuation.txt': [
    { kind: 'continuation', text: 'Ready for additional command text' },
    { kind: 'continuation', text: 'YGgGCSqGSIb3EgECAgIAb1swWaADAgEFoQMCAQ6iBwMFACAAAACjggEmYYIBIjCCAR6gAwIBBaEeGxxJTUFQNC5BVEhF' },
    { kind: 'continuation', text: '' },
    { kind: 'continuation', text: '' },
  ],
};

describe('RFC examples decode to known answers', () => {
  for (const [file, expected] of Object.entries(CASES)) {
    const bytes = fixtureBytes(file);
    for (const { name, chunks } of standardChunkings(bytes)) {
      it(`${file} ${name}`, () => {
        expect(plain(decodeChunks(chunks))).toEqual(expected);
      });
    }
    it(`${file} with trailing bytes of a next response`, () => {
      const trailing = Buffer.concat([bytes, Buffer.from('* 1 EXI', 'latin1')]);
      expect(plain(decodeChunks([trailing]))).toEqual(expected);
    });
    it(`${file} streamed (threshold 4 bytes): same responses, bodies listed as streamed`, () => {
      const out = plain(decodeChunks(standardChunkings(bytes)[1].chunks, { streamThresholdBytes: 4 }));
      const fetches = out.filter((r) => (r as { kind: string }).kind === 'fetch');
      expect(fetches.length).toBe(expected.filter((r) => (r as { kind: string }).kind === 'fetch').length);
    });
  }
});
