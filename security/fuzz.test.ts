/**
 * Issue 11, item 8 — fuzzing the sans-I/O cores of all three protocols with fast-check,
 * over the repo's recorded transcripts (fixtures/**), their mutations and random bytes:
 *
 *   - the same result however the server's bytes are split: the same events and, where
 *     the bytes are bad, the same error code. Every complete response before a framing
 *     error reaches the session, whether it came in the error's chunk or an earlier one.
 *     The byte-at-a-time run is the reference.
 *   - only typed errors (MailwireError; a WireError is one) — never a TypeError/RangeError,
 *   - memory within the limits: bufferedBytes never passes the line limit (+ a CR).
 *
 * IMAP runs at the decoder over the transcripts, and its session over random pieces with
 * the commands enqueued before any byte (so what it waits for does not depend on the
 * split); POP3 and SMTP run their sessions, told what the client sent from the transcript's
 * client side.
 * `npm run fuzz` sets FUZZ_RUNS for longer runs; `npm test` runs a few hundred cases.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { MailwireError, SecurityError } from '@mailwire/errors';
import { atom, ImapResponseDecoder, ImapSession, list, mailbox, seq, sequenceSet, str, type ImapResponse, type SessionStep } from '@mailwire/imap';
import { Pop3Session } from '@mailwire/pop3';
import { SmtpSession } from '@mailwire/smtp';
import { loadTranscript, transcriptProtocol } from '@mailwire/test-servers';

import type { Protocol } from './clients.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 0) > 0 ? Number(process.env.FUZZ_RUNS) : 150;
// npm test runs a fixed sample so it never flickers; npm run fuzz (FUZZ_RUNS) explores new seeds.
const SEED = Number(process.env.FUZZ_RUNS ?? 0) > 0 ? undefined : 20261204;
const seeded = SEED === undefined ? {} : { seed: SEED };
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const LINE_LIMIT = 4096;

/** One recorded session: the client's lines and the server's bytes, turn by turn. */
interface Session {
  name: string;
  turns: { dir: 'C' | 'S'; bytes: Buffer }[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = `${dir}${f}`;
    return statSync(p).isDirectory() ? walk(`${p}/`) : p.endsWith('.txt') ? [p] : [];
  });
}

const CORPUS: Record<Protocol, Session[]> = { imap: [], pop3: [], smtp: [] };
for (const path of walk(FIXTURES)) {
  let t;
  try {
    t = loadTranscript(readFileSync(path, 'latin1'));
  } catch {
    continue; // not a transcript
  }
  const turns: Session['turns'] = [];
  for (const e of t.entries) {
    const last = turns.at(-1);
    if (last && last.dir === e.dir) last.bytes = Buffer.concat([last.bytes, e.bytes]);
    else turns.push({ dir: e.dir, bytes: Buffer.from(e.bytes) });
  }
  if (turns.length > 0) CORPUS[transcriptProtocol(t)].push({ name: path.slice(FIXTURES.length), turns });
}

/** Server bytes edited: set, delete or insert bytes at given places. */
type Edit = [at: number, value: number, op: 'set' | 'del' | 'ins'];
function mutate(bytes: Buffer, edits: Edit[]): Buffer {
  const out = [...bytes];
  for (const [at, v, op] of edits) {
    if (out.length === 0) break;
    const i = at % out.length;
    if (op === 'set') out[i] = v;
    else if (op === 'del') out.splice(i, 1);
    else out.splice(i, 0, v);
  }
  return Buffer.from(out);
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  const out: Buffer[] = [];
  for (let i = 1; i < points.length; i++) out.push(bytes.subarray(points[i - 1], points[i]));
  return out.length > 0 ? out : [bytes];
}

/** What a run produced, in a form that does not depend on chunk boundaries. */
interface Outcome {
  events: string[];
  error?: string;
  maxBuffered: number;
}

/** Appends an event, merging data pieces (body or literal bytes) that chunking may cut differently. */
function record(events: string[], kind: string, data?: Buffer | string): void {
  const last = events.at(-1);
  if (data !== undefined && (kind === 'body' || kind === 'literal') && last?.startsWith(`${kind}:`)) events[events.length - 1] = last + Buffer.from(data).toString('latin1');
  else events.push(data === undefined ? kind : `${kind}:${Buffer.isBuffer(data) ? data.toString('latin1') : data}`);
}

function typed(err: unknown): string {
  // Anything else (TypeError, RangeError) is a bug: let it fail the property.
  if (!(err instanceof MailwireError)) throw err;
  return err.code;
}

/** `got` is the same outcome as `ref` (the byte-at-a-time run): the same events, the same error. */
function expectSame(got: Outcome, ref: Outcome): void {
  // Malformed bytes after a STARTTLS go-ahead are refused as an injection (ESTARTTLS) or as
  // bad syntax (EPROTOCOL), whichever is seen first — that depends on the split: one class.
  const cls = (code: string | undefined) => (code === 'ESTARTTLS' ? 'EPROTOCOL' : code);
  expect(cls(got.error)).toEqual(cls(ref.error));
  expect(got.events).toEqual(ref.events);
}

const bytewise = (b: Buffer) => [...b].map((x) => Buffer.from([x]));

function runImap(s: Session, serverChunks: (b: Buffer) => Buffer[], stream: boolean): Outcome {
  const d = new ImapResponseDecoder({ maxLineBytes: LINE_LIMIT, maxLiteralBytes: 16384, maxMessageBytes: 32768, ...(stream ? { streamThresholdBytes: 64 } : {}) });
  const out: Outcome = { events: [], maxBuffered: 0 };
  try {
    for (const t of s.turns) {
      if (t.dir === 'C') continue;
      for (const c of serverChunks(t.bytes)) {
        // Our own array: the responses complete before an error in this chunk are kept (as the session does).
        const got: ImapResponse[] = [];
        try {
          d.push(c, got);
        } finally {
          for (const r of got) {
            if (r.kind === 'literal-chunk') record(out.events, 'literal', Buffer.from((r as { bytes: Uint8Array }).bytes));
            else record(out.events, r.kind, JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : typeof v === 'bigint' ? String(v) : v)));
          }
        }
        out.maxBuffered = Math.max(out.maxBuffered, d.bufferedBytes);
      }
    }
  } catch (err) {
    out.error = typed(err);
  }
  return out;
}

function runPop3(s: Session, serverChunks: (b: Buffer) => Buffer[]): Outcome {
  const session = new Pop3Session({ maxLineBytes: LINE_LIMIT });
  const out: Outcome = { events: [], maxBuffered: 0 };
  let challenged = false;
  const take = (events: ReturnType<Pop3Session['receive']>) => {
    for (const e of events) {
      if (e.kind === 'BodyReceived') record(out.events, 'body', Buffer.from(e.bytes));
      else if (e.kind === 'ProtocolFailed') out.error ??= typed(e.error);
      else {
        challenged = e.kind === 'ChallengeReceived';
        record(out.events, e.kind, JSON.stringify(e));
      }
    }
  };
  try {
    for (const t of s.turns) {
      if (out.error) break;
      if (t.dir === 'C') {
        for (const line of t.bytes.toString('latin1').split('\r\n').slice(0, -1)) {
          // A line after a "+" challenge is a SASL response, not a command.
          if (challenged) session.sendSaslLine(line);
          else session.sendLine(line);
          challenged = false;
        }
        continue;
      }
      for (const c of serverChunks(t.bytes)) {
        // What the Transport does at the upgrade: bytes after the go-ahead, in a later chunk, are an injection.
        if (out.events.at(-1)?.startsWith('ResponseReceived:{"kind":"ResponseReceived","keyword":"STLS","status":{"ok":true') && c.length > 0) out.error = 'ESTARTTLS';
        if (out.error) break;
        take(session.receive(c));
        out.maxBuffered = Math.max(out.maxBuffered, session.bufferedBytes);
        if (out.error) break;
      }
    }
    if (!out.error) take(session.end());
  } catch (err) {
    out.error ??= typed(err);
  }
  return out;
}

function runSmtp(s: Session, serverChunks: (b: Buffer) => Buffer[]): Outcome {
  const session = new SmtpSession({ maxLineBytes: LINE_LIMIT, maxReplyLines: 100 });
  const out: Outcome = { events: [], maxBuffered: 0 };
  let last = 0;
  let inData = false;
  try {
    for (const t of s.turns) {
      if (t.dir === 'C') {
        for (const line of t.bytes.toString('latin1').split('\r\n').slice(0, -1)) {
          if (inData) {
            if (line === '.') {
              inData = false;
              session.expect('DATA-END');
            }
            continue;
          }
          const verb = last === 334 ? 'AUTH' : line.split(' ', 1)[0]!.split(':', 1)[0]!.toUpperCase();
          session.expect(verb);
          last = 0;
        }
        continue;
      }
      for (const c of serverChunks(t.bytes)) {
        // What the Transport does at the upgrade: bytes after the 220 to STARTTLS, in a later chunk, are an injection.
        if (out.events.at(-1)?.startsWith('STARTTLS:{"step":"STARTTLS","reply":{"code":220') && c.length > 0) throw new SecurityError('ESTARTTLS', 'bytes before the handshake');
        for (const r of session.receive(c)) {
          record(out.events, r.step, JSON.stringify(r));
          last = r.reply.code;
          if (r.step === 'DATA' && r.reply.code === 354) inData = true;
        }
        out.maxBuffered = Math.max(out.maxBuffered, session.bufferedBytes);
      }
    }
    session.end();
    record(out.events, 'end');
  } catch (err) {
    out.error = typed(err);
  }
  return out;
}

function run(protocol: Protocol, s: Session, serverChunks: (b: Buffer) => Buffer[], stream = false): Outcome {
  if (protocol === 'imap') return runImap(s, serverChunks, stream);
  if (protocol === 'pop3') return runPop3(s, serverChunks);
  return runSmtp(s, serverChunks);
}

/** The limit a run's held bytes must stay within: a line (+ CR) — IMAP also a held response. */
const bound = (protocol: Protocol) => (protocol === 'imap' ? 32768 + LINE_LIMIT : LINE_LIMIT + 1 + (protocol === 'smtp' ? 100 * LINE_LIMIT : 0));

const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom<'set' | 'del' | 'ins'>('set', 'del', 'ins')), { maxLength: 8 });
const cuts = fc.array(fc.nat(), { maxLength: 12 });
const hostile = fc.constantFrom('\r\n', '\n', '\r', '\0', '{99999}\r\n', '(((((', ')', '.\r\n', '+OK\r\n', '-ERR x\r\n', '250-', '250 ', '354 go\r\n', '334 \r\n', '* BYE x\r\n', '+ \r\n', ' '.repeat(5000));

describe.each(['imap', 'pop3', 'smtp'] as const)('%s fuzz', (protocol) => {
  const corpus = CORPUS[protocol];

  it(`has a corpus (${corpus.length} transcripts)`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(protocol === 'imap' ? 5 : 3);
  });

  it('every recorded session decodes the same however it is split, with typed errors only', () => {
    fc.assert(
      fc.property(fc.nat(corpus.length - 1), cuts, fc.boolean(), (i, points, stream) => {
        const s = corpus[i]!;
        const ref = run(protocol, s, bytewise, stream);
        expectSame(run(protocol, s, (b) => [b], stream), ref);
        expectSame(run(protocol, s, (b) => split(b, points), stream), ref);
      }),
      { numRuns: Math.max(corpus.length, Math.round(RUNS / 5)), ...seeded },
    );
  });

  it('mutated and spliced sessions: same result for any split, typed errors only, memory bounded', () => {
    fc.assert(
      fc.property(fc.nat(corpus.length - 1), edits, fc.array(fc.tuple(fc.nat(), hostile), { maxLength: 3 }), cuts, fc.boolean(), (i, e, splices, points, stream) => {
        const s = corpus[i]!;
        const turns = s.turns.map((t) => {
          if (t.dir === 'C') return t;
          let bytes = mutate(t.bytes, e);
          for (const [at, text] of splices) {
            const k = at % (bytes.length + 1);
            bytes = Buffer.concat([bytes.subarray(0, k), Buffer.from(text, 'latin1'), bytes.subarray(k)]);
          }
          return { dir: t.dir, bytes };
        });
        const m = { name: s.name, turns };
        const ref = run(protocol, m, bytewise, stream);
        const whole = run(protocol, m, (b) => [b], stream);
        const chunked = run(protocol, m, (b) => split(b, points), stream);
        expectSame(whole, ref);
        expectSame(chunked, ref);
        expect(Math.max(ref.maxBuffered, whole.maxBuffered, chunked.maxBuffered)).toBeLessThanOrEqual(bound(protocol));
      }),
      { numRuns: RUNS, ...seeded },
    );
  });

  it('random bytes after a real greeting: typed errors only, memory bounded', () => {
    const greeting = corpus[0]!.turns.find((t) => t.dir === 'S')!;
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), hostile.map((h) => Buffer.from(h, 'latin1'))), { maxLength: 20 }), cuts, (pieces, points) => {
        const junk = Buffer.concat(pieces.map((p) => Buffer.from(p)));
        const s: Session = { name: 'random', turns: [greeting, ...corpus[0]!.turns.filter((t) => t.dir === 'C').slice(0, 1), { dir: 'S', bytes: junk }] };
        const ref = run(protocol, s, bytewise);
        const whole = run(protocol, s, (b) => [b]);
        const chunked = run(protocol, s, (b) => split(b, points));
        expectSame(whole, ref);
        expectSame(chunked, ref);
        expect(Math.max(ref.maxBuffered, whole.maxBuffered, chunked.maxBuffered)).toBeLessThanOrEqual(bound(protocol));
      }),
      { numRuns: RUNS, ...seeded },
    );
  });
});

describe('imap session fuzz', () => {
  // Server pieces that make sense to the commands below, and ones that break the framing.
  const PIECES = [
    '* OK [CAPABILITY IMAP4rev1] hi\r\n', '* PREAUTH x\r\n', '* BYE x\r\n', 'A1 OK done\r\n', 'A2 NO [TRYCREATE] no\r\n', 'A3 OK [READ-WRITE] x\r\n',
    'A4 OK\r\n', 'A5 BAD what\r\n', '+ go\r\n', '* 3 EXISTS\r\n', '* 2 EXPUNGE\r\n', '* 1 FETCH (UID 5 FLAGS (\\Seen) BODY[] {3}\r\nabc)\r\n',
    '* 1 FETCH (BODY[] {200}\r\n' + 'x'.repeat(200) + ')\r\n', '* SEARCH 1 2\r\n', '* LIST () "/" INBOX\r\n', '* OK [ALERT] hey\r\n',
    '{5}\r\n', '(((', ')', '\r\n', '\x00', '* 1 FETCH (BODY[] {99999999999}\r\n', `* OK ${'x'.repeat(LINE_LIMIT)}\r\n`, '* ', 'A1 ',
  ];

  /** The session's events (writes left out), one string each, and the error code that ended it. */
  function runSession(chunks: Buffer[]): Outcome {
    const session = new ImapSession({ decoder: new ImapResponseDecoder({ maxLineBytes: LINE_LIMIT, maxLiteralBytes: 16384, streamThresholdBytes: 64 }) });
    // Enqueued before any byte, so what the session is waiting for never depends on the split.
    session.enqueue({ name: 'NOOP' });
    session.enqueue({ name: 'APPEND', args: [mailbox('INBOX'), str('x\r\ny')] });
    session.enqueue({ name: 'SELECT', args: [mailbox('INBOX')] });
    session.enqueue({ name: 'FETCH', args: [seq(sequenceSet('1:*')), list([atom('BODY[]')])], stream: true });
    session.enqueue({ name: 'NOOP' });
    const out: Outcome = { events: [], maxBuffered: 0 };
    const show = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('latin1') : typeof x === 'bigint' ? String(x) : x));
    const drain = () => {
      for (let step: SessionStep = session.next(); step.kind !== 'need-data'; step = session.next()) {
        if (step.kind === 'write' || step.kind === 'write-stream') continue;
        if (step.kind === 'ProtocolFailed') out.error ??= typed(step.error);
        else if (step.kind === 'DataReceived' && step.response.kind === 'literal-chunk') record(out.events, 'literal', Buffer.from((step.response as { bytes: Uint8Array }).bytes));
        else record(out.events, step.kind, show({ ...step, handle: 'handle' in step ? step.handle.tag : undefined }));
      }
    };
    for (const c of chunks) {
      session.receive(c);
      drain();
    }
    session.receive(new Uint8Array(0));
    drain();
    return out;
  }

  it('the session gives the same events and error however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 12 })), { maxLength: 25 }), cuts, (pieces, points) => {
        const bytes = Buffer.from(pieces.join(''), 'latin1');
        const ref = runSession(bytewise(bytes));
        expect(runSession([bytes])).toEqual(ref);
        expect(runSession(split(bytes, points))).toEqual(ref);
      }),
      { numRuns: RUNS, ...seeded },
    );
  });
});
