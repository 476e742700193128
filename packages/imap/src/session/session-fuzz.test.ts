/**
 * The session's fuzz invariant (after h11): whatever bytes the server sends, the session
 * either handles them or reports ProtocolFailed — receive() and next() never throw, and
 * after a failure it writes nothing more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { atom, list, mailbox, seq, str } from '../command/arguments.js';
import { sequenceSet } from '../command/sequence-set.js';
import { ImapResponseDecoder } from '../decode/imap-response-decoder.js';
import { ImapSession } from './session.js';
import type { SessionStep } from './session-types.js';

const enc = (s: string) => new TextEncoder().encode(s);

const PIECES = [
  '* OK hi\r\n', '* PREAUTH x\r\n', '* BYE x\r\n', 'A1 OK done\r\n', 'A2 NO [TRYCREATE] no\r\n', 'A3 BAD what\r\n', 'A9 OK\r\n',
  '+ go\r\n', '+\r\n', '* 3 EXISTS\r\n', '* 2 EXPUNGE\r\n', '* 1 FETCH (UID 5 FLAGS (\\Seen) BODY[] {3}\r\nabc)\r\n',
  '* CAPABILITY IMAP4rev1 LITERAL+\r\n', '* OK [CAPABILITY IMAP4rev1 STARTTLS] x\r\n', '* SEARCH 1 2\r\n', '* LIST () "/" INBOX\r\n',
  '{5}\r\n', '(((', ')', '\r\n', '\x00', '\xff\xfe', '* 1 FETCH (BODY[] {99999999999}\r\n', '* ', 'A1 ', ' OK',
];

function drainAll(s: ImapSession): SessionStep[] {
  const out: SessionStep[] = [];
  for (let step = s.next(); step.kind !== 'need-data'; step = s.next()) out.push(step);
  return out;
}

describe('ImapSession under hostile input (property)', () => {
  it('never throws, and after ProtocolFailed writes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 20 })), { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (pieces, cuts) => {
          const session = new ImapSession({ decoder: new ImapResponseDecoder({ maxLiteralBytes: 1 << 16 }) });
          const bytes = Buffer.from(pieces.join(''), 'latin1');
          const points = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
          let failed = false;
          const enqueueSome = () => {
            if (!session.ready) return;
            try {
              session.enqueue({ name: 'APPEND', args: [mailbox('INBOX'), str('x\r\ny')] });
              session.enqueue({ name: 'FETCH', args: [seq(sequenceSet('1:*')), list([atom('UID')])], stream: true });
              session.enqueue({ name: 'NOOP' });
            } catch (err) {
              expect((err as { code?: string }).code).toBe('EUSAGE');
            }
          };
          for (let i = 1; i < points.length; i++) {
            session.receive(bytes.subarray(points[i - 1], points[i]));
            for (const step of drainAll(session)) {
              if (step.kind === 'ProtocolFailed') {
                expect(step.error.code).toBe('EPROTOCOL');
                failed = true;
              } else if (failed) {
                expect(step.kind).not.toBe('write');
              }
              if (step.kind === 'GreetingReceived') enqueueSome();
            }
          }
          session.receive(new Uint8Array(0));
          drainAll(session);
          expect(session.state).toBe('logout');
          expect(session.ready).toBe(false);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS) > 0 ? Number(process.env.FUZZ_RUNS) : 400 },
    );
  });

  it('keeps memory bounded: a literal past the limit is a ProtocolFailed, not a buffer', () => {
    const session = new ImapSession({ decoder: new ImapResponseDecoder({ maxLiteralBytes: 1024 }) });
    session.receive(enc('* OK hi\r\n'));
    drainAll(session);
    session.enqueue({ name: 'NOOP' });
    drainAll(session);
    session.receive(enc('* 1 FETCH (BODY[] {5000}\r\n'));
    session.receive(new Uint8Array(5000));
    expect(drainAll(session).map((s) => s.kind)).toContain('ProtocolFailed');
  });
});
