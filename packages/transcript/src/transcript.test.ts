import { describe, expect, it } from 'vitest';
import { formatTranscript, parseTranscript, sideBytes, transcriptTurns } from './transcript.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('transcript format', () => {
  it('parses headers, lines with CRLF appended, and exact bytes', () => {
    const t = parseTranscript(
      '# source: hand-written\n# note: x\nS: * OK ready\nC: a1 NOOP\nS= "* 1 FETCH (BODY[] {3}\\r\\na\\x00b)\\r\\n"\nS: a1 OK done\nS:\n',
    );
    expect(t.headers).toEqual({ source: 'hand-written', note: 'x' });
    expect(t.entries.map((e) => [e.dir, text(e.bytes)])).toEqual([
      ['S', '* OK ready\r\n'],
      ['C', 'a1 NOOP\r\n'],
      ['S', '* 1 FETCH (BODY[] {3}\r\na\x00b)\r\n'],
      ['S', 'a1 OK done\r\n'],
      ['S', '\r\n'],
    ]);
    expect(transcriptTurns(t).map((x) => x.dir)).toEqual(['S', 'C', 'S']);
    expect(text(sideBytes(t, 'C'))).toBe('a1 NOOP\r\n');
  });

  it('keeps a literal backslash-x that was itself escaped', () => {
    const t = parseTranscript('S= "a\\\\x41"\n');
    expect(text(t.entries[0]!.bytes)).toBe('a\\x41');
  });

  it('round-trips through formatTranscript', () => {
    const src = '# source: test\nS: * OK hi\nC= "bare\\nLF\\x00"\nS= "\\xff\\r\\n"\n';
    const t = parseTranscript(src);
    const again = parseTranscript(formatTranscript(t));
    expect(again.entries.map((e) => text(e.bytes))).toEqual(t.entries.map((e) => text(e.bytes)));
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseTranscript('S: ok\nX: no\n')).toThrow(/line 2/);
  });
});
