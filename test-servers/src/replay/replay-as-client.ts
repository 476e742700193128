/**
 * replayAsClient plays the client side of a transcript against a live server and checks
 * the server's side byte for byte: the mirror of the scripted server. The client sends
 * each client turn in one write, with the transcript's own tags; each server turn is read
 * segment by segment (lines, literals; see nextSegment) and compared. After a STARTTLS/STLS
 * command answered positively, the connection upgrades to TLS (trusting `ca`). A server
 * that stays silent for `timeoutMs` is a mismatch, not a hang.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Connection } from '../net/connection.js';
import { dial } from '../net/dial.js';
import { isStartTlsCommand, isStartTlsGoAhead, loadTranscript, transcriptProtocol } from '../scripted/load-transcript.js';
import type { ReplayResult } from '../scripted/scripted-server.js';
import { lineAt, nextSegment, scriptTurns, type SideState } from '../scripted/script-turns.js';
import type { Transcript } from '@mailwire/transcript';

export interface ReplayAsClientOptions {
  transcript: Transcript | string;
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Implicit TLS: `true`, or TLS options such as `{ ca }`. */
  tls?: boolean | ConnectionOptions;
  /** The CA to trust for implicit TLS and STARTTLS upgrades (PEM). */
  ca?: string;
  /** How long to wait for the server's next bytes before calling it a mismatch (default 5000 ms). */
  timeoutMs?: number;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Replays the client side; resolves with the first mismatch, or ok. */
export async function replayAsClient(options: ReplayAsClientOptions): Promise<ReplayResult> {
  const transcript = loadTranscript(options.transcript);
  const protocol = transcriptProtocol(transcript);
  const turns = scriptTurns(transcript);
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 5000;
  const tlsOptions: ConnectionOptions = {
    servername: host === '127.0.0.1' ? 'localhost' : host,
    ...(options.ca ? { ca: options.ca } : {}),
    ...(typeof options.tls === 'object' ? options.tls : {}),
  };
  let conn: Connection;
  try {
    conn = await dial({ host, port: options.port, ...(options.tls ? { tls: tlsOptions } : {}) });
  } catch (e) {
    return { ok: false, mismatch: { line: 0, expected: 'a connection', actual: (e as Error).message } };
  }
  try {
    let lastCommand = '';
    for (const turn of turns) {
      if (turn.dir === 'C') {
        await conn.write(turn.bytes);
        const lines = latin1(turn.bytes).split(/(?<=\n)/);
        lastCommand = lines[lines.length - 1] ?? '';
        continue;
      }
      const state: SideState = { literal: 0, commandStart: true };
      let lastLine = '';
      for (let at = 0; at < turn.bytes.length; ) {
        const seg = nextSegment(turn.bytes, at, state);
        at += seg.bytes.length;
        const read = seg.kind === 'line' ? conn.readLineWithEnd(1 << 20) : conn.readBytes(seg.bytes.length);
        const actualBytes = await withTimeout(read, timeoutMs);
        const expected = latin1(seg.bytes);
        const line = lineAt(turn, seg.offset);
        if (actualBytes === 'timeout') return { ok: false, mismatch: { line, expected, actual: `<nothing for ${timeoutMs} ms>` } };
        if (actualBytes === null) return { ok: false, mismatch: { line, expected, actual: '<connection closed>' } };
        if (actualBytes === 'too-long') return { ok: false, mismatch: { line, expected, actual: '<a line over 1 MiB>' } };
        const actual = latin1(actualBytes);
        if (actual !== expected) return { ok: false, mismatch: { line, expected, actual } };
        if (seg.kind === 'line') lastLine = expected;
      }
      if (lastCommand !== '' && isStartTlsCommand(lastCommand, protocol) && isStartTlsGoAhead(lastLine, protocol)) {
        if (!(await conn.upgradeClientTls(tlsOptions))) {
          return { ok: false, mismatch: { line: lineAt(turn, turn.bytes.length - 1), expected: 'a TLS handshake', actual: 'the handshake failed' } };
        }
      }
      lastCommand = '';
    }
    return { ok: true };
  } finally {
    await conn.close();
  }
}
