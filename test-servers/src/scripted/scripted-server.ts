/**
 * The scripted server: it plays the server side of a transcript against one real client
 * over a real socket, byte for byte, and reports whether the client sent exactly the
 * transcript's client side.
 *
 * Theory of operation. The transcript is cut into turns. A server turn is written as it
 * is (with IMAP tags rewritten to the client's, see TagMap); a client turn is read
 * segment by segment (lines, literals, a tail; see nextSegment) and compared. The first
 * difference ends the replay: `result` resolves with the transcript line, the expected
 * and the actual bytes, and the connection closes. When a client turn was a STARTTLS/STLS
 * command and the server turn answers it positively, that answer's last line is sent as
 * the go-ahead and the connection upgrades to TLS (with `faults.injectAfterStarttls`, the
 * injection attack). At the end of the script the server closes the connection. Each
 * connection plays the next transcript given; connections beyond them are closed at once.
 */
import { createSecureContext } from 'node:tls';
import type { Faults } from '../faults/faults.js';
import type { Connection } from '../net/connection.js';
import { listen } from '../net/listener.js';
import { certFor, testPki, type CertKind } from '../tls/certs.js';
import type { Transcript } from '@mailwire/transcript';
import { isStartTlsCommand, isStartTlsGoAhead, loadTranscript, transcriptProtocol, type Protocol } from './load-transcript.js';
import { lineAt, nextSegment, scriptTurns, type ScriptTurn, type SideState } from './script-turns.js';
import { TagMap } from './tag-map.js';

export interface ScriptedServerOptions {
  /**
   * A parsed transcript, its text, or a file path. An array scripts successive
   * connections, one transcript each (e.g. a refused token, then the retry on a new
   * connection); `result` settles after the last one or at the first mismatch.
   */
  transcript: Transcript | string | (Transcript | string)[];
  /** Implicit TLS from the first byte; `true` is the valid certificate. STARTTLS in the script always uses the valid one unless a cert is named here. */
  tls?: boolean | { cert: CertKind };
  /** Map the transcript's IMAP tags to the client's (default true; IMAP only). */
  mapTags?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  faults?: Faults;
}

export interface ReplayMismatch {
  /** The transcript line where the expected bytes are (0 when no client connected). */
  line: number;
  expected: string;
  actual: string;
}

export interface ReplayResult {
  ok: boolean;
  mismatch?: ReplayMismatch;
  /** With several scripted connections: the 1-based connection that went wrong. */
  connection?: number;
}

export interface ScriptedServer {
  host: string;
  port: number;
  /** PEM of the CA that signed the valid certificate. */
  ca: string;
  /** Settles when the first connection's replay ends. */
  result: Promise<ReplayResult>;
  close(): Promise<void>;
}

const MAX_LINE = 1 << 20;
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Starts a scripted server on a free port. */
export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const scripts = (Array.isArray(options.transcript) ? options.transcript : [options.transcript]).map((source) => {
    const transcript = loadTranscript(source);
    const protocol = transcriptProtocol(transcript);
    return { protocol, turns: scriptTurns(transcript), mapTags: (options.mapTags ?? true) && protocol === 'imap' };
  });
  const pki = testPki();
  const kind: CertKind = typeof options.tls === 'object' ? options.tls.cert : 'valid';
  const keyAndCert = certFor(pki, kind);
  const context = createSecureContext(keyAndCert);
  let settle!: (r: ReplayResult) => void;
  const result = new Promise<ReplayResult>((resolve) => (settle = resolve));
  let next = 0;
  const listener = await listen(
    { host: options.host ?? '127.0.0.1', ...(options.tls ? { tls: keyAndCert } : {}), faults: options.faults ?? {} },
    async (conn) => {
      const index = next++;
      const script = scripts[index];
      if (!script) return conn.destroy();
      const r = await replayServerSide(conn, script.turns, { ...script, context });
      if (!r.ok || index === scripts.length - 1) settle(r.ok || scripts.length === 1 ? r : { ...r, connection: index + 1 });
      await conn.close();
    },
  );
  return {
    host: listener.host,
    port: listener.port,
    ca: pki.ca,
    result,
    close: async () => {
      await listener.close();
      settle({ ok: false, mismatch: { line: 0, expected: `${scripts.length - Math.min(next, scripts.length)} more client connection(s)`, actual: 'none before close()' } });
    },
  };
}

interface ReplayContext {
  protocol: Protocol;
  mapTags: boolean;
  context: import('node:tls').SecureContext;
}

async function replayServerSide(conn: Connection, turns: ScriptTurn[], ctx: ReplayContext): Promise<ReplayResult> {
  const tags = new TagMap();
  const client: SideState = { literal: 0, commandStart: true };
  let lastCommand = '';
  let lastServerLine = '';
  for (const turn of turns) {
    if (turn.dir === 'S') {
      const out: string[] = [];
      const server: SideState = { literal: 0, commandStart: true };
      for (let at = 0; at < turn.bytes.length; ) {
        const seg = nextSegment(turn.bytes, at, server);
        at += seg.bytes.length;
        const text = latin1(seg.bytes);
        out.push(ctx.mapTags && seg.lineStart ? tags.mapServerLine(text) : text);
        if (seg.kind === 'line') lastServerLine = text;
      }
      // The go-ahead and whatever the script has after it (an injection) go in one write.
      const at = lastCommand !== '' && isStartTlsCommand(lastCommand, ctx.protocol) ? out.findIndex((l) => isStartTlsGoAhead(l, ctx.protocol)) : -1;
      if (at >= 0) {
        const goAhead = out.splice(at).join('');
        if (out.length > 0) await conn.write(out.join(''));
        if (!(await conn.startTls(goAhead, ctx.context))) {
          return { ok: false, mismatch: { line: lineAt(turn, turn.bytes.length - 1), expected: 'a TLS handshake', actual: 'the handshake failed' } };
        }
        lastCommand = '';
      } else {
        await conn.write(out.join(''));
      }
      continue;
    }
    if (client.literal === 0 && /^\+( |\r?\n)/.test(lastServerLine)) client.commandStart = false;
    for (let at = 0; at < turn.bytes.length; ) {
      const seg = nextSegment(turn.bytes, at, client);
      at += seg.bytes.length;
      const actualBytes = seg.kind === 'line' ? await conn.readLineWithEnd(MAX_LINE) : await conn.readBytes(seg.bytes.length);
      const expected = latin1(seg.bytes);
      const line = lineAt(turn, seg.offset);
      if (actualBytes === null) return { ok: false, mismatch: { line, expected, actual: '<connection closed>' } };
      if (actualBytes === 'too-long') return { ok: false, mismatch: { line, expected, actual: '<a line over 1 MiB>' } };
      const actual = latin1(actualBytes);
      const same = ctx.mapTags && seg.lineStart ? tags.matchCommand(expected, actual) : expected === actual;
      if (!same) return { ok: false, mismatch: { line, expected, actual } };
      if (seg.lineStart) lastCommand = expected;
    }
    lastServerLine = '';
  }
  return { ok: true };
}
