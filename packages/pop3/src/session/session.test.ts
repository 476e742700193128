/**
 * Pop3Session without I/O: every POP3 transcript fed at random splits gives the same
 * events as in one piece and sends exactly the transcript's client side; dot-stuffed
 * bodies round-trip; states; data unasked, STLS injection and EOF mid-body fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseTranscript, sideBytes, transcriptTurns } from '@mailwire/transcript';
import { dotStuff } from '@mailwire/wire';

import { Pop3Session } from './session.js';
import type { Pop3Event } from './session.js';
import { splitAt as splitBytesAt } from '../../../wire/src/chunking.test-util.js';

const FIXTURES = new URL('../../../../fixtures/', import.meta.url).pathname;

function pop3Fixtures(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const p of ['outlook', 'gmail', 'dovecot']) out.push({ name: `personalities/${p}/pop3.txt`, text: readFileSync(`${FIXTURES}personalities/${p}/pop3.txt`, 'utf8') });
  for (const f of readdirSync(`${FIXTURES}sasl`).filter((f) => f.includes('pop3'))) {
    // The SASL fixtures start at AUTH: a greeting goes in front.
    out.push({ name: `sasl/${f}`, text: `S: +OK ready\n${readFileSync(`${FIXTURES}sasl/${f}`, 'utf8')}` });
  }
  out.push({ name: 'scripted/pop3-bare-lf-body.txt', text: readFileSync(`${FIXTURES}scripted/pop3-bare-lf-body.txt`, 'utf8') });
  return out;
}

/** Merges consecutive body chunks (their cut points depend on the splits) and copies them. */
function normalize(events: Pop3Event[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    const last = out[out.length - 1] as { kind: string; bytes?: string } | undefined;
    if (e.kind === 'BodyReceived') {
      const s = Buffer.from(e.bytes).toString('latin1');
      if (last?.kind === 'BodyReceived') last.bytes += s;
      else out.push({ kind: 'BodyReceived', bytes: s });
    } else out.push(e);
  }
  return out;
}

/** wire's splitAt with the cuts taken modulo the length, so one list of cuts serves turns of any size. */
const splitAt = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => splitBytesAt(bytes, cuts.map((c) => c % (bytes.length + 1)));

/** Plays a transcript: client lines through send/sendSaslLine, server turns cut by `cuts`. */
function play(text: string, cuts: number[]): { events: unknown[]; sent: Buffer } {
  const session = new Pop3Session();
  const events: Pop3Event[] = [];
  const sent: Uint8Array[] = [];
  let inAuth = false;
  for (const turn of transcriptTurns(parseTranscript(text))) {
    if (turn.dir === 'S') {
      for (const chunk of splitAt(turn.bytes, cuts)) events.push(...session.receive(chunk));
      continue;
    }
    const lines = Buffer.from(turn.bytes).toString('latin1').split('\r\n').slice(0, -1);
    for (const line of lines) {
      const last = events[events.length - 1];
      if (inAuth && last?.kind === 'ChallengeReceived') sent.push(session.sendSaslLine(line));
      else {
        inAuth = line.toUpperCase().startsWith('AUTH ');
        sent.push(session.sendLine(line));
      }
    }
  }
  events.push(...session.end());
  return { events: normalize(events), sent: Buffer.concat(sent) };
}

describe('Pop3Session replays every POP3 transcript', () => {
  for (const { name, text } of pop3Fixtures()) {
    it(`${name}: the same events at any split, and exactly the client side sent`, () => {
      const whole = play(text, []);
      expect(whole.events.some((e) => (e as Pop3Event).kind === 'ProtocolFailed')).toBe(false);
      expect(whole.sent.equals(Buffer.from(sideBytes(parseTranscript(text), 'C')))).toBe(true);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
          expect(play(text, cuts).events).toEqual(whole.events);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('the personality session walks AUTHORIZATION -> TRANSACTION -> UPDATE -> closed', () => {
    const s = new Pop3Session();
    const states: string[] = [s.state];
    s.receive(Buffer.from('+OK hi\r\n'));
    states.push(s.state);
    s.send('USER', ['u']);
    s.send('PASS', ['p w']);
    s.receive(Buffer.from('+OK\r\n+OK in\r\n'));
    states.push(s.state);
    s.send('QUIT');
    states.push(s.state);
    expect(s.receive(Buffer.from('+OK bye\r\n'))).toMatchObject([{ kind: 'ResponseReceived', keyword: 'QUIT', status: { ok: true } }]);
    states.push(s.state);
    expect(s.end()).toEqual([{ kind: 'ConnectionClosed' }]);
    expect(states).toEqual(['greeting', 'AUTHORIZATION', 'TRANSACTION', 'UPDATE', 'closed']);
  });

  it('bytes after QUIT\'s +OK are unasked whether they come in its chunk or a later one (found by the fuzzer)', () => {
    const quitThen = (chunks: string[]) => {
      const s = new Pop3Session();
      s.receive(Buffer.from('+OK hi\r\n'));
      s.send('QUIT');
      return chunks.flatMap((c) => s.receive(Buffer.from(c))).map((e) => (e.kind === 'ProtocolFailed' ? e.error.code : e.kind));
    };
    expect(quitThen(['+OK bye\r\n\r'])).toEqual(['ResponseReceived', 'EPROTOCOL']);
    expect(quitThen(['+OK bye\r\n', '\r'])).toEqual(['ResponseReceived', 'EPROTOCOL']);
  });

  it('pipelined commands are answered in order', () => {
    const s = new Pop3Session();
    s.receive(Buffer.from('+OK hi\r\n'));
    s.send('LIST');
    s.send('LIST', [1]);
    s.send('UIDL');
    const events = s.receive(Buffer.from('+OK\r\n1 10\r\n.\r\n+OK 1 10\r\n+OK\r\n1 abc\r\n.\r\n'));
    expect(events.map((e) => (e.kind === 'ResponseReceived' ? `${e.keyword}:${e.body}` : e.kind))).toEqual([
      'LIST:true', 'BodyReceived', 'BodyEnded', 'LIST:false', 'UIDL:true', 'BodyReceived', 'BodyEnded',
    ]);
  });
});

describe('Pop3Session dot-stuffing', () => {
  const line = fc.oneof(fc.constantFrom('.', '..', '.x', '', 'a.b', ' .', '...'), fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s)));
  // Lines without bare CR/LF: dotStuff turns those into CRLF on purpose (SMTP smuggling), so they do not round-trip.
  it('any message dot-stuffed and fed at any split comes back byte for byte', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const message = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
        const wire = Buffer.concat([Buffer.from('+OK\r\n'), dotStuff(message), Buffer.from('+OK 0 0\r\n')]);
        const s = new Pop3Session();
        s.receive(Buffer.from('+OK hi\r\n'));
        s.send('RETR', [1]);
        s.send('STAT');
        const events: Pop3Event[] = [];
        for (const chunk of splitAt(wire, cuts)) events.push(...s.receive(chunk));
        const body = Buffer.concat(events.flatMap((e) => (e.kind === 'BodyReceived' ? [e.bytes] : [])));
        expect(body.equals(message)).toBe(true);
        expect(events[events.length - 1]).toMatchObject({ kind: 'ResponseReceived', keyword: 'STAT' });
      }),
      { numRuns: 200 },
    );
  });
});

describe('Pop3Session body events', () => {
  it('a chunk of many dot-stuffed lines gives one BodyReceived, not one per line', () => {
    const s = new Pop3Session();
    s.receive(Buffer.from('+OK hi\r\n'));
    s.send('RETR', [1]);
    const events = s.receive(Buffer.from(`+OK\r\n${'..x\r\n'.repeat(1000)}.\r\n`));
    expect(events.map((e) => e.kind)).toEqual(['ResponseReceived', 'BodyReceived', 'BodyEnded']);
    expect(Buffer.from((events[1] as { bytes: Uint8Array }).bytes).toString()).toBe('.x\r\n'.repeat(1000));
  });
});

describe('Pop3Session refuses what was not asked for', () => {
  it('a status line with no command pending fails with EPROTOCOL', () => {
    const s = new Pop3Session();
    s.receive(Buffer.from('+OK hi\r\n'));
    expect(s.receive(Buffer.from('+OK surprise\r\n'))).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL' } }]);
    expect(s.state).toBe('failed');
  });

  it('a continuation outside AUTH fails with EPROTOCOL', () => {
    const s = new Pop3Session();
    s.receive(Buffer.from('+OK hi\r\n'));
    s.send('STAT');
    expect(s.receive(Buffer.from('+ xyz\r\n'))).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL' } }]);
  });

  it('bytes after the STLS +OK in the same read fail with ESTARTTLS', () => {
    for (const extra of ['+OK injected\r\n', '+O']) {
      const s = new Pop3Session();
      s.receive(Buffer.from('+OK hi\r\n'));
      s.send('STLS');
      const events = s.receive(Buffer.from(`+OK go\r\n${extra}`));
      expect(events[events.length - 1]).toMatchObject({ kind: 'ProtocolFailed', error: { code: 'ESTARTTLS' } });
    }
  });

  it('EOF inside a RETR body is ConnectionLost naming RETR', () => {
    const s = new Pop3Session();
    s.receive(Buffer.from('+OK hi\r\n'));
    s.send('RETR', [1]);
    s.receive(Buffer.from('+OK\r\nSubject: x\r\n\r\nbody'));
    expect(s.end()).toEqual([{ kind: 'ConnectionLost', keyword: 'RETR' }]);
  });

  it('EOF while an answer is owed is ConnectionLost', () => {
    const s = new Pop3Session();
    s.receive(Buffer.from('+OK hi\r\n'));
    s.send('STAT');
    expect(s.end()).toEqual([{ kind: 'ConnectionLost', keyword: 'STAT' }]);
  });

  it('a -ERR greeting is ECONNECTION; garbage is EPROTOCOL', () => {
    expect(new Pop3Session().receive(Buffer.from('-ERR [IN-USE] busy\r\n'))).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'ECONNECTION' } }]);
    expect(new Pop3Session().receive(Buffer.from('* OK IMAP\r\n'))).toMatchObject([{ kind: 'ProtocolFailed', error: { code: 'EPROTOCOL' } }]);
  });
});

describe('Pop3Session under hostile input', () => {
  const piece = fc.oneof(
    fc.constantFrom('+OK', '-ERR', '+', '+ ', '.', '..', '\r\n', '\n', '\r', ' ', '[IN-USE]', '+OKAY', '* OK', '\0'),
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  it('any bytes after any commands give events or one ProtocolFailed — never a throw, nothing after the failure', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('STAT', 'LIST', 'RETR 1', 'TOP 1 0', 'UIDL', 'AUTH PLAIN', 'STLS', 'QUIT', 'CAPA'), { maxLength: 5 }),
        fc.array(piece, { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (commands, pieces, cuts) => {
          const s = new Pop3Session({ maxLineBytes: 64 });
          const events: Pop3Event[] = [];
          events.push(...s.receive(Buffer.from('+OK hi\r\n')));
          for (const c of commands) s.sendLine(c);
          for (const chunk of splitAt(Buffer.from(pieces.join(''), 'latin1'), cuts)) events.push(...s.receive(chunk));
          events.push(...s.end());
          const failedAt = events.findIndex((e) => e.kind === 'ProtocolFailed' || e.kind === 'ConnectionLost');
          if (failedAt !== -1) expect(events.slice(failedAt + 1)).toEqual([]);
          for (const e of events) if (e.kind === 'ProtocolFailed') expect(['EPROTOCOL', 'ESTARTTLS', 'ECONNECTION']).toContain(e.error.code);
        },
      ),
      { numRuns: 300 },
    );
  });
});
