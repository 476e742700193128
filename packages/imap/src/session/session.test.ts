import { describe, expect, it } from 'vitest';

import { atom, list, literal, mailbox, str } from '../command/arguments.js';
import { ImapResponseDecoder } from '../decode/imap-response-decoder.js';
import { ImapSession } from './session.js';
import type { SessionStep } from './session-types.js';

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function make(greeting = '* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n') {
  const s = new ImapSession({ decoder: new ImapResponseDecoder() });
  s.receive(enc(greeting));
  return s;
}

function drain(s: ImapSession): SessionStep[] {
  const out: SessionStep[] = [];
  for (let step = s.next(); step.kind !== 'need-data'; step = s.next()) out.push(step);
  return out;
}

const writes = (steps: SessionStep[]) => steps.filter((x) => x.kind === 'write').map((x) => text((x as { bytes: Uint8Array }).bytes)).join('');
const kinds = (steps: SessionStep[]) => steps.filter((x) => x.kind !== 'write').map((x) => x.kind);

describe('ImapSession', () => {
  it('reads the greeting and its capabilities; PREAUTH starts authenticated', () => {
    const s = make();
    expect(drain(s)).toMatchObject([{ kind: 'GreetingReceived' }]);
    expect(s.capabilities.has('IDLE')).toBe(true);
    expect(s.state).toBe('not-authenticated');
    const p = make('* PREAUTH welcome back\r\n');
    drain(p);
    expect(p.state).toBe('authenticated');
  });

  it('fails on a first line that is not a greeting', () => {
    const s = make('A1 OK hello\r\n');
    expect(drain(s)).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL' } }]);
  });

  it('pipelines plain commands and holds exclusive ones back', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'NOOP' });
    s.enqueue({ name: 'STATUS', args: [mailbox('INBOX'), list([atom('MESSAGES')])] });
    s.enqueue({ name: 'SELECT', args: [mailbox('INBOX')] });
    s.enqueue({ name: 'NOOP' });
    expect(writes(drain(s))).toBe('A1 NOOP\r\nA2 STATUS INBOX (MESSAGES)\r\n');
    s.receive(enc('A1 OK done\r\n'));
    expect(writes(drain(s))).toBe('');
    s.receive(enc('* STATUS INBOX (MESSAGES 3)\r\nA2 OK done\r\n'));
    const steps = drain(s);
    expect(steps[0]).toMatchObject({ kind: 'CommandCompleted', handle: { tag: 'A2' }, data: [{ kind: 'mailbox-status' }] });
    expect(writes(steps)).toBe('A3 SELECT INBOX\r\n');
    s.receive(enc('* 3 EXISTS\r\nA3 OK [READ-WRITE] selected\r\n'));
    expect(writes(drain(s))).toBe('A4 NOOP\r\n');
    expect(s.state).toBe('selected');
  });

  it('delivers unclaimed untagged data as mailbox updates', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'NOOP' });
    drain(s);
    s.receive(enc('* 4 EXISTS\r\n* 2 EXPUNGE\r\n* 3 FETCH (FLAGS (\\Seen) UID 9)\r\n* OK [ALERT] disk full\r\nA1 OK\r\n'));
    const steps = drain(s);
    expect(steps.filter((x) => x.kind === 'UpdateReceived').map((x) => (x as { update: unknown }).update)).toEqual([
      { type: 'exists', count: 4 },
      { type: 'expunge', seq: 2 },
      { type: 'fetch', seq: 3, flags: ['\\Seen'], uid: 9 },
    ]);
    expect(steps.find((x) => x.kind === 'CommandCompleted')).toMatchObject({ data: [{ kind: 'status', code: { name: 'ALERT' } }] });
  });

  it('reports a VANISHED without (EARLIER) during a FETCH as an update; (EARLIER) is the FETCH\'s', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'UID FETCH', args: [atom('1:*'), atom('FLAGS')], stream: true });
    drain(s);
    s.receive(enc('* VANISHED 5:6\r\n* VANISHED (EARLIER) 3\r\nA1 OK\r\n'));
    expect(drain(s)).toMatchObject([
      { kind: 'UpdateReceived', update: { type: 'vanished', uids: '5:6', earlier: false } },
      { kind: 'DataReceived', response: { kind: 'vanished', earlier: true } },
      { kind: 'CommandCompleted' },
    ]);
  });

  it('writes a command with a large literal only once nothing else is in flight (no write/write deadlock)', () => {
    const s = make('* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n');
    drain(s);
    s.enqueue({ name: 'FETCH', args: [atom('1:*'), atom('BODY.PEEK[]')], stream: true });
    s.enqueue({ name: 'APPEND', args: [mailbox('Sent'), literal(new Uint8Array(100_000).fill(0x61))] });
    s.enqueue({ name: 'APPEND', args: [mailbox('Sent'), literal(enc('small'))] });
    expect(writes(drain(s))).toBe('A1 FETCH 1:* BODY.PEEK[]\r\n');
    s.receive(enc('A1 OK\r\n'));
    expect(writes(drain(s)).startsWith('A2 APPEND Sent {100000+}\r\naaa')).toBe(true);
    const small = make('* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n');
    drain(small);
    small.enqueue({ name: 'NOOP' });
    small.enqueue({ name: 'APPEND', args: [mailbox('Sent'), literal(enc('small'))] });
    expect(writes(drain(small))).toBe('A1 NOOP\r\nA2 APPEND Sent {5+}\r\nsmall\r\n');
  });

  it('does not send a synchronizing literal the server refused, and goes on', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'APPEND', args: [mailbox('Archive'), literal(enc('hello'))] });
    s.enqueue({ name: 'NOOP' });
    expect(writes(drain(s))).toBe('A1 APPEND Archive {5}\r\n');
    s.receive(enc('A1 NO [TRYCREATE] no such mailbox\r\n'));
    const steps = drain(s);
    expect(steps[0]).toMatchObject({ kind: 'CommandFailed', response: { status: 'NO', code: { name: 'TRYCREATE' } } });
    expect(writes(steps)).toBe('A2 NOOP\r\n');
  });

  it('is fatal when the server says OK to a command whose literal it never let through', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'APPEND', args: [mailbox('Archive'), literal(enc('hello'))] });
    expect(writes(drain(s))).toBe('A1 APPEND Archive {5}\r\n');
    s.receive(enc('A1 OK [APPENDUID 1 1] appended\r\n'));
    expect(drain(s)).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL', message: expect.stringContaining('before its literal') } }]);
  });

  it('sends the literal after "+" and holds later commands until then', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'LOGIN', args: [str('bob'), str('pa\r\nss', { secret: true })] });
    expect(writes(drain(s))).toBe('A1 LOGIN bob {6}\r\n');
    s.receive(enc('+ go\r\n'));
    const steps = drain(s);
    expect(writes(steps)).toBe('pa\r\nss\r\n');
    expect(steps.find((x) => x.kind === 'write')).toMatchObject({ secret: true });
  });

  it('is fatal on an unknown tag, a second completion, or a "+" nobody waits for', () => {
    const a = make();
    drain(a);
    a.receive(enc('Z9 OK what\r\n'));
    expect(drain(a)).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL', message: expect.stringContaining('Z9') } }]);
    expect(() => a.enqueue({ name: 'NOOP' })).toThrow(expect.objectContaining({ code: 'EUSAGE' }));

    const b = make();
    drain(b);
    b.enqueue({ name: 'NOOP' });
    drain(b);
    b.receive(enc('A1 OK\r\nA1 OK again\r\n'));
    expect(kinds(drain(b))).toEqual(['CommandCompleted', 'ProtocolFailed']);

    const c = make();
    drain(c);
    c.enqueue({ name: 'NOOP' });
    drain(c);
    c.receive(enc('+ hello?\r\n'));
    expect(kinds(drain(c))).toEqual(['ProtocolFailed']);
  });

  it('turns a parse error into ProtocolFailed', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'NOOP' });
    drain(s);
    s.receive(enc('* 1 FETCH (FLAGS (\\Seen\r\n'));
    expect(kinds(drain(s))).toContain('ProtocolFailed');
  });

  it('reports an unasked BYE, then a close that is not clean for pending commands', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'NOOP' });
    drain(s);
    s.receive(enc('* BYE Session invalidated - AccessTokenExpired\r\n'));
    s.receive(new Uint8Array(0));
    const steps = drain(s);
    expect(steps).toMatchObject([{ kind: 'ByeReceived', response: { text: 'Session invalidated - AccessTokenExpired' } }, { kind: 'ConnectionClosed', clean: false }]);
    expect(s.state).toBe('logout');
  });

  it('drops capabilities after STARTTLS and keeps bytes after its OK aside', () => {
    const s = make('* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n');
    drain(s);
    s.enqueue({ name: 'STARTTLS' });
    drain(s);
    s.receive(enc('A1 OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n'));
    expect(kinds(drain(s))).toEqual(['CommandCompleted']);
    expect(s.capabilitiesKnown).toBe(false);
    expect(s.capabilities.size).toBe(0);
    expect(text(s.takeUnread())).toBe('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n');
  });

  it('keeps capabilities from an authentication OK that carries them, drops them otherwise', () => {
    const s = make('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n');
    drain(s);
    s.enqueue({ name: 'LOGIN', args: [str('a'), str('b')] });
    drain(s);
    s.receive(enc('A1 OK [CAPABILITY IMAP4rev1 MOVE] welcome\r\n'));
    drain(s);
    expect([...s.capabilities]).toEqual(['IMAP4REV1', 'MOVE']);
    const t = make('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n');
    drain(t);
    t.enqueue({ name: 'LOGIN', args: [str('a'), str('b')] });
    drain(t);
    t.receive(enc('A1 OK welcome\r\n'));
    drain(t);
    expect(t.capabilitiesKnown).toBe(false);
    expect(t.state).toBe('authenticated');
  });

  it('routes "+" to the AUTHENTICATE in flight and writes its answer as a secret', () => {
    const s = make();
    drain(s);
    const answers: string[] = [];
    s.enqueue({ name: 'AUTHENTICATE', sasl: { command: () => 'AUTHENTICATE XOAUTH2', onChallenge: (t) => (answers.push(t), t === '' ? 'dG9rZW4=' : '') } });
    expect(writes(drain(s))).toBe('A1 AUTHENTICATE XOAUTH2\r\n');
    s.receive(enc('+ \r\n'));
    const steps = drain(s);
    expect(steps).toMatchObject([{ kind: 'write', secret: true }]);
    expect(writes(steps)).toBe('dG9rZW4=\r\n');
    s.receive(enc('+ eyJzdGF0dXMiOiI0MDEifQ==\r\n'));
    expect(writes(drain(s))).toBe('\r\n');
    expect(answers).toEqual(['', 'eyJzdGF0dXMiOiI0MDEifQ==']);
  });

  it('turns a SASL driver that throws into ProtocolFailed, not a throw out of receive()', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'AUTHENTICATE', sasl: { command: () => 'AUTHENTICATE X', onChallenge: () => { throw new Error('boom'); } } });
    drain(s);
    expect(() => s.receive(enc('+ \r\n'))).not.toThrow();
    expect(drain(s)).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL' } }]);
  });

  it('sends DONE once IDLE is accepted, even when asked before', () => {
    const s = make();
    drain(s);
    const h = s.enqueue({ name: 'IDLE' });
    drain(s);
    s.finishIdle(h);
    expect(writes(drain(s))).toBe('');
    s.receive(enc('+ idling\r\n'));
    const steps = drain(s);
    expect(kinds(steps)).toEqual(['IdleAccepted']);
    expect(writes(steps)).toBe('DONE\r\n');
  });

  it('never lets a command line carry CR or LF from a SASL driver', () => {
    const s = make();
    drain(s);
    expect(() => s.enqueue({ name: 'AUTHENTICATE', sasl: { command: () => 'AUTHENTICATE X\r\nA9 DELETE INBOX', onChallenge: () => '' } })).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });

  it('fails with EPROTOCOL when a command is flooded past maxResponsesPerCommand, SEARCH numbers counted', () => {
    const flood = new ImapSession({ decoder: new ImapResponseDecoder(), maxResponsesPerCommand: 5 });
    flood.receive(enc('* OK hi\r\n'));
    drain(flood);
    flood.enqueue({ name: 'LIST', args: [mailbox(''), mailbox('*', true)] });
    drain(flood);
    flood.receive(enc('* LIST () "/" a\r\n'.repeat(5)));
    expect(kinds(drain(flood))).toEqual([]);
    flood.receive(enc('* LIST () "/" a\r\n'));
    expect(drain(flood)).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL', message: expect.stringContaining('maxResponsesPerCommand') } }]);

    const numbers = new ImapSession({ decoder: new ImapResponseDecoder(), maxResponsesPerCommand: 5 });
    numbers.receive(enc('* OK hi\r\n'));
    drain(numbers);
    numbers.enqueue({ name: 'SEARCH', args: [atom('ALL')] });
    drain(numbers);
    numbers.receive(enc('* SEARCH 1 2 3 4 5 6\r\n'));
    expect(kinds(drain(numbers))).toEqual(['ProtocolFailed']);

    const esearch = new ImapSession({ decoder: new ImapResponseDecoder(), maxResponsesPerCommand: 5 });
    esearch.receive(enc('* OK hi\r\n'));
    drain(esearch);
    esearch.enqueue({ name: 'SEARCH', args: [atom('ALL')] });
    drain(esearch);
    esearch.receive(enc('* ESEARCH (TAG "A1") ALL 1:4294967295\r\n'));
    expect(kinds(drain(esearch))).toEqual(['ProtocolFailed']);
  });

  it('never pipelines two commands that claim the same untagged data, so each gets its own', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'STATUS', args: [mailbox('A'), list([atom('MESSAGES')])] });
    s.enqueue({ name: 'STATUS', args: [mailbox('B'), list([atom('MESSAGES')])] });
    expect(writes(drain(s))).toBe('A1 STATUS A (MESSAGES)\r\n');
    s.receive(enc('* STATUS A (MESSAGES 1)\r\nA1 OK\r\n'));
    expect(writes(drain(s))).toBe('A2 STATUS B (MESSAGES)\r\n');
    s.receive(enc('* STATUS B (MESSAGES 2)\r\nA2 OK\r\n'));
    expect(drain(s)).toMatchObject([{ kind: 'CommandCompleted', handle: { tag: 'A2' }, data: [{ kind: 'mailbox-status', mailbox: 'B' }] }]);

    const f = make();
    drain(f);
    f.enqueue({ name: 'FETCH', args: [atom('1'), atom('FLAGS')] });
    f.enqueue({ name: 'STORE', args: [atom('1'), atom('+FLAGS'), list([atom('\\Seen')])] });
    f.enqueue({ name: 'NOOP' });
    expect(writes(drain(f))).toBe('A1 FETCH 1 FLAGS\r\n');
  });


  it('copies the bytes of responses it holds, so they do not pin the pushed chunk', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'UID SORT', args: [list([atom('DATE')]), atom('UTF-8'), atom('ALL')] });
    s.enqueue({ name: 'STORE', args: [atom('1'), atom('+FLAGS'), list([atom('\\Seen')])] });
    drain(s);
    const chunk = enc(`* XSORT 1 2\r\n${'* 9 EXISTS\r\n'.repeat(500)}A1 OK\r\n`);
    s.receive(chunk);
    s.receive(enc(`* 1 FETCH (FLAGS (\\Seen) BODY[] {5}\r\nhello)\r\n${'* 9 EXISTS\r\n'.repeat(500)}A2 OK\r\n`));
    const done = drain(s).filter((x) => x.kind === 'CommandCompleted') as { data: { kind: string; raw?: Uint8Array; fetch?: { body: Record<string, Uint8Array> } }[] }[];
    const raw = done[0]!.data[0]!.raw!;
    const body = done[1]!.data[0]!.fetch!.body['BODY[]']!;
    expect(Buffer.from(raw).toString()).toBe('* XSORT 1 2\r\n');
    expect(raw.buffer.byteLength).toBe(raw.length);
    expect(Buffer.from(body).toString()).toBe('hello');
    expect(body.buffer.byteLength).toBe(5);
  });

  it('gives an untagged [COPYUID] to the MOVE in flight, not to an older command', () => {
    const s = make();
    drain(s);
    s.enqueue({ name: 'NOOP' });
    s.enqueue({ name: 'UID MOVE', args: [atom('4:5'), mailbox('Archive')] });
    s.enqueue({ name: 'UID MOVE', args: [atom('6'), mailbox('Archive')] });
    expect(writes(drain(s))).toBe('A1 NOOP\r\nA2 UID MOVE 4:5 Archive\r\n');
    s.receive(enc('* OK [COPYUID 9 4:5 10:11] moved\r\n* 1 EXPUNGE\r\nA1 OK\r\nA2 OK\r\n'));
    const done = drain(s).filter((x) => x.kind === 'CommandCompleted');
    expect(done).toMatchObject([{ handle: { tag: 'A1' }, data: [] }, { handle: { tag: 'A2' }, data: [{ code: { name: 'COPYUID' } }] }]);
  });
});
