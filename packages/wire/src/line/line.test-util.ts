/**
 * Test helpers for the line framers: run a decoder over chunks and record what came out,
 * frames and the error reason alike, so any two chunkings can be compared with toEqual.
 * Test-only (excluded from the build).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { WireError } from '../wire-error.js';
import { text } from '../chunking.test-util.js';
import type { Pop3Frame } from './pop3-response-decoder.js';

export interface Pushable<F> {
  push(chunk: Uint8Array, out?: F[]): F[];
  end(): void;
  readonly bufferedBytes: number;
}

export interface Outcome<F> {
  frames: F[];
  /** The WireError reason, or 'none' when the stream was read and ended cleanly. */
  error: string;
  /** The largest bufferedBytes seen after any push. */
  maxBuffered: number;
}

/**
 * Pushes each chunk and then ends the stream (unless `end` is false). Any exception other
 * than a WireError is rethrown, so the test fails on it.
 */
export function run<F>(decoder: Pushable<F>, chunks: Uint8Array[], end = true): Outcome<F> {
  const frames: F[] = [];
  let maxBuffered = 0;
  try {
    for (const chunk of chunks) {
      decoder.push(chunk, frames);
      maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
    }
    if (end) decoder.end();
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    return { frames, error: error.reason, maxBuffered };
  }
  return { frames, error: 'none', maxBuffered };
}

/** A POP3 frame with body bytes as latin1 text, consecutive body pieces merged into one. */
export type Pop3Shown = Exclude<Pop3Frame, { kind: 'body-chunk' }> | { kind: 'body'; text: string };

export function showPop3(frames: Pop3Frame[]): Pop3Shown[] {
  const out: Pop3Shown[] = [];
  for (const frame of frames) {
    if (frame.kind !== 'body-chunk') {
      out.push(frame);
      continue;
    }
    expect(frame.bytes.length).toBeGreaterThan(0);
    const last = out[out.length - 1];
    if (last !== undefined && last.kind === 'body') last.text += text(frame.bytes);
    else out.push({ kind: 'body', text: text(frame.bytes) });
  }
  return out;
}

/** Bytes where CR, LF, "." and the digits and signs of SMTP and POP3 are frequent. */
export const wireBytes = (maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(0x0d, 0x0a, 0x2e, 0x20, 0x2d, 0x2b) },
        { weight: 2, arbitrary: fc.constantFrom(0x32, 0x35, 0x30, 0x4f, 0x4b, 0x45, 0x52, 0x41) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
      ),
      { maxLength },
    )
    .map((a) => Buffer.from(a));

/** A byte stream and split points into it. */
export const splitStream = (bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<{ bytes: Uint8Array; points: number[] }> =>
  bytes.chain((b) =>
    fc.array(fc.integer({ min: 0, max: b.length }), { maxLength: Math.min(64, b.length + 1) }).map((points) => ({ bytes: b, points })),
  );
