/**
 * Chunking helpers for decoder tests (h11's `tr()` idea): every case is run whole, one byte
 * at a time, at random split points, and with trailing bytes, and must give the same frames.
 * Test-only (excluded from the build).
 */
import fc from 'fast-check';

/** Cuts bytes at the given offsets (any order, duplicates and out-of-range ignored). */
export function splitAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points.filter((p) => p > 0 && p < bytes.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** One chunk per byte. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes.subarray(i, i + 1));
  return out;
}

/** A fast-check arbitrary of split points for a stream of `length` bytes. */
export function splitPoints(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: Math.max(0, length) }), { maxLength: Math.min(64, length + 1) });
}

/** The three standard chunkings of a case: whole, byte by byte, and a fixed scatter. */
export function standardChunkings(bytes: Uint8Array): { name: string; chunks: Uint8Array[] }[] {
  const scatter: number[] = [];
  for (let p = 1; p < bytes.length; p += 7) scatter.push(p, p + 2);
  return [
    { name: 'whole', chunks: [bytes] },
    { name: 'byte by byte', chunks: byteByByte(bytes) },
    { name: 'scattered', chunks: splitAt(bytes, scatter) },
  ];
}

export const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
export const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
