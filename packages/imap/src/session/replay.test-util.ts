/**
 * Session-level replay of a transcript fixture, sans I/O: the server side is fed to an
 * ImapSession (in whatever chunks the caller's splitter makes), commands are enqueued
 * one at a time as the previous one completes (as the client does), and everything the
 * session wrote is returned for a byte-exact comparison with the client side.
 *
 * Tags: the session is given the fixture's own tags — the first token of every client
 * line that some server line later uses as a tag — in order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parseTranscript, sideBytes, transcriptTurns } from '@mailwire/test-servers';
import type { Transcript } from '@mailwire/test-servers';
import { createClientMechanism, SaslExchange } from '@mailwire/sasl';

import { ImapResponseDecoder } from '../decode/imap-response-decoder.js';
import { ImapSession } from './session.js';
import type { SessionCommand, SessionEvent } from './session-types.js';

export const SESSIONS_DIR = fileURLToPath(new URL('../../../../fixtures/imap/sessions/', import.meta.url));

export function loadSession(name: string): Transcript {
  return parseTranscript(readFileSync(`${SESSIONS_DIR}${name}`, 'utf8'));
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** The fixture's command tags, in the order the client sent them: letters and digits, then a space. */
export function fixtureTags(t: Transcript): string[] {
  const out: string[] = [];
  for (const e of t.entries) {
    if (e.dir !== 'C') continue;
    const m = /^([A-Za-z]+[0-9]+) [A-Z]/.exec(latin1(e.bytes));
    if (m && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** An AUTHENTICATE command for the fixture's credentials (headers user/token/password/mechanism). */
export function authCommand(t: Transcript, session: ImapSession): SessionCommand {
  const h = t.headers;
  const mechanism = createClientMechanism(h['mechanism']!, {
    user: h['user']!,
    ...(h['token'] ? { accessToken: h['token'] } : {}),
    ...(h['password'] ? { password: h['password'] } : {}),
  });
  return { name: 'AUTHENTICATE', sasl: new SaslExchange({ protocol: 'imap', mechanism, saslIr: session.capabilities.has('SASL-IR') }) };
}

export type ScriptItem = SessionCommand | ((session: ImapSession) => SessionCommand);

export interface SessionReplay {
  written: Uint8Array;
  expected: Uint8Array;
  events: SessionEvent[];
  session: ImapSession;
}

/** Replays `t` through a fresh session; `split` cuts each server turn into chunks. */
export function replaySession(t: Transcript, script: ScriptItem[], split: (bytes: Uint8Array) => Uint8Array[] = (b) => [b]): SessionReplay {
  const tags = fixtureTags(t);
  const session = new ImapSession({ decoder: new ImapResponseDecoder(), tag: (n) => tags[n - 1] ?? `X${n}` });
  const queue = [...script];
  const written: Uint8Array[] = [];
  const events: SessionEvent[] = [];
  const drain = () => {
    for (;;) {
      const step = session.next();
      if (step.kind === 'need-data') {
        if (session.ready && session.pendingCount === 0 && queue.length > 0) {
          const item = queue.shift()!;
          session.enqueue(typeof item === 'function' ? item(session) : item);
          continue;
        }
        return;
      }
      if (step.kind === 'write') written.push(step.bytes);
      else if (step.kind === 'write-stream') throw new Error('replaySession does not stream literals');
      else {
        events.push(step);
        if (step.kind === 'IdleAccepted') session.finishIdle(step.handle);
        if (step.kind === 'CommandCompleted' && (step.handle.name === 'STARTTLS' || step.handle.name === 'COMPRESS')) session.takeUnread();
      }
    }
  };
  for (const turn of transcriptTurns(t)) {
    if (turn.dir === 'S') {
      for (const chunk of split(turn.bytes)) {
        session.receive(chunk);
        drain();
      }
    } else drain();
  }
  session.receive(new Uint8Array(0));
  drain();
  return { written: Buffer.concat(written), expected: sideBytes(t, 'C'), events, session };
}
