/**
 * Script turns: a transcript's entries joined into turns (as transcriptTurns does) that
 * also remember which transcript line each byte came from, and the IMAP-aware splitting
 * of a turn into segments — whole lines, the bytes of a literal announced by `{n}` /
 * `{n+}` at a line's end (RFC 9051 §4.3), and an unterminated tail — that both replay
 * directions compare one at a time.
 */
import type { Direction, Transcript } from '@mailwire/transcript';

export interface ScriptTurn {
  dir: Direction;
  bytes: Buffer;
  /** Start offset in `bytes` of each entry, with its transcript line number. */
  starts: { offset: number; line: number }[];
}

/** Joins consecutive entries of one direction, keeping line numbers. */
export function scriptTurns(transcript: Transcript): ScriptTurn[] {
  const runs: { dir: Direction; parts: Uint8Array[]; starts: ScriptTurn['starts'] }[] = [];
  let offset = 0;
  for (const e of transcript.entries) {
    let last = runs[runs.length - 1];
    if (last?.dir !== e.dir) {
      last = { dir: e.dir, parts: [], starts: [] };
      runs.push(last);
      offset = 0;
    }
    last.parts.push(e.bytes);
    last.starts.push({ offset, line: e.line });
    offset += e.bytes.length;
  }
  return runs.map(({ dir, parts, starts }) => ({ dir, bytes: Buffer.concat(parts), starts }));
}

/** The transcript line an offset of a turn came from. */
export function lineAt(turn: ScriptTurn, offset: number): number {
  let line = turn.starts[0]?.line ?? 0;
  for (const s of turn.starts) if (s.offset <= offset) line = s.line;
  return line;
}

/** The literal length a line announces at its end (`{n}` or `{n+}` or `~{n}` then CRLF), or -1. */
export function literalAnnounced(line: Uint8Array): number {
  const text = Buffer.from(line).toString('latin1');
  const m = /\{(\d{1,10})\+?\}\r?\n$/.exec(text);
  return m ? Number(m[1]) : -1;
}

/** Where one side stands while its turns are compared: inside a literal, or at a command's start. */
export interface SideState {
  /** Literal bytes still to come. */
  literal: number;
  /** The next line starts a command (its first token is a tag). */
  commandStart: boolean;
}

export interface Segment {
  bytes: Buffer;
  offset: number;
  kind: 'line' | 'literal' | 'tail';
  /** The segment is a line that starts a command or response (its first token may be a tag). */
  lineStart: boolean;
}

/** Cuts the next segment of `bytes` from `at`, advancing `state`. */
export function nextSegment(bytes: Buffer, at: number, state: SideState): Segment {
  if (state.literal > 0) {
    const n = Math.min(state.literal, bytes.length - at);
    state.literal -= n;
    return { bytes: bytes.subarray(at, at + n), offset: at, kind: 'literal', lineStart: false };
  }
  const lf = bytes.indexOf(0x0a, at);
  if (lf < 0) {
    const seg = { bytes: bytes.subarray(at), offset: at, kind: 'tail' as const, lineStart: state.commandStart };
    state.commandStart = false;
    return seg;
  }
  const seg = bytes.subarray(at, lf + 1);
  const lineStart = state.commandStart;
  const lit = literalAnnounced(seg);
  if (lit >= 0) {
    state.literal = lit;
    state.commandStart = false;
  } else {
    state.commandStart = true;
  }
  return { bytes: seg, offset: at, kind: 'line', lineStart };
}
