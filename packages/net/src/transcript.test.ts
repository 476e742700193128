import { describe, expect, it } from 'vitest';
import fc from 'fast-check';

import { TranscriptRecorder } from './transcript.js';
import type { TranscriptEntry } from './client-options.js';

const enc = (s: string) => new TextEncoder().encode(s);

function record(fn: (r: TranscriptRecorder) => void): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  fn(new TranscriptRecorder((e) => out.push(e), { maxLineChars: 40 }));
  return out;
}

describe('TranscriptRecorder', () => {
  it('redacts AUTHENTICATE initial responses and LOGIN arguments', () => {
    const entries = record((r) => {
      r.sent(enc('A1 AUTHENTICATE XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxl\r\n'));
      r.sent(enc('A2 LOGIN alice "hunter2"\r\n'));
      r.received(enc('A1 OK done\r\n'));
    });
    expect(entries).toEqual([
      { dir: 'C', line: 'A1 AUTHENTICATE XOAUTH2 [redacted]' },
      { dir: 'C', line: 'A2 LOGIN [redacted]' },
      { dir: 'S', line: 'A1 OK done' },
    ]);
    expect(JSON.stringify(entries)).not.toContain('hunter2');
  });

  it('redacts a secret write even when its line ends in a later write', () => {
    const entries = record((r) => {
      r.sent(enc('hunter2'), true);
      r.sent(enc('\r\n'));
      r.sent(enc('A3 NOOP\r\n'));
    });
    expect(entries).toEqual([
      { dir: 'C', line: '[redacted]' },
      { dir: 'C', line: 'A3 NOOP' },
    ]);
  });

  it('keeps the command of a secret line it recognises, replacing only the secret', () => {
    const entries = record((r) => r.sent(enc('A2 LOGIN mrc secret\r\n'), true));
    expect(entries).toEqual([{ dir: 'C', line: 'A2 LOGIN [redacted]' }]);
  });

  it('escapes control bytes and cuts long lines', () => {
    const entries = record((r) => r.received(enc(`a\x00b\tc\r\n${'x'.repeat(100)}\r\n`)));
    expect(entries[0]).toEqual({ dir: 'S', line: 'a\\x00b\\x09c' });
    expect(entries[1]!.line).toBe(`${'x'.repeat(40)}... [60 more bytes]`);
  });

  it('gives the same lines whatever the chunking (property)', () => {
    const text = 'S1 OK one\r\n* 2 EXISTS\r\nbare\nlast\r\n';
    const whole = record((r) => r.received(enc(text)));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set([0, ...cuts, text.length])].sort((a, b) => a - b);
        const split = record((r) => {
          for (let i = 1; i < points.length; i++) r.received(enc(text.slice(points[i - 1], points[i])));
        });
        expect(split).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
