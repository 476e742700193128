/**
 * Helpers for the decoder tests: fixture bytes, decoding a stream in a given chunking, and a
 * plain-data view of responses (bytes as latin1 text, consecutive literal chunks joined) so
 * results of different chunkings compare with toEqual. Test-only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTranscript, sideBytes } from '@mailwire/test-servers';
import { ImapResponseDecoder, type ImapResponseDecoderOptions } from './imap-response-decoder.js';
import type { ImapResponse } from '../types.js';

const root = fileURLToPath(new URL('../../../../fixtures/imap/', import.meta.url));

/** The server bytes of fixtures/imap/<path>. */
export function fixtureBytes(path: string): Uint8Array {
  return sideBytes(parseTranscript(readFileSync(root + path, 'utf8')), 'S');
}

/** Decodes chunks with a fresh decoder; returns every response. */
export function decodeChunks(chunks: Uint8Array[], options: ImapResponseDecoderOptions = {}): ImapResponse[] {
  const d = new ImapResponseDecoder(options);
  const out: ImapResponse[] = [];
  for (const c of chunks) out.push(...d.push(c));
  return out;
}

/** Plain data: Uint8Array -> { bytes: latin1 }, literal-chunk runs joined into one. */
export function plain(responses: ImapResponse[]): unknown[] {
  const out: unknown[] = [];
  for (const r of responses) {
    const last = out[out.length - 1] as { kind?: string; bytes?: { bytes: string } } | undefined;
    if (r.kind === 'literal-chunk' && last?.kind === 'literal-chunk') {
      last.bytes!.bytes += Buffer.from(r.bytes as Uint8Array).toString('latin1');
      continue;
    }
    out.push(toPlain(r));
  }
  return out;
}

function toPlain(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('latin1') };
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toPlain(x);
    return o;
  }
  return v;
}

export const bytesOf = (s: string): { bytes: string } => ({ bytes: s });
