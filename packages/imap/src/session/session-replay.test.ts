import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { atom, list, literal, mailbox, seq, str } from '../command/arguments.js';
import { sequenceSet } from '../command/sequence-set.js';
import { authCommand, loadSession, replaySession } from './replay.test-util.js';
import type { ScriptItem } from './replay.test-util.js';
import type { Transcript } from '@mailwire/test-servers';

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

type Script = (t: Transcript) => ScriptItem[];
const auth: Script = (t) => [(s) => authCommand(t, s)];
const CAP = { name: 'CAPABILITY' };
const LOGOUT = { name: 'LOGOUT' };
const login = (t: Transcript) => ({ name: 'LOGIN', args: [str(t.headers['user']!), str(t.headers['password']!, { secret: true })] });

/** What the client does in each fixture, as session commands. */
const SCRIPTS: Record<string, Script> = {
  'seed-xoauth2-success.txt': (t) => [CAP, ...auth(t), CAP, LOGOUT],
  'seed-xoauth2-failure.txt': (t) => [CAP, ...auth(t)],
  'office365-session.txt': (t) => [CAP, ...auth(t), CAP, { name: 'SELECT', args: [mailbox('INBOX')] },
    { name: 'UID FETCH', args: [seq(sequenceSet('1:*')), list([atom('UID'), atom('FLAGS')])], stream: true }, LOGOUT],
  'gmail-session.txt': (t) => [CAP, ...auth(t), { name: 'SELECT', args: [mailbox('INBOX')] },
    { name: 'FETCH', args: [seq(sequenceSet('1:3')), list(['UID', 'X-GM-MSGID', 'X-GM-THRID', 'X-GM-LABELS'].map(atom))] }, LOGOUT],
  'gmail-xoauth2-error.txt': (t) => [CAP, ...auth(t)],
  'yahoo-two-step.txt': (t) => [...auth(t), CAP, LOGOUT],
  'yandex-two-step.txt': (t) => [CAP, ...auth(t), CAP, LOGOUT],
  'exchange-token-expired.txt': (t) => [CAP, ...auth(t), CAP, { name: 'SELECT', args: [mailbox('INBOX')] }, { name: 'NOOP' }],
  'exchange-not-connected.txt': (t) => [CAP, ...auth(t), CAP],
  'rfc9051-session.txt': (t) => [CAP, login(t), CAP, { name: 'SELECT', args: [mailbox('INBOX')] },
    { name: 'FETCH', args: [seq(sequenceSet(12)), list([atom('FLAGS'), atom('BODY.PEEK[HEADER]')])] },
    { name: 'STORE', args: [seq(sequenceSet(12)), atom('+FLAGS.SILENT'), list([atom('\\Deleted')])] },
    { name: 'APPEND', args: [mailbox('INBOX'), list([atom('\\Seen')]), literal(enc('Subject: hi\r\n\r\nbody\r\n\r\n'))] },
    { name: 'EXPUNGE' }, LOGOUT],
  'append-literal-refused.txt': (t) => [login(t), { name: 'APPEND', args: [mailbox('Archive'), literal(enc('Subject: hi\r\n\r\nbody\r\n\r\n'))] }, { name: 'NOOP' }, LOGOUT],
  'idle.txt': (t) => [login(t), { name: 'SELECT', args: [mailbox('INBOX')] }, { name: 'IDLE' }, LOGOUT],
  'starttls.txt': (t) => [{ name: 'STARTTLS' }, CAP, ...auth(t), LOGOUT],
};

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  for (let i = 1; i < points.length; i++) out.push(bytes.subarray(points[i - 1], points[i]));
  return out;
}

describe('session replay of fixtures/imap/sessions', () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    describe(name, () => {
      const t = loadSession(name);

      it('writes the client side byte for byte (whole turns)', () => {
        const r = replaySession(t, script(t));
        expect(text(r.written)).toBe(text(r.expected));
        expect(r.events.some((e) => e.kind === 'ProtocolFailed')).toBe(false);
      });

      it('writes the same bytes when the server side arrives one byte at a time', () => {
        const r = replaySession(t, script(t), (b) => Array.from(b, (x) => Uint8Array.of(x)));
        expect(text(r.written)).toBe(text(r.expected));
      });

      it('writes the same bytes and events at random splits (property)', () => {
        const whole = replaySession(t, script(t));
        fc.assert(
          fc.property(fc.array(fc.nat(), { maxLength: 6 }), (cuts) => {
            const r = replaySession(t, script(t), (b) => splitAt(b, cuts));
            expect(text(r.written)).toBe(text(r.expected));
            expect(r.events.map((e) => e.kind)).toEqual(whole.events.map((e) => e.kind).filter((k) => k !== 'DataReceived' || true));
          }),
          { numRuns: 100 },
        );
      });
    });
  }
});
